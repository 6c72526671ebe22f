"""The learning curve: thinned to a bounded number of points that keep its shape, drawn from
the History's columns (a long run's memory), on axes with round ticks."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from zeroth_q.loop.history import History
from zeroth_q.runs import plotting
from zeroth_q.runs.chart import linear_ticks, log_ticks
from zeroth_q.runs.plotting import CURVE_POINTS, curve_points, plot_curve


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 30_000),
    limit=st.integers(4, 3_000),
    seed=st.integers(0, 2**32 - 1),
    ties=st.booleans(),
)
def test_thinning_keeps_the_ends_and_every_columns_extremes_within_the_limit(count, limit, seed, ties):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, count).astype(float) if ties else rng.standard_normal(count)
    x = np.cumsum(rng.integers(0, 3, count)).astype(float)  # a cumulative cost: steps of 0 happen
    keep = curve_points(x, y, limit)
    assert np.all(np.diff(keep) > 0) and keep[0] == 0 and keep[-1] == count - 1
    assert len(keep) <= max(limit, count if count <= limit else 0)
    assert y[keep].min() == y.min() and y[keep].max() == y.max()
    if count <= limit:
        assert len(keep) == count


def long_history(rows: int, seed: int = 0) -> History:
    rng = np.random.default_rng(seed)
    loss = 2.0 * np.exp(-np.arange(rows) / (rows / 5)) + rng.random(rows)
    history = History()
    for i in range(rows):
        row = {"step": i, "evaluations": 3 * (i + 1), "examples": 50 * (i + 1), "shots": 0}
        row["loss"] = float(loss[i])
        if i % 997 == 0 or i == rows - 1:
            row["test_accuracy"] = 0.9 * i / rows
        history.append({**row, "wall_time": 0.001 * i})
    return history


def test_a_50k_step_curve_is_drawn_from_a_few_thousand_points_with_its_last_and_its_minimum(
    tmp_path, monkeypatch
):
    history = long_history(50_000)
    drawn = []
    monkeypatch.setattr(plotting, "draw_chart", lambda panels, title, path: drawn.extend(panels))
    plot_curve(history, tmp_path / "curve.png", "run", "test_accuracy")
    loss, metric = drawn
    assert len(loss.x) <= CURVE_POINTS and loss.log_x  # 50 to 2.5M examples
    assert (loss.x[-1], loss.y[-1]) == (50 * 50_000, history[-1]["loss"])
    assert loss.y.min() == history.column("loss").min()
    assert len(metric.x) == 52 and metric.y[-1] == history[-1]["test_accuracy"]


def test_the_curve_is_a_png_of_the_figure_size(tmp_path):
    plot_curve(long_history(3_000), tmp_path / "two.png", "run", "test_accuracy")
    plot_curve([], tmp_path / "empty.png", "run", "test_accuracy")
    assert Image.open(tmp_path / "two.png").size == (1210, 440)
    assert Image.open(tmp_path / "empty.png").size == (605, 440)


def traced_peak_of_plotting(history: History, path) -> int:
    tracemalloc.start()
    try:
        plot_curve(history, path, "run", "test_accuracy")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_drawing_a_long_runs_curve_costs_less_memory_per_step_than_its_history_holds(tmp_path):
    """Drawn row by row the curve needed about 100 B per step at its end, twice what the History
    holds (48 B: six numeric columns), 34 MB at 50,000 steps (issue 28, cause 9); from the
    columns it needs a few of them at a time (42 B)."""
    short, long = long_history(20_000), long_history(120_000)
    traced_peak_of_plotting(short, tmp_path / "warm.png")  # imports and fonts, once
    growth = traced_peak_of_plotting(long, tmp_path / "long.png") - traced_peak_of_plotting(
        short, tmp_path / "short.png"
    )
    assert growth / 100_000 < 48


@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (0.23, 2.71), (-3.0, 7e6), (1e-4, 3e-4), (5.0, 5.0)])
def test_linear_ticks_are_round_and_inside_the_range(low, high):
    ticks = linear_ticks(low, high)
    assert 1 <= len(ticks) <= 8 and ticks.min() >= low - 1e-12 and ticks.max() <= high + 1e-12
    if len(ticks) > 1:
        step = ticks[1] - ticks[0]
        mantissa = step / 10 ** np.floor(np.log10(step))
        assert np.isclose(mantissa, [1, 2, 2.5, 5]).any() and np.allclose(np.diff(ticks), step)


def test_log_ticks_are_powers_of_ten_at_most_eight_even_over_hundreds_of_decades():
    major, labels, minor = log_ticks(1.7, 4.2)
    assert major.tolist() == [100, 1000, 10000] and labels == ["10²", "10³", "10⁴"]
    expected = [m * 10**d for d in (1, 2, 3, 4) for m in range(2, 10) if 10**1.7 <= m * 10**d <= 10**4.2]
    assert np.allclose(minor, expected) and len(expected) == 4 + 8 + 8
    major, labels, minor = log_ticks(-0.3, 305.0)
    assert 2 <= len(major) <= 8 and np.isfinite(major).all() and not minor.size
