"""Grid files: expansion into named runs, and every kind of mistake caught before a run starts."""

import json

import pytest

from zeroth_q.errors import ConfigError
from zeroth_q.sweep import Grid, read_grid, run_sweep

BASE = {"objective": {"name": "quadratic", "dim": 4}, "budget": {"steps": 5}}


def test_axes_and_zip_groups_expand_into_a_product_of_named_runs():
    grid = Grid.from_dict(
        {
            "base": BASE,
            "axes": {"optimizer.name": ["zo-sgd", "zo-adam"], "seed": [0, 1, 2]},
            "zip": [{"optimizer.lr": [0.1, 0.01], "optimizer.perturbations": [1, 5]}],
        }
    )
    members = grid.members()
    assert len(members) == 2 * 3 * 2
    first = members[0]
    assert first.name == "optimizer.name=zo-sgd,seed=0,optimizer.lr=0.1,optimizer.perturbations=1"
    assert first.values == {
        "optimizer.name": "zo-sgd",
        "seed": 0,
        "optimizer.lr": 0.1,
        "optimizer.perturbations": 1,
    }
    assert first.config.seed == 0 and first.config.objective.dim == 4
    assert first.config.optimizer.update.lr == 0.1
    assert first.config.optimizer.estimator.perturbations == 1
    zipped = {(m.config.optimizer.update.lr, m.config.optimizer.estimator.perturbations) for m in members}
    assert zipped == {(0.1, 1), (0.01, 5)}
    assert len({m.name for m in members}) == len(members)


def test_nested_paths_budget_and_objective_keys_reach_their_section():
    grid = Grid.from_dict(
        {
            "base": BASE,
            "axes": {"objective.shots": [10, 100], "budget.shots": [1000], "optimizer.estimator.c": [0.2]},
        }
    )
    member = grid.members()[1]
    assert member.config.objective.shots == 100
    assert member.config.budget.shots == 1000 and member.config.budget.steps == 5
    assert member.config.optimizer.estimator.c == 0.2


def test_names_stay_one_short_path_component():
    grid = Grid.from_dict(
        {"base": BASE, "axes": {"objective.name": ["quadratic"], "optimizer.name": ["zo-sgd/x"]}}
    )
    assert "/" not in Grid.from_dict({"base": BASE, "axes": {"seed": [1]}}).members()[0].name
    with pytest.raises(ConfigError, match="zo-sgd/x"):
        grid.members()  # the unknown optimizer is reported with the run's name, sanitized
    long = Grid.from_dict(
        {"base": BASE, "axes": {"optimizer.name": ["zo-sgd"], "objective.dim": list(range(2, 4))}}
    )
    assert all(len(m.name) <= 120 for m in long.members())


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (
            {"base": BASE, "axes": {"seed": [0]}, "axis": {}},
            "unknown key 'axis' in grid. Did you mean 'axes'",
        ),
        ({"base": BASE, "axes": {"seed": []}}, "grid axis 'seed' is empty"),
        ({"base": BASE, "axes": {"seed": 3}}, "grid axis 'seed' must be a list"),
        (
            {"base": BASE, "axes": {"seed": ["zero"]}},
            "grid run seed=zero: run config: seed must be an integer",
        ),
        (
            {"base": BASE, "axes": {"optimizer.lrr": [0.1]}},
            r"grid run optimizer.lrr=0.1: unknown parameter 'lrr'",
        ),
        ({"base": BASE, "axes": {"sed": [0]}}, "unknown config key 'sed'. Did you mean 'seed'"),
        ({"base": BASE, "axes": {"optimizer": [0]}}, "needs a key inside 'optimizer'"),
        ({"base": BASE, "axes": {"seed.x": [0]}}, "'seed' is a single value"),
        ({"base": BASE, "axes": {}}, "at least one axis"),
        ({"base": BASE, "zip": [{"seed": [0, 1], "optimizer.lr": [0.1]}]}, "one length"),
        ({"base": BASE, "axes": {"seed": [0]}, "zip": [{"seed": [1]}]}, "more than one axis"),
        ({"axes": {"seed": [0]}}, "needs a 'base' run config"),
        ({"base": BASE, "axes": {"seed": [0]}, "metric": 3}, "grid: metric must be a string"),
        ({"base": {"objective": {"name": "quadratc"}}, "axes": {"seed": [0]}}, "Did you mean 'quadratic'"),
    ],
)
def test_bad_grids_fail_before_anything_runs(tmp_path, grid, message):
    with pytest.raises(ConfigError, match=message):
        run_sweep(grid, tmp_path / "sweep", progress=False)
    assert not (tmp_path / "sweep").exists()


def test_grid_files_are_read_strictly_and_named_after_the_file(tmp_path):
    path = tmp_path / "lr-scan.json"
    path.write_text(json.dumps({"base": BASE, "axes": {"seed": [0]}}))
    assert read_grid(path).name == "lr-scan"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        read_grid(path)
    with pytest.raises(ConfigError, match="not found"):
        read_grid(tmp_path / "missing.json")
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="must be a JSON object"):
        read_grid(path)
