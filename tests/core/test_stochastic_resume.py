"""The new optimizers' states (shot counts, moving averages, blocking loss, last iterates)
survive a checkpoint: a resumed run equals an uninterrupted one."""

import numpy as np
import pytest

from zeroth_q import Budget, Callback, get_optimizer, minimize
from zeroth_q.loop.checkpoint import load_checkpoint, save_checkpoint
from zeroth_q.objectives.testfunctions import Quadratic, QuadraticConfig


def objective():
    return Quadratic(QuadraticConfig(dim=4, condition=10.0, noise=0.5, shots=20, terms=(2.0, 1.0)))


@pytest.mark.parametrize(
    ("name", "params"),
    [("spsa", {"blocking": True, "last_avg": 3, "resamplings": {"4": 2}}), ("rosalin", {"lr": 0.1})],
)
def test_resume_is_bit_for_bit(tmp_path, name, params):
    assert_resume_is_bit_for_bit(tmp_path, get_optimizer(name, **params), objective)


def assert_resume_is_bit_for_bit(tmp_path, optimizer, make):
    """12 steps equal 5 steps, a checkpoint, and 7 more from the loaded checkpoint (on a fresh
    objective from ``make``), history and final point alike."""
    full = minimize(make(), optimizer, Budget(steps=12), seed=3)

    class SaveAtFive(Callback):
        def on_step(self, run):
            if run.step == 5:
                save_checkpoint(tmp_path / "ck.npz", run, problem)

    problem = make()
    minimize(problem, optimizer, Budget(steps=5), seed=3, callbacks=[SaveAtFive()])
    resumed = minimize(
        problem, optimizer, Budget(steps=12), resume=load_checkpoint(tmp_path / "ck.npz", problem, optimizer)
    )
    strip = [{k: v for k, v in r.items() if k != "wall_time"} for r in resumed.history]
    np.testing.assert_equal(strip, [{k: v for k, v in r.items() if k != "wall_time"} for r in full.history])
    np.testing.assert_array_equal(resumed.x, full.x)
