"""What the benchmark runs: problems with targets, methods with search spaces, and sizes.

Scores are "lower is better" and zero at the optimum, so that one target rule serves every
problem: the energy error in Hartree for molecules (target chemical accuracy, 1.6 mHa), the
relative energy error :math:`|E - E_0| / |E_0|` for the lattice models (targets 1 % and 0.1 %),
and for MaxCut one minus the approximation ratio over the best that exact optimisation of the
same p = 2 QAOA finds (target 0.05: 95 % of that best value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CHEMICAL_ACCURACY = 1.6e-3  # Hartree


@dataclass(frozen=True)
class Problem:
    """One problem of the suite.

    objective: the ``vqe`` objective's config (less ``shots``, which methods set).
    score: ``absolute`` (energy error), ``relative`` (energy error / |E_0|) or ``ratio`` (MaxCut:
        1 - approximation ratio / the best p = 2 ratio of :func:`harness.maxcut_best_ratio`).
    targets: thresholds on the score; a run "solves" (problem, target) once its score is below.
    budget: the evaluation runs' shot budget (each run is read at the budgets below it).
    """

    label: str
    objective: dict[str, Any]
    score: str
    targets: tuple[float, ...]
    budget: int


@dataclass(frozen=True)
class Method:
    """One optimizer as the benchmark runs it.

    optimizer: its config at the library's defaults (the ``default`` variant).
    space: grid path -> (kind, low, high), the Optuna search space of the ``tuned`` variant;
        kind ``log`` (float, log-uniform) or ``int-log`` (integer, log-uniform). Every method
        that measures at a fixed number of shots per evaluation has ``objective.shots`` in it.
    """

    label: str
    optimizer: dict[str, Any]
    space: dict[str, tuple[str, float, float]] = field(default_factory=dict)


def vqe(**fields: Any) -> dict[str, Any]:
    return {"name": "vqe", "shot_model": "sampled", **fields}


PROBLEMS: dict[str, Problem] = {
    "H2": Problem("H2", vqe(problem="h2", ansatz="uccsd", qubits=4), "absolute", (CHEMICAL_ACCURACY,), 10**7),
    "LiH": Problem(
        "LiH",
        vqe(problem="molecule", molecule="LiH", ansatz="uccsd", qubits=6),
        "absolute",
        (CHEMICAL_ACCURACY,),
        10**7,
    ),
    "TFIM n=8": Problem(
        "TFIM n=8", vqe(problem="tfim", ansatz="hva", qubits=8, reps=4), "relative", (1e-2, 1e-3), 10**7
    ),
    "Fermi-Hubbard 2x2": Problem(
        "Fermi-Hubbard 2x2",
        vqe(problem="fermi-hubbard", rows=2, cols=2, ansatz="hva", qubits=8, reps=2),
        "relative",
        (1e-2, 1e-3),
        10**7,
    ),
    "MaxCut n=10": Problem(
        "MaxCut n=10",
        vqe(problem="maxcut", nodes=10, degree=3, ansatz="qaoa", qubits=10, reps=2),
        "ratio",
        (0.05,),
        10**7,
    ),
    "H2 noisy": Problem(
        "H2 noisy",
        vqe(problem="h2", ansatz="uccsd", qubits=4, noise="fake_manila"),
        "absolute",
        (CHEMICAL_ACCURACY,),
        10**7,
    ),
}

SHOTS = ("int-log", 10, 10_000)  # N, the shots per group and circuit of a fixed-shot method

METHODS: dict[str, Method] = {
    "SPSA": Method(
        "SPSA",
        {"name": "spsa"},
        {"optimizer.c": ("log", 0.01, 0.5), "optimizer.target_step": ("log", 0.01, 1.0)},
    ),
    "SPSA+blocking": Method(
        "SPSA+blocking",
        {"name": "spsa", "blocking": True},
        {"optimizer.c": ("log", 0.01, 0.5), "optimizer.target_step": ("log", 0.01, 1.0)},
    ),
    "2-SPSA": Method("2-SPSA", {"name": "2spsa"}, {"optimizer.c": ("log", 0.01, 0.5)}),
    "QN-SPSA": Method(
        "QN-SPSA",
        {"name": "qnspsa"},
        {"optimizer.c": ("log", 0.01, 0.5), "optimizer.target_step": ("log", 0.01, 1.0)},
    ),
    "ZO-Adam": Method(
        "ZO-Adam",
        {"name": "zo-adam"},
        {"optimizer.c": ("log", 0.01, 0.5), "optimizer.lr": ("log", 1e-3, 0.5)},
    ),
    "PS-SGD": Method("PS-SGD", {"name": "parameter-shift-sgd"}, {"optimizer.lr": ("log", 1e-3, 1.0)}),
    "PS-Adam": Method("PS-Adam", {"name": "parameter-shift-adam"}, {"optimizer.lr": ("log", 1e-3, 0.5)}),
    "iCANS": Method(
        "iCANS",
        {"name": "icans"},
        {"optimizer.lr": ("log", 0.005, 1.0), "optimizer.min_shots": ("int-log", 2, 200)},
    ),
    "Rosalin": Method(
        "Rosalin",
        {"name": "rosalin"},
        {"optimizer.lr": ("log", 0.005, 1.0), "optimizer.min_shots": ("int-log", 2, 200)},
    ),
    "gCANS": Method(
        "gCANS",
        {"name": "gcans"},
        {"optimizer.lr": ("log", 0.005, 1.0), "optimizer.min_shots": ("int-log", 2, 200)},
    ),
    "Rotosolve": Method("Rotosolve", {"name": "rotosolve"}),
    "NFT": Method("NFT", {"name": "nft"}, {"optimizer.reset_interval": ("int-log", 4, 128)}),
    "CMA-ES": Method(
        "CMA-ES",
        {"name": "cmaes"},
        {"optimizer.sigma0": ("log", 0.02, 2.0), "optimizer.popsize": ("int-log", 4, 32)},
    ),
    "COBYLA": Method("COBYLA", {"name": "cobyla"}),
    "Nelder-Mead": Method("Nelder-Mead", {"name": "nelder-mead"}),
    "Powell": Method("Powell", {"name": "powell"}),
}
SHOT_ADAPTIVE = ("iCANS", "Rosalin", "gCANS")  # they choose their own shots: N is not theirs to tune

# The anchors' own implementations (:mod:`.anchors`), each with the method of ours whose tuned N
# (or, for the shot-adaptive one, whose tuned min_shots) it runs at: the same method where we
# have it, else the nearest (QN-SPSA: SPSA; Rotosolve: NFT, both sequential; COBYLA: CMA-ES,
# both derivative-free on values).
ANCHOR_METHODS: dict[str, str] = {
    "qiskit SPSA": "SPSA",
    "qiskit QNSPSA": "SPSA",
    "qiskit NFT": "NFT",
    "qiskit COBYLA": "CMA-ES",
    "PennyLane Rotosolve": "NFT",
    "PennyLane Rosalin": "Rosalin",
    "pycma fmin2": "CMA-ES",
}


def search_space(
    method: Method, shots: tuple[str, float, float] = SHOTS
) -> dict[str, tuple[str, float, float]]:
    """The method's own space, plus N for every fixed-shot method."""
    if method.label in SHOT_ADAPTIVE:
        return dict(method.space)
    return {**method.space, "objective.shots": shots}


