"""The anchors' own implementations as extra rows of the benchmark (issue 30 item 6).

qiskit-algorithms' ``SPSA``, ``QNSPSA``, ``NFT`` and ``COBYLA``, PennyLane's
``RotosolveOptimizer`` and ``ShotAdaptiveOptimizer`` (Rosalin) and pycma's ``fmin2`` run on
*our* objective: the same problem, the same start point per seed (the objective's
``initial_point(default_rng(seed))``, which every run of the harness starts from), N shots
per measurement group and circuit, and the same shot accounting: every call an anchor makes
is one ``evaluate`` of one row (``fidelity`` for QN-SPSA's overlaps), charged what the
objective's cost report says (``objective.cost(1)``: G groups x N shots). Like our loop, a run
reserves the cost of one final evaluation, refuses (:class:`BudgetSpent`, raised inside the
anchor's loop) any call that would not fit with it, and charges it at the end.

Each anchor runs at its own defaults except for the caps on iterations or evaluations
(``maxiter``, ``maxfev``), lifted so that the shot budget ends every run as it ends ours; and
where an anchor has no default, ours is used: pycma's ``sigma0`` is our ``cmaes``' 0.5, and
PennyLane's ``min_shots`` our Rosalin's tuned one (its N).
PennyLane's ``ShotAdaptiveOptimizer`` needs a PennyLane QNode (it differentiates the circuit
itself): it runs on ``default.qubit`` with the same gates and Hamiltonian, and each of its
single-shot estimates of H is charged what one shot of every measured group costs in our
objective (G shots; ``total_shots_used`` counts one per estimate).

The iterate of a run (what a reading at a budget scores) is what the anchor reports after each
iteration: SPSA's and QN-SPSA's new point (their termination checker, which costs nothing),
NFT's and COBYLA's (scipy callback), the distribution mean of CMA-ES (as our ``cmaes``), and
the point after each ``step`` of PennyLane's optimizers. Its exact metrics are recorded at
log-spaced shots (``metrics_per_decade``) and at the end, in a ``history.csv`` that
:func:`analysis.read_history` reads as it reads ours.

A run directory holds ``config.json`` and, once the run ended, ``history.csv`` and
``summary.json`` (each written atomically, the summary last): a run with a summary and the same
config is read back; one killed before its summary runs again from the start.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.optimizer_benchmark.suite import ANCHOR_METHODS, Problem, slug
from zeroth_q.atomic import write_text
from zeroth_q.runs.config import RunConfig
from zeroth_q.sweep.rundirs import library_version


class BudgetSpent(Exception):
    """Raised inside an anchor's loop by a call that would overspend the budget."""


