"""The comparison plot from a results table, without running anything."""

import itertools

import numpy as np
import pytest

from zeroth_q.errors import ConfigError
from zeroth_q.sweep.comparison import comparison_figure, plot_comparison
from zeroth_q.sweep.cost_curves import cost_curves_figure


def rows():
    """lr × optimizer × shots × seed, the metric growing with lr; one failed run."""
    out = []
    grid = itertools.product([0.001, 0.01, 0.1], ["spsa", "zo-adam"], [10, 100], [0, 1])
    for lr, name, shots, seed in grid:
        out.append(
            {"optimizer.lr": lr, "optimizer.name": name, "objective.shots": shots, "seed": seed}
            | {"status": "completed", "energy_error": lr * (seed + 1) / shots}
        )
    out[0] = {**out[0], "status": "failed", "energy_error": None}
    return out


def test_one_panel_per_further_axis_one_line_per_second_axis(tmp_path):
    path = tmp_path / "comparison.png"
    keys = ["optimizer.lr", "optimizer.name", "objective.shots"]
    assert plot_comparison(rows(), keys, "energy_error", path, "demo")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_an_unknown_metric_names_the_recorded_ones_and_no_completed_run_plots_nothing(tmp_path):
    with pytest.raises(ConfigError, match="Did you mean 'energy_error'"):
        plot_comparison(rows(), ["optimizer.lr"], "energy_eror", tmp_path / "c.png", "demo")
    failed = [{**row, "status": "failed"} for row in rows()]
    assert not plot_comparison(failed, ["optimizer.lr"], "energy_error", tmp_path / "c.png", "demo")
    assert not (tmp_path / "c.png").exists()


def seeds_rows(name_values):
    """Completed runs of optimizer.name × seed with the given metric values per name."""
    return [
        {
            "run": f"{name},{seed}",
            "optimizer.name": name,
            "seed": seed,
            "status": "completed",
            "energy_error": v,
        }
        for name, values in name_values.items()
        for seed, v in enumerate(values)
    ]


def test_categories_are_points_with_their_interquartile_range_and_nothing_joins_them():
    values = {"spsa": [1.0, 2.0, 3.0, 4.0, 100.0], "zo-adam": [5.0, 6.0, 7.0, 8.0, 9.0]}
    fig = comparison_figure(seeds_rows(values), ["optimizer.name"], "energy_error", "demo")
    (ax,) = fig.axes
    assert all(line.get_linestyle() == "None" for line in ax.get_lines())  # no Line2D joins categories
    (data_line,) = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert list(data_line.get_xdata()) == [0, 1] and list(data_line.get_ydata()) == [3.0, 7.0]  # medians
    (bars,) = ax.collections
    # the intervals span the seeds' quartiles: the diverging seed (100) moves neither
    assert [tuple(seg[:, 1]) for seg in bars.get_segments()] == [(2.0, 4.0), (6.0, 8.0)]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["spsa", "zo-adam"]


def test_series_within_a_category_stand_side_by_side_and_a_numeric_axis_is_a_line():
    rows_ = [
        {**row, "optimizer.lr": lr} for row in seeds_rows({"a": [1, 2], "b": [3, 4]}) for lr in (0.1, 1.0)
    ]
    fig = comparison_figure(rows_, ["optimizer.name", "optimizer.lr"], "energy_error", "demo")
    xs = [list(line.get_xdata()) for line in fig.axes[0].get_lines() if line.get_marker() == "o"]
    assert xs == [[-0.25, 0.75], [0.25, 1.25]]  # dodged by series, never on one another
    fig = comparison_figure(rows_, ["optimizer.lr", "optimizer.name"], "energy_error", "demo")
    joined = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == "-"]
    assert [list(line.get_xdata()) for line in joined] == [[0.1, 1.0], [0.1, 1.0]]


def history(costs, values, unit="shots"):
    return [{unit: c, "loss": 0.0, "energy_error": v} for c, v in zip(costs, values, strict=True)]


def test_cost_curves_carry_each_seed_forward_and_band_its_quartiles():
    rows_ = seeds_rows({"spsa": [0, 0, 0, 0], "zo-adam": [0, 0, 0, 0]})
    histories = {
        # seed s of spsa holds 10 + s until 1,000 shots, then 1 + s; records at 10, 1,000, 10,000 shots
        f"spsa,{s}": history([10 + s, 1_000, 10_000], [10.0 + s, 1.0 + s, 1.0 + s])
        for s in range(4)
    } | {f"zo-adam,{s}": history([20, 5_000], [8.0 - s, float("nan")]) for s in range(4)}
    fig = cost_curves_figure(rows_, histories, ["optimizer.name"], "energy_error", "demo")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "cumulative shots" and ax.get_xscale() == "log"
    spsa, adam = ax.get_lines()
    assert spsa.get_label() == "optimizer.name=spsa (4 seeds)"
    costs, median = spsa.get_xdata(), spsa.get_ydata()
    assert costs[0] == 13 and costs[-1] == 10_000  # every seed has a record from 13 shots on
    assert median[0] == 11.5 and median[-1] == 2.5
    band = ax.collections[0].get_paths()[0].vertices
    at_end = band[np.isclose(band[:, 0], 10_000), 1]
    assert sorted(set(at_end)) == pytest.approx([1.75, 3.25])  # quartiles of 1, 2, 3, 4
    assert list(adam.get_xdata()) == [20.0] and list(adam.get_ydata()) == [6.5]  # NaN records skipped


def test_cost_curves_use_examples_or_evaluations_when_no_shots_are_spent():
    rows_ = seeds_rows({"sgd": [0, 0]})
    histories = {f"sgd,{s}": history([100, 200], [0.5, 0.9], unit="examples") for s in range(2)}
    fig = cost_curves_figure(rows_, histories, ["optimizer.name"], "energy_error", "demo")
    assert fig.axes[0].get_xlabel() == "cumulative examples"
    assert cost_curves_figure(rows_, {}, ["optimizer.name"], "energy_error", "demo") is None