@dataclass(frozen=True)
class Size:
    """How much of the benchmark to run.

    budgets: the shot budgets each evaluation run is read at (runs go to their problem's
        budget, capped at ``max(budgets)``).
    tuning_budget: the shot budget of every tuning run; tuning_trials: Optuna trials per
        (problem, method); tuning_seeds / evaluation_seeds: disjoint seed lists.
    variants: ``tuned`` and/or ``default`` (every setting at the library's default, N = 1000).
    shots: the range N is tuned over.
    anchors: the anchors' own implementations to run as extra rows (:data:`ANCHOR_METHODS`), each at
        the tuned N of its method of ours, which must be among ``methods`` (and ``tuned`` run).
    """

    problems: tuple[str, ...]
    methods: tuple[str, ...]
    budgets: tuple[int, ...]
    tuning_trials: int
    tuning_budget: int
    tuning_seeds: tuple[int, ...]
    evaluation_seeds: tuple[int, ...]
    variants: tuple[str, ...] = ("tuned", "default")
    shots: tuple[str, float, float] = SHOTS
    problem_overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    anchors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = (
            [p for p in self.problems if p not in PROBLEMS]
            + [m for m in self.methods if m not in METHODS]
            + [a for a in self.anchors if a not in ANCHOR_METHODS]
        )
        if unknown:
            raise ValueError(
                f"unknown problems, methods or anchors {unknown}; "
                f"known: {[*PROBLEMS, *METHODS, *ANCHOR_METHODS]}."
            )
        unmatched = [
            a for a in self.anchors if ANCHOR_METHODS[a] not in self.methods or "tuned" not in self.variants
        ]
        if unmatched:
            raise ValueError(
                f"anchors {unmatched} run at the tuned N of {[ANCHOR_METHODS[a] for a in unmatched]}: "
                f"add those methods and the 'tuned' variant to the size, or leave the anchors out."
            )
        if set(self.tuning_seeds) & set(self.evaluation_seeds):
            raise ValueError(
                "tuning and evaluation seeds must be disjoint (tuning must not see the test starts)."
            )

    def problem(self, label: str) -> Problem:
        base = PROBLEMS[label]
        override = dict(self.problem_overrides.get(label, {}))
        return Problem(
            label,
            {**base.objective, **override},
            base.score,
            base.targets,
            min(base.budget, max(self.budgets)),
        )


