"""The comparison plot from a results table, without running anything."""

import itertools

import pytest

from zeroth_q.errors import ConfigError
from zeroth_q.sweep.comparison import plot_comparison


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