class MeteredObjective:
    """Our objective as the plain ``f(x) -> float`` an anchor calls, with a shot meter.

    Every call is one ``evaluate`` of one row on a fresh draw, charged ``objective.cost(1)``;
    a call that would leave less than one final evaluation's cost in the budget raises
    :class:`BudgetSpent` instead. ``iterate(x)`` records the anchor's current point with the
    shots spent so far (exact metrics, at log-spaced shots)."""

    def __init__(self, objective: Any, budget: int, seed: int, metrics_per_decade: int = 20):
        self.objective = objective
        self.budget = budget
        self.rng = np.random.default_rng([seed, 1])  # the draws; not the start point's stream
        self.reserve = objective.cost(1).shots
        self.spent = 0
        self.calls = 0
        self.metrics_per_decade = metrics_per_decade
        self.records: list[tuple[int, np.ndarray]] = []
        self.latest: tuple[int, np.ndarray] | None = None

    def charge(self, shots: int) -> None:
        """Spend ``shots``, or raise :class:`BudgetSpent` if they do not fit with the reserve."""
        if self.spent + shots + self.reserve > self.budget:
            raise BudgetSpent(f"{shots} more shots do not fit: {self.spent} spent of {self.budget}")
        self.spent += shots
        self.calls += 1

    def __call__(self, x: np.ndarray) -> float:
        self.charge(self.objective.cost(1).shots)
        return float(self.objective.evaluate(np.asarray(x, dtype=float)[None, :], self.rng).values[0])

    def fidelity(self, x: np.ndarray, y: np.ndarray) -> float:
        """QN-SPSA's overlap |<psi(x)|psi(y)>|^2, measured as the objective measures it."""
        self.charge(self.objective.fidelity_cost(1).shots)
        return float(self.objective.fidelity(np.asarray(x), np.asarray(y)[None, :], self.rng).values[0])

    def iterate(self, x: Any) -> None:
        """Record the anchor's current point (the thinning keeps the last one of each
        log-spaced interval of shots)."""
        point = np.array(x, dtype=float)
        if self.records and self.spent >= self._next_record():
            self.records.append((self.spent, point))
            self.latest = None
        elif not self.records:
            self.records.append((self.spent, point))
        else:
            self.latest = (self.spent, point)

    def termination_checker(self, nfev: int, x: np.ndarray, fx: float, step: float, accepted: bool) -> bool:
        """qiskit SPSA's per-iteration hook (no evaluation of its own): records the new point."""
        self.iterate(x)
        return False

    def _next_record(self) -> float:
        last = self.records[-1][0]
        return 10 ** (
            np.floor(np.log10(max(last, 1)) * self.metrics_per_decade + 1) / self.metrics_per_decade
        )

    def kept(self) -> dict[int, np.ndarray]:
        """The recorded iterates by shots spent (of two at the same spent, the later one)."""
        records = self.records + ([self.latest] if self.latest is not None else [])
        return {spent: point for spent, point in records}

    def history(self) -> pd.DataFrame:
        """One row per recorded iterate, in the harness's format: ``shots`` of row k is the
        shots spent to reach row k+1's iterate (the last row's: everything spent, the final
        evaluation included), so that ``shots.shift(1)`` is what reaching each iterate cost."""
        kept = self.kept()
        spents = sorted(kept)
        rows = []
        for k, spent in enumerate(spents):
            shots = spents[k + 1] if k + 1 < len(spents) else self.spent + self.reserve
            rows.append({"step": k, "shots": shots, **self.objective.metrics(kept[spent])})
        return pd.DataFrame(rows)

    def final_point(self) -> np.ndarray:
        kept = self.kept()
        return kept[max(kept)]


@dataclass(frozen=True)
class Anchor:
    """One anchor implementation: ``run(meter, x0, seed, settings)`` drives it on the meter
    until the budget or its own stop. Its method of ours, whose tuned N it runs at, is
    :data:`suite.ANCHOR_METHODS` [label]."""

    label: str
    library: str
    run: Callable[[MeteredObjective, np.ndarray, int, Mapping[str, Any]], None]


def _qiskit_seed(seed: int) -> None:
    from qiskit_algorithms.utils import algorithm_globals

    algorithm_globals.random_seed = seed  # SPSA's perturbations are drawn from it


def run_qiskit_spsa(meter: MeteredObjective, x0: np.ndarray, seed: int, settings: Mapping[str, Any]) -> None:
    """qiskit's ``SPSA()``: its own calibration (50 evaluations), a = calibrated, c = 0.2."""
    from qiskit_algorithms.optimizers import SPSA

    _qiskit_seed(seed)
    SPSA(maxiter=10**9, termination_checker=meter.termination_checker).minimize(meter, x0.copy())


def run_qiskit_qnspsa(
    meter: MeteredObjective, x0: np.ndarray, seed: int, settings: Mapping[str, Any]
) -> None:
    """qiskit's ``QNSPSA(fidelity)``: fidelities measured by our objective (one circuit of N shots)."""
    from qiskit_algorithms.optimizers import QNSPSA

    _qiskit_seed(seed)
    QNSPSA(meter.fidelity, maxiter=10**9, termination_checker=meter.termination_checker).minimize(
        meter, x0.copy()
    )


def run_qiskit_nft(meter: MeteredObjective, x0: np.ndarray, seed: int, settings: Mapping[str, Any]) -> None:
    """qiskit's ``NFT()`` (reset_interval 32), with no cap on evaluations (default 1024)."""
    from qiskit_algorithms.optimizers import NFT

    NFT(maxfev=None, callback=meter.iterate).minimize(meter, x0.copy())


def run_qiskit_cobyla(
    meter: MeteredObjective, x0: np.ndarray, seed: int, settings: Mapping[str, Any]
) -> None:
    """qiskit's ``COBYLA()`` (scipy's, rhobeg 1.0), with no cap on evaluations (default 1000)."""
    from qiskit_algorithms.optimizers import COBYLA

    COBYLA(maxiter=10**9, callback=meter.iterate).minimize(meter, x0.copy())


