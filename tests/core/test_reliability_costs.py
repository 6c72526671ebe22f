"""Costs that must never be wrong (issue 28 §0): exact cost arithmetic, a resumed run's budget
below what it already spent, an objective that charges more than its own cost model states."""

import numpy as np
import pytest

import zeroth_q
from zeroth_q.errors import ConfigError, ZerothQError
from zeroth_q.loop.budget import Budget
from zeroth_q.objective import MAX_SHOTS, Cost, Evaluation, shots_cost

from .test_reliability_cli import assert_one_line_error, interrupted_run, main_in_process


def test_cost_sums_of_numpy_integers_are_exact_python_integers():
    half = np.int64(2**62)
    total = Cost(shots=half) + Cost(shots=half)
    assert total.shots == 2**63 and type(total.shots) is int
    assert (Cost(evaluations=np.int64(2**62)) * 4).evaluations == 2**64


def test_shot_costs_sum_exactly_beyond_64_bits():
    counts = np.full((2048, 1), MAX_SHOTS, dtype=np.int64)  # their int64 sum wraps to 0
    assert shots_cost(counts) == Cost(evaluations=2048, circuits=2048, shots=2048 * MAX_SHOTS)


def test_shot_counts_no_simulator_can_take_are_refused_naming_the_limit():
    with pytest.raises(ConfigError, match=r"at most 9,007,199,254,740,992 shots"):
        shots_cost(np.full((1, 2), 2**62, dtype=np.int64))


def test_a_resumed_run_may_not_get_a_cost_budget_below_what_it_spent(tmp_path):
    interrupted_run(tmp_path / "run", steps=40, stop=20)
    before = (tmp_path / "run" / "config.json").read_text()
    proc = main_in_process("--resume", str(tmp_path / "run"), "--budget-evaluations", "10")
    assert_one_line_error(proc, "already spent", "evaluations", "--budget-evaluations")
    assert (tmp_path / "run" / "config.json").read_text() == before  # the refused budget is not kept


class Overcharging:
    """A user's objective whose ``evaluate`` charges ``factor`` times what ``cost`` states
    (only on one-row calls with ``single_only``: the final evaluation)."""

    dim = 3

    def __init__(self, factor: int, single_only: bool = False) -> None:
        self.factor, self.single_only = factor, single_only

    def initial_point(self, rng):
        return np.ones(self.dim)

    def cost(self, rows):
        return Cost(evaluations=rows)

    def evaluate(self, thetas, rng):
        factor = self.factor if (len(thetas) == 1 or not self.single_only) else 1
        return Evaluation(np.sum(thetas**2, axis=1), Cost(evaluations=factor * len(thetas)))


@pytest.mark.parametrize("single_only", [False, True], ids=["every-evaluation", "final-evaluation"])
def test_an_objective_charging_more_than_its_cost_model_is_stopped_naming_it(single_only):
    with pytest.raises(
        ZerothQError,
        match=r"Overcharging\.evaluate charged \d+ evaluations for (\d+) rows, more than its cost\(\1\)",
    ):
        zeroth_q.minimize(Overcharging(3, single_only), "spsa", Budget(evaluations=500))


class GenerousFinish:
    """The catalogue's spsa with a ``finish`` that spends more than its ``finish_cost`` states."""

    def __init__(self) -> None:
        self.inner = zeroth_q.get_optimizer("spsa")
        self.name = "generous"

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def step(self, objective, x, state, step, rng, allowance=None):
        return self.inner.step(objective, x, state, step, rng, allowance=allowance)

    def finish_cost(self, objective):
        return objective.cost(1)

    def finish(self, objective, x, state, rng):
        return x, objective.evaluate(np.stack([x, x]), rng)


def test_a_final_evaluation_beyond_its_stated_cost_is_refused():
    objective = zeroth_q.build_objective("quadratic", {"dim": 3})
    with pytest.raises(
        ZerothQError, match=r"final evaluation of generous charged 2 evaluations, more than the 1 stated"
    ):
        zeroth_q.minimize(objective, GenerousFinish(), Budget(evaluations=500))
