"""A run's history held compactly (issue 28 §9): the same rows back, in far less memory."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zeroth_q import Budget, build_objective, minimize
from zeroth_q.loop import history as history_module
from zeroth_q.loop.history import History


def run_rows(count: int, seed: int) -> list[dict]:
    """Rows shaped like a run's: costs as ints, loss and wall time as floats, a metric on
    some rows, NaN losses, and now and then a cost beyond 64 bits or a user's own value."""
    rng = np.random.default_rng(seed)
    rows = []
    for step in range(count):
        row = {"step": step, "evaluations": 2 * step, "circuits": 0, "shots": int(rng.integers(0, 10**6))}
        row["examples"] = 2**70 + step if rng.random() < 0.01 else 50 * step
        row["loss"] = float("nan") if rng.random() < 0.05 else float(rng.standard_normal())
        if rng.random() < 0.1:
            row["exact_loss"] = float(rng.random())
        if rng.random() < 0.01:
            row["note"] = "user value"
        row["wall_time"] = float(step) * 1e-3
        rows.append(row)
    return rows


def same(a: dict, b: dict) -> bool:
    """Equal keys, types and values (NaN equal to NaN)."""
    return a.keys() == b.keys() and all(
        type(a[k]) is type(b[k]) and (a[k] == b[k] or (a[k] != a[k] and b[k] != b[k])) for k in a
    )


@settings(max_examples=30, deadline=None)
@given(count=st.integers(0, 40), block=st.integers(1, 7), seed=st.integers(0, 2**32 - 1))
def test_a_history_gives_back_the_rows_it_was_given(count, block, seed):
    rows = run_rows(count, seed)
    original, history_module.BLOCK = history_module.BLOCK, block
    try:
        history = History(rows)
        assert len(history) == count
        assert all(same(a, b) for a, b in zip(history, rows, strict=True))
        assert all(same(history[i], rows[i]) and same(history[i - count], rows[i]) for i in range(count))
        assert all(same(a, b) for a, b in zip(history[2:-1], rows[2:-1], strict=True))
        losses = np.array([row["loss"] for row in rows])
        np.testing.assert_array_equal(history.column("loss"), losses)
        with pytest.raises(IndexError):
            history[count]
    finally:
        history_module.BLOCK = original


def test_a_history_keeps_its_key_order_with_wall_time_last():
    rows = run_rows(3000, 1)
    assert all(list(a) == list(b) for a, b in zip(History(rows), rows, strict=True))


def typical_rows(count: int):
    """A run's rows made one at a time, as the loop makes them: fresh numbers in every row."""
    for step in range(count):
        yield {
            "step": step,
            "evaluations": 2 * step + 1000,
            "circuits": 0,
            "shots": 0,
            "examples": 0,
            "loss": 1.0 / (step + 1),
            **({"exact_loss": 0.5 / (step + 1)} if step % 10 == 0 else {}),
            "wall_time": step * 1e-3,
        }


def retained_bytes(build) -> int:
    tracemalloc.start()
    kept = build()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(kept) == 20_000
    return size


def test_a_history_holds_a_row_in_under_a_fifth_of_a_list_of_dicts():
    as_list = retained_bytes(lambda: list(typical_rows(20_000)))
    as_history = retained_bytes(lambda: History(typical_rows(20_000)))
    assert as_history < as_list / 5, (as_history / 20_000, as_list / 20_000)


def test_a_run_returns_its_history_as_a_table_pandas_reads():
    pandas = pytest.importorskip("pandas")
    result = minimize(build_objective("quadratic", {"dim": 3}), "zo-sgd", Budget(steps=1500))
    assert isinstance(result.history, History) and len(result.history) == 1501
    frame = pandas.DataFrame(result.history)
    expected = pandas.DataFrame(list(result.history))
    pandas.testing.assert_frame_equal(frame, expected)
    assert frame["step"].iloc[-2] == 1499 and result.history[-1]["loss"] == result.fun
