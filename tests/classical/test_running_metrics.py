"""Metrics during a run on fixed subsets, the last row on the whole sets (issue 29).

The default ``mnist`` run measures its rows before the last on the first 1,000 images of each
metric set (``running_metric_size="auto"``); a config that chose its metric sets, as the
classical notebooks' cached runs do, keeps every row on them.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import zeroth_q
from classical.specs import AUTO_RUNNING_METRIC_SIZE, CnnConfig, MnistConfig, running_metric_size
from zeroth_q import Budget
from zeroth_q.errors import ConfigError
from zeroth_q.objective import SupportsRunningMetrics
from zeroth_q.objectives.subspace import restrict

LINEAR = {"hidden": [], "batch_size": 50}


def _run(params: dict, steps: int = 30):
    objective = zeroth_q.build_objective("mnist", {**LINEAR, **params})
    optimizer = zeroth_q.get_optimizer("backprop-adam", {"lr": 1e-3})
    return objective, zeroth_q.minimize(objective, optimizer, Budget(steps=steps), seed=0)


def test_default_run_rows_before_the_last_are_on_the_subset_and_the_last_on_the_whole_sets():
    objective, result = _run({})
    subset = zeroth_q.build_objective(
        "mnist",
        {
            **LINEAR,
            "train_metric_size": AUTO_RUNNING_METRIC_SIZE,
            "test_metric_size": AUTO_RUNNING_METRIC_SIZE,
        },
    )
    rows = [row for row in result.history if "test_accuracy" in row]
    assert len(rows) >= 5 and rows[-1] is result.history[-1]
    for row in rows[:-1]:
        assert row["metric_subset"] == AUTO_RUNNING_METRIC_SIZE
    assert "metric_subset" not in rows[-1]
    # The last row and the summary's metrics are the full sets' (10,000 train, 10,000 test images).
    full = objective.metrics(result.x)
    assert result.metrics == full == {key: rows[-1][key] for key in full}
    on_subset = subset.metrics(result.x)
    assert objective.running_metrics(result.x) == {**on_subset, "metric_subset": AUTO_RUNNING_METRIC_SIZE}
    assert on_subset["test_accuracy"] != full["test_accuracy"]  # the subset is not the whole set


@pytest.mark.parametrize(
    "params",
    [
        {"train_metric_size": 2_000},  # classical_validation's MODEL
        {"train_metric_size": 500, "test_metric_size": 500},  # zo_scaling's grids
        {"running_metric_size": None},
    ],
)
def test_configs_that_choose_their_metric_sets_keep_every_row_on_them(params):
    objective, result = _run(params, steps=10)
    rows = [row for row in result.history if "test_accuracy" in row]
    assert len(rows) >= 5 and all("metric_subset" not in row for row in rows)
    assert objective.running_metrics(result.x) == objective.metrics(result.x)


@given(
    train=st.sampled_from([None, 1, 500, 2_000, 9_999, 10_000, 50_000]),
    test=st.sampled_from([None, 1, 500, 2_000, 10_000]),
    config=st.sampled_from([MnistConfig, CnnConfig]),
)
def test_auto_subsets_only_a_config_with_the_default_metric_sets(train, test, config):
    defaults = train == 10_000 and test is None
    resolved = running_metric_size(config(train_metric_size=train, test_metric_size=test))
    assert resolved == (AUTO_RUNNING_METRIC_SIZE if defaults else None)
    explicit = config(train_metric_size=train, test_metric_size=test, running_metric_size=300)
    assert running_metric_size(explicit) == 300


@pytest.mark.parametrize("value", [0, -5, "all"])
def test_a_bad_running_metric_size_names_the_key(value):
    with pytest.raises(ConfigError, match="running_metric_size"):
        zeroth_q.build_objective("mnist", {"running_metric_size": value})


def test_a_restricted_objective_records_its_running_metrics():
    objective = zeroth_q.build_objective("mnist", {**LINEAR, "running_metric_size": 100})
    base = objective.initial_point(np.random.default_rng(0))
    sub = restrict(objective, [0, 1], base)
    assert isinstance(sub, SupportsRunningMetrics)
    assert sub.running_metrics(base[:2]) == objective.running_metrics(base)
    assert sub.running_metrics(base[:2])["metric_subset"] == 100


def test_the_cnn_objective_gets_the_resolved_size():
    default = zeroth_q.build_objective("cnn", {"architecture": "1.4k"})
    chosen = zeroth_q.build_objective(
        "cnn", {"architecture": "1.4k", "train_metric_size": 500, "test_metric_size": 500}
    )
    assert default.running_metric_size == AUTO_RUNNING_METRIC_SIZE and chosen.running_metric_size is None
