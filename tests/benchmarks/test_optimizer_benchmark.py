"""The optimizer benchmark's statistics and cache keys (benchmarks/optimizer_benchmark)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is at the repository's root

from benchmarks.optimizer_benchmark.analysis import (  # noqa: E402
    bootstrap_median,
    data_profile,
    holm,
    paired_comparisons,
    performance_profile,
)
from benchmarks.optimizer_benchmark.harness import config_key, run_config  # noqa: E402
from benchmarks.optimizer_benchmark.migrate import migrate  # noqa: E402
from benchmarks.optimizer_benchmark.suite import ANCHOR_METHODS, METHODS, PROBLEMS, SIZES, Size  # noqa: E402
from zeroth_q.runs.config import RunConfig  # noqa: E402


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30))
def test_holm_is_the_step_down_rule(p_values: list[float]) -> None:
    """Holm (1979): hypothesis i (sorted) is rejected at alpha iff p_(j) <= alpha / (m - j + 1)
    for every j <= i; the adjusted p-values say the same for every alpha."""
    adjusted = holm(p_values)
    m = len(p_values)
    order = np.argsort(p_values, kind="stable")
    for alpha in (0.01, 0.05, 0.2):
        rejected = np.zeros(m, dtype=bool)
        for rank, index in enumerate(order):
            if p_values[index] > alpha / (m - rank):
                break
            rejected[index] = True
        assert np.array_equal(adjusted <= alpha, rejected)
    assert np.all(adjusted >= np.asarray(p_values)) and np.all(adjusted <= 1.0)


def test_bootstrap_interval_holds_the_median_and_inf_stays_inf() -> None:
    rng = np.random.default_rng(0)
    values = rng.lognormal(size=25)
    median, low, high = bootstrap_median(values)
    assert median == pytest.approx(np.median(values)) and low <= median <= high
    # 8 of 20 seeds never reach the target: the median is finite, the upper end may be inf, never NaN.
    shots = np.concatenate([rng.uniform(1e4, 1e5, 12), np.full(8, np.inf)])
    median, low, high = bootstrap_median(shots)
    assert np.isfinite(median) and np.isfinite(low) and not np.isnan(high) and low <= median <= high
    assert bootstrap_median(np.full(20, np.inf)) == (np.inf, np.inf, np.inf)


def readings(ratio: float, seeds: int = 20) -> pd.DataFrame:
    """Two methods on shared seeds: B's score is A's times ``ratio`` (times a little noise)."""
    rng = np.random.default_rng(1)
    base = rng.lognormal(-5, 1, seeds)
    noise = rng.lognormal(0, 0.05, seeds)
    rows = [("A", s, base[s]) for s in range(seeds)] + [
        ("B", s, ratio * base[s] * noise[s]) for s in range(seeds)
    ]
    return pd.DataFrame(
        [{"problem": "p", "budget": 10**6, "method": m, "seed": s, "score": v} for m, s, v in rows]
    )


def test_a_paired_test_resolves_a_consistent_difference_and_not_noise() -> None:
    better = paired_comparisons(readings(3.0))
    assert better["verdict"].tolist() == ["A < B"] and better["A better in"].item() == 20
    assert better["median ratio A/B"].item() == pytest.approx(1 / 3, rel=0.1)
    same = paired_comparisons(readings(1.0))
    assert same["verdict"].tolist() == ["not resolved"]
    chosen = paired_comparisons(readings(3.0), pairs=[("B", "A"), ("B", "C")])  # C never ran
    assert chosen[["A", "B", "verdict"]].values.tolist() == [["B", "A", "A < B"]]


def test_profiles_count_the_instances_each_method_solved() -> None:
    solved = pd.DataFrame(
        [
            {"problem": "p", "target": 0.01, "seed": s, "method": m, "shots": shots}
            for s, (a, b) in enumerate([(1e3, 2e3), (1e4, np.inf), (np.inf, np.inf), (5e3, 1e3)])
            for m, shots in (("A", a), ("B", b))
        ]
    )
    profile = data_profile(solved, np.array([1e2, 1e3, 5e3, 1e5]))
    assert profile["A"].tolist() == [0, 0.25, 0.5, 0.75] and profile["B"].tolist() == [0, 0.25, 0.5, 0.5]
    performance = performance_profile(solved, np.array([1.0, 2.0, 5.0, 1e9]))
    assert performance["A"].tolist() == [0.5, 0.5, 0.75, 0.75]  # best on seeds 0 and 1, 5x on seed 3
    assert performance["B"].tolist() == [0.25, 0.5, 0.5, 0.5]


def test_the_cache_key_is_what_the_grid_sets() -> None:
    """Settings name the directory; a default written out or not does not change the config
    (the engine compares resolved configs) but is a different grid, so a different name."""
    problem, method = PROBLEMS["H2"], METHODS["SPSA"]
    key = config_key(run_config(problem, method, {}, 10**5))
    assert key == config_key(run_config(problem, method, {}, 10**5))
    assert key != config_key(run_config(problem, method, {"optimizer.c": 0.2}, 10**5))
    assert key != config_key(run_config(problem, method, {"objective.shots": 100}, 10**5))
    assert key != config_key(run_config(problem, method, {}, 10**6))
    assert key != config_key(run_config(PROBLEMS["TFIM n=8"], method, {}, 10**5))


def test_the_migration_renames_a_former_directory_to_its_key_once(tmp_path: Path) -> None:
    base = run_config(PROBLEMS["H2"], METHODS["NFT"], {"objective.shots": 300}, 10**5)
    former = tmp_path / "evaluation" / "H2" / "NFT-tuned@0123456789"
    (former / "seed=0").mkdir(parents=True)
    (former / "seed=0" / "summary.json").write_text("{}")
    (former / "sweep.json").write_text(json.dumps({"grid": {"base": base}, "runs": []}))
    assert migrate(tmp_path) == {"renamed": 1, "kept": 0}
    renamed = former.with_name(f"NFT-tuned@{config_key(base)}")
    assert (renamed / "seed=0" / "summary.json").is_file() and not former.exists()
    assert migrate(tmp_path) == {"renamed": 0, "kept": 1}


@pytest.mark.parametrize("name", ["SPSA", "PS-Adam", "Rosalin", "NFT", "CMA-ES"])
def test_the_default_variant_resolves_to_the_librarys_defaults(name: str) -> None:
    """The default variant sets nothing beyond the method's identity: N is the objective's
    default 1000 and every tuned hyper-parameter resolves to the value the library gives a
    config that names only the optimizer, never to a tuned value or a bound of its space."""
    problem, method = PROBLEMS["H2"], METHODS[name]
    default = RunConfig.from_dict(run_config(problem, method, {}, 10**6)).to_dict()
    library = RunConfig.from_dict(
        {"objective": {"name": "vqe"}, "optimizer": {"name": method.optimizer["name"]}}
    )
    assert default["objective"]["shots"] == 1000 == library.to_dict()["objective"]["shots"]
    assert default["optimizer"] == library.to_dict()["optimizer"]
    tuned = RunConfig.from_dict(run_config(problem, method, {"objective.shots": 123}, 10**6)).to_dict()
    assert tuned["objective"]["shots"] == 123


def test_anchors_need_their_tuned_method_in_the_size() -> None:
    with pytest.raises(ValueError, match="tuned N of"):
        Size(("H2",), ("SPSA",), (10**5,), 1, 10**5, (1000,), (0,), anchors=("pycma fmin2",))
    with pytest.raises(ValueError, match="unknown"):
        Size(("H2",), ("SPSA",), (10**5,), 1, 10**5, (1000,), (0,), anchors=("scipy SPSA",))
    for size in SIZES.values():
        assert all(ANCHOR_METHODS[a] in size.methods for a in size.anchors)


def test_tuning_and_evaluation_seeds_are_disjoint_in_every_size() -> None:
    for size in SIZES.values():
        assert not set(size.tuning_seeds) & set(size.evaluation_seeds)
    with pytest.raises(ValueError, match="disjoint"):
        Size(("H2",), ("SPSA",), (10**5,), 1, 10**5, (0,), (0, 1))