def run_pycma_fmin2(meter: MeteredObjective, x0: np.ndarray, seed: int, settings: Mapping[str, Any]) -> None:
    """pycma's ``fmin2`` at its defaults (population 4 + 3 ln P, no restarts); sigma0, which
    it has no default for, is our ``cmaes``' 0.5. One point per call (fmin2 evaluates a
    generation point by point; our ``cmaes`` measures it in one batch on common numbers)."""
    import cma

    options = {"seed": seed + 1, "verbose": -9, "verb_log": 0, "verb_disp": 0}
    cma.fmin2(meter, x0.copy(), 0.5, options=options, callback=lambda es: meter.iterate(es.mean))


def run_pennylane_rotosolve(
    meter: MeteredObjective, x0: np.ndarray, seed: int, settings: Mapping[str, Any]
) -> None:
    """PennyLane's ``RotosolveOptimizer()`` (its default brute-force substep where a
    parameter has more than one frequency) on our objective as a plain function, told each
    parameter's frequencies (``objective.frequencies()``, the spectrum of its gates)."""
    import pennylane as qml
    from pennylane import numpy as pnp

    spectra = {"theta": {(i,): [0.0, *f] for i, f in enumerate(meter.objective.frequencies())}}

    def energy(theta: Any) -> float:
        return meter(np.asarray(theta))

    optimizer, theta = qml.RotosolveOptimizer(), pnp.array(x0, requires_grad=True)
    while True:
        theta = optimizer.step(energy, theta, spectra=spectra)
        meter.iterate(theta)


def run_pennylane_rosalin(
    meter: MeteredObjective, x0: np.ndarray, seed: int, settings: Mapping[str, Any]
) -> None:
    """PennyLane's ``ShotAdaptiveOptimizer(min_shots)`` at its defaults (stepsize 0.07, mu 0.99,
    b 1e-6, no term sampling) on a ``default.qubit`` QNode of the same gates and Hamiltonian.
    Before each step its cost is known (2 x the shots per partial derivative, summed); a step
    that does not fit ends the run."""
    import pennylane as qml
    from pennylane import numpy as pnp

    energy = pennylane_energy(meter.objective, settings["config"], settings["min_shots"], seed)
    groups = meter.reserve // meter.objective.shot_model.shots  # G: shots of one estimate of H
    optimizer = qml.ShotAdaptiveOptimizer(min_shots=settings["min_shots"])
    theta = pnp.array(x0, requires_grad=True)
    while True:
        per_parameter = optimizer.s[0] if optimizer.s is not None else np.full(x0.size, optimizer.min_shots)
        meter.charge(int(2 * np.sum(per_parameter)) * groups)
        theta = optimizer.step(energy, theta)
        meter.iterate(theta)


def pennylane_energy(objective: Any, config: Mapping[str, Any], shots: int, seed: int) -> Any:
    """A QNode of the objective's gates measuring its Hamiltonian (less the identity term,
    which PennyLane cannot sample and no gradient sees) with ``shots`` on ``default.qubit``."""
    import pennylane as qml
    from qiskit.quantum_info import SparsePauliOp

    from circuits.ansatze import ansatz_spec
    from circuits.config import VQEConfig
    from circuits.grouping import qubit_wise_groups
    from circuits.pennylane_backend import pennylane_operations
    from circuits.pennylane_circuit import to_pennylane
    from circuits.problems import problem_spec

    vqe = VQEConfig(**{k: v for k, v in config.items() if k != "name"})
    problem_entry, ansatz_entry = problem_spec(vqe.problem), ansatz_spec(vqe.ansatz)
    problem = problem_entry.build(problem_entry.parameters_from(vqe))
    circuit = ansatz_entry.build(problem, ansatz_entry.parameters_from(vqe))
    _, groups = qubit_wise_groups(objective.hamiltonian)
    hamiltonian = to_pennylane(SparsePauliOp.sum([g.observable for g in groups]))

    @qml.set_shots(shots=shots)
    @qml.qnode(qml.device("default.qubit", wires=circuit.num_qubits, seed=seed))
    def energy(theta: Any) -> Any:
        pennylane_operations(circuit.gates, theta)
        return qml.expval(hamiltonian)

    return energy


ANCHORS: dict[str, Anchor] = {
    anchor.label: anchor
    for anchor in (
        Anchor("qiskit SPSA", "qiskit-algorithms", run_qiskit_spsa),
        Anchor("qiskit QNSPSA", "qiskit-algorithms", run_qiskit_qnspsa),
        Anchor("qiskit NFT", "qiskit-algorithms", run_qiskit_nft),
        Anchor("qiskit COBYLA", "qiskit-algorithms", run_qiskit_cobyla),
        Anchor("PennyLane Rotosolve", "pennylane", run_pennylane_rotosolve),
        Anchor("PennyLane Rosalin", "pennylane", run_pennylane_rosalin),
        Anchor("pycma fmin2", "cma", run_pycma_fmin2),
    )
}


