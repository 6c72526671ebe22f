"""The anchors' adapter (benchmarks/optimizer_benchmark/anchors.py): each anchor, on the real Aer
objective, is charged exactly what its own calls cost by the objective's cost report, is stopped
by the budget with one final evaluation reserved, starts from the harness's start point, and
writes a history the analysis reads."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is at the repository's root

from benchmarks.optimizer_benchmark.analysis import read_history  # noqa: E402
from benchmarks.optimizer_benchmark.anchors import (  # noqa: E402
    ANCHORS,
    BudgetSpent,
    MeteredObjective,
    anchor_config,
    pennylane_energy,
    run_anchor,
)
from benchmarks.optimizer_benchmark.suite import PROBLEMS  # noqa: E402
from zeroth_q.runs.config import RunConfig  # noqa: E402

N = 50
H2 = {**PROBLEMS["H2"].objective, "shots": N}


class Reported:
    """The objective, with the sum of the shots its own cost reports gave for every call."""

    def __init__(self, objective: Any):
        self.inner, self.shots, self.calls = objective, 0, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _count(self, evaluation: Any) -> Any:
        self.shots += evaluation.cost.shots
        self.calls += 1
        return evaluation

    def evaluate(self, thetas: np.ndarray, rng: np.random.Generator) -> Any:
        return self._count(self.inner.evaluate(thetas, rng))

    def fidelity(self, theta: np.ndarray, others: np.ndarray, rng: np.random.Generator) -> Any:
        return self._count(self.inner.fidelity(theta, others, rng))


@pytest.mark.parametrize("label", [a for a in ANCHORS if a != "PennyLane Rosalin"])
def test_an_anchor_is_charged_what_its_calls_cost_and_stopped_by_the_budget(label: str) -> None:
    objective = Reported(RunConfig.from_dict({"objective": H2}).build_objective())
    budget = 150 * objective.cost(1).shots  # 150 evaluations: QN-SPSA's calibration and a few steps
    meter = MeteredObjective(objective, budget, seed=3)
    x0 = objective.initial_point(np.random.default_rng(3))
    meter.iterate(x0)
    try:
        ANCHORS[label].run(meter, x0, 3, {})
        refused = False
    except BudgetSpent:
        refused = True
    assert refused or label == "qiskit COBYLA"  # COBYLA's trust region shrinks below its tolerance first
    assert meter.spent == objective.shots and meter.calls == objective.calls > 0
    # Every call made fit with the final evaluation; the refused one did not.
    assert meter.spent + meter.reserve <= budget
    largest = max(objective.cost(1).shots, objective.fidelity_cost(1).shots)
    assert not refused or budget < meter.spent + meter.reserve + largest
    history = meter.history()
    assert history["energy"].iloc[0] == pytest.approx(objective.metrics(x0)["energy"])
    assert (np.diff(history["shots"]) > 0).all() and history["shots"].iloc[-1] == meter.spent + meter.reserve
    assert len(history) >= 3  # the anchor moved and its iterates were recorded


@pytest.mark.slow  # 10-15 s: PennyLane's Rosalin takes 0.4-1.5 s a step on this circuit
def test_pennylanes_rosalin_is_charged_its_shots_times_the_groups() -> None:
    """ShotAdaptiveOptimizer runs its own circuits: each single-shot estimate of H is charged
    what one shot of each of our G measured groups costs, checked against its own count."""
    import pennylane as qml

    objective = RunConfig.from_dict({"objective": {**H2, "shots": 10}}).build_objective()
    groups = len(objective.shot_model.groups)
    meter = MeteredObjective(objective, budget=450 + objective.cost(1).shots, seed=0)
    x0 = objective.initial_point(np.random.default_rng(0))
    used: list[int] = []
    original = qml.ShotAdaptiveOptimizer.step

    def step(self: Any, *args: Any, **kwargs: Any) -> Any:
        out = original(self, *args, **kwargs)
        used.append(self.total_shots_used)
        return out

    qml.ShotAdaptiveOptimizer.step = step
    try:
        with pytest.raises(BudgetSpent):
            ANCHORS["PennyLane Rosalin"].run(meter, x0, 0, {"min_shots": 10, "config": H2})
    finally:
        qml.ShotAdaptiveOptimizer.step = original
    assert used and meter.spent == used[-1] * groups <= 450


def test_the_pennylane_circuit_is_our_circuit() -> None:
    """Same gates, wires and Hamiltonian (less its constant) as our Aer objective, at exact expectations."""
    import pennylane as qml

    objective = RunConfig.from_dict({"objective": H2}).build_objective()
    energy = qml.set_shots(pennylane_energy(objective, H2, 10, 0), shots=None)
    for seed in range(3):
        x = np.random.default_rng(seed).uniform(-np.pi, np.pi, objective.dim)
        assert float(energy(x)) + objective.shot_model.offset == pytest.approx(objective.metrics(x)["energy"])


def test_an_anchor_run_directory_reads_as_a_run_of_ours(tmp_path: Path) -> None:
    problem = PROBLEMS["H2"]
    config = anchor_config(problem, ANCHORS["qiskit SPSA"], {"objective.shots": N}, 20_000)
    run_anchor(config, 5, str(tmp_path))
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["stopped_by"] == "budget" and summary["shots"] <= 20_000
    history = read_history(tmp_path, lambda h: h["energy_error"])
    assert history["spent"].iloc[0] == 0 and history["spent"].is_monotonic_increasing
    assert history["score"].iloc[-1] == pytest.approx(summary["energy_error"])