EVALUATION_SEEDS = tuple(range(20))
TUNING_SEEDS = (1000, 1001)

SIZES: dict[str, Size] = {
    # The benchmark: every problem and method, 24 trials at 10^6 shots, 20 seeds to 10^7.
    "full": Size(
        problems=tuple(PROBLEMS),
        methods=tuple(METHODS),
        budgets=(10**5, 10**6, 10**7),
        tuning_trials=24,
        tuning_budget=10**6,
        tuning_seeds=TUNING_SEEDS,
        evaluation_seeds=EVALUATION_SEEDS,
    ),
    # What the committed notebook ran in its compute allowance (cell 0 says what was cut).
    "executed": Size(
        problems=("H2", "TFIM n=8", "MaxCut n=10"),
        methods=("SPSA", "PS-Adam", "Rosalin", "NFT", "CMA-ES"),
        budgets=(10**5, 10**6),
        tuning_trials=8,
        tuning_budget=2 * 10**5,
        tuning_seeds=TUNING_SEEDS,
        evaluation_seeds=EVALUATION_SEEDS,
        shots=("int-log", 100, 10_000),
        # PennyLane's Rosalin is left out: 0.4-0.55 s per step of its own circuits here, ~2 h per run.
        anchors=tuple(a for a in ANCHOR_METHODS if a != "PennyLane Rosalin"),
    ),
    # CI: minutes, every stage on small instances.
    "smoke": Size(
        problems=("H2", "TFIM n=8", "MaxCut n=10"),
        methods=("SPSA", "CMA-ES"),
        budgets=(3 * 10**4, 3 * 10**5),  # 3e5: SPSA's first step at its defaults costs 2.6e5 on H2
        tuning_trials=2,
        tuning_budget=3 * 10**4,
        tuning_seeds=(1000,),
        evaluation_seeds=(0, 1, 2),
        shots=("int-log", 50, 200),
        problem_overrides={"TFIM n=8": {"qubits": 4, "reps": 2}, "MaxCut n=10": {"nodes": 6, "qubits": 6}},
        anchors=("qiskit SPSA", "pycma fmin2"),
    ),
}


def slug(label: str) -> str:
    """A label as a directory name."""
    return "".join(c if c.isalnum() or c in "-." else "_" for c in label)