def anchor_config(problem: Problem, anchor: Anchor, tuned: Mapping[str, Any], budget: int) -> dict[str, Any]:
    """What a run of ``anchor`` is: the problem's objective at N shots, the budget, and the
    settings taken from ``tuned``, the best settings of its method of ours
    (:data:`suite.ANCHOR_METHODS`)."""
    objective = dict(problem.objective)
    if anchor.label == "PennyLane Rosalin":
        settings = {"min_shots": int(tuned["optimizer.min_shots"])}
        objective["shots"] = settings["min_shots"]  # G x N is what one estimate of H is charged
    else:
        settings = {}
        objective["shots"] = int(tuned["objective.shots"])
    return {
        "anchor": anchor.label,
        "library": anchor.library,
        "library_version": version(anchor.library),
        "ours": ANCHOR_METHODS[anchor.label],
        "objective": objective,
        "settings": settings,
        "budget": {"shots": budget},
    }


def run_anchor(config: Mapping[str, Any], seed: int, directory: str) -> None:
    """One anchor run into ``directory`` (a worker's job): history, then summary, atomically."""
    path = Path(directory)
    anchor = ANCHORS[config["anchor"]]
    objective = RunConfig.from_dict({"objective": config["objective"]}).build_objective()
    meter = MeteredObjective(objective, config["budget"]["shots"], seed)
    x0 = objective.initial_point(np.random.default_rng(seed))  # the harness's start point
    meter.iterate(x0)
    start, stop = time.perf_counter(), "its own stop"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            anchor.run(meter, x0, seed, {**config["settings"], "config": config["objective"]})
        except BudgetSpent:
            stop = "budget"
    final = meter.final_point()
    final_value = float(objective.evaluate(final[None, :], meter.rng).values[0])  # charged: the reserve
    history = meter.history()
    write_text(path / "history.csv", history.to_csv(index=False))
    summary = {
        "status": "completed",
        "stopped_by": stop,
        "calls": meter.calls,
        "shots": meter.spent + meter.reserve,
        "final_loss": final_value,
        "wall_time_s": time.perf_counter() - start,
        "seed": seed,
        **objective.metrics(final),
    }
    write_text(path / "summary.json", json.dumps(summary, indent=2) + "\n")


def run_anchors(
    problem: Problem,
    configs: Mapping[str, Mapping[str, Any]],
    seeds: tuple[int, ...],
    directory: Path,
    executor: Executor,
) -> list[dict[str, Any]]:
    """Every (anchor config, seed) not already finished, through ``executor``; one row per
    run (summary, ``path``, ``problem``, ``method``: the anchor, ``variant``: ``anchor``)."""
    todo, rows = [], []
    for label, config in configs.items():
        key = hashlib.sha1(json.dumps(config, sort_keys=True).encode()).hexdigest()[:10]
        for seed in seeds:
            path = directory / f"{slug(label)}@{key}" / f"seed={seed}"
            if _finished(path, config):
                continue
            path.mkdir(parents=True, exist_ok=True)
            for stale in ("history.csv", "summary.json"):
                (path / stale).unlink(missing_ok=True)
            write_text(path / "config.json", json.dumps(config, indent=2, sort_keys=True) + "\n")
            write_text(path / "version.txt", library_version() + "\n")
            todo.append(executor.submit(run_anchor, config, seed, str(path)))
        rows += [(label, directory / f"{slug(label)}@{key}" / f"seed={seed}") for seed in seeds]
    for future in todo:
        future.result()
    out = []
    for label, path in rows:
        summary = json.loads((path / "summary.json").read_text())
        out.append(
            {**summary, "path": str(path), "problem": problem.label, "method": label, "variant": "anchor"}
        )
    return out


def _finished(path: Path, config: Mapping[str, Any]) -> bool:
    if not (path / "summary.json").is_file() or not (path / "config.json").is_file():
        return False
    same = json.loads((path / "config.json").read_text()) == json.loads(json.dumps(config, sort_keys=True))
    version_file = path / "version.txt"
    return same and version_file.is_file() and version_file.read_text().strip() == library_version()
