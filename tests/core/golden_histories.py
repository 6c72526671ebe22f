"""Golden histories: a few steps of every named optimizer on a noisy quadratic and a sampled VQE.

``record()`` runs them and ``tests/core/test_golden_histories.py`` compares a fresh run with the
stored file exactly (loss, every cost column, final point), so that a refactor of the optimizer
grammar that moves a single random draw is caught. Regenerate (``python -m tests.core.golden_histories``)
only with a commit message that names the random-stream change and why.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from zeroth_q import Budget, build_objective, get_optimizer, minimize, optimizer_names
from zeroth_q.errors import ZerothQError

GOLDEN = Path(__file__).parent / "golden" / "histories.json"
STEPS = 4
OBJECTIVES = {
    "quadratic": {"dim": 4, "noise": 1.0, "shots": 100},
    "vqe": {"qubits": 2, "reps": 1, "shots": 100},
    "xor": {},
}
COLUMNS = ("evaluations", "circuits", "shots", "examples", "loss")
# Safeguards and variants beside the presets: name -> (optimizer, settings).
VARIANTS = {
    "spsa+safeguards": (
        "spsa",
        {"blocking": True, "last_avg": 2, "resamplings": {"0": 2, "2": 3}, "final_shots": 500},
    ),
    "spsa+allowed_increase": ("spsa", {"blocking": True, "allowed_increase": 0.5, "calibration_steps": 0}),
    "spsa+coordinate": ("spsa", {"estimator": {"kind": "coordinate", "gradient_shots": 50}}),
    "icans2": ("icans", {"variant": "icans2"}),
    "2spsa+calibrated": ("2spsa", {"lr": None}),
}


def run(objective_name: str, optimizer_name: str) -> dict | None:
    """The history of ``STEPS`` steps, or None where the optimizer does not apply."""
    objective = build_objective(objective_name, OBJECTIVES[objective_name])
    name, settings = VARIANTS.get(optimizer_name, (optimizer_name, {}))
    try:
        optimizer = get_optimizer(name, settings)
        # One BLAS thread, whatever the environment says: a threaded solve or product may sum
        # in another order (xor's Gauss-Newton and natural gradient moved by 1 ulp when
        # OPENBLAS_NUM_THREADS=1 was set), and these histories are compared bit for bit.
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            warnings.simplefilter("ignore")
            result = minimize(objective, optimizer, Budget(steps=STEPS), seed=3)
    except ZerothQError:
        return None
    history = {c: [float(row.get(c, np.nan)) for row in result.history] for c in COLUMNS}
    return {**history, "x": [float(v) for v in result.x]}


def record() -> dict[str, dict]:
    return {
        f"{objective}/{name}": history
        for objective in OBJECTIVES
        for name in [*optimizer_names(), *VARIANTS]
        if (history := run(objective, name)) is not None
    }


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(record(), indent=0, sort_keys=True) + "\n")
