"""Statistics of the evaluation runs: readings at shot budgets, bootstrap intervals, paired
tests, shots to target, and the data and performance profiles of Moré & Wild.

A run's history records the exact score of its iterate at log-spaced steps (at no shot
cost). Row k describes the iterate :math:`x_k` that step k started from, with the cumulative
shots *including* step k, so the shots spent to reach :math:`x_k` are row k-1's (0 for
:math:`x_0`). The reading "at budget B" is the score of the last recorded iterate reached with
at most B shots (the start point if no step fits).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon


def read_history(path: str | Path, score: Callable[[pd.DataFrame], pd.Series]) -> pd.DataFrame:
    """Rows with metrics: ``spent`` (shots to reach the row's iterate) and ``score``."""
    history = pd.read_csv(Path(path) / "history.csv")
    history["spent"] = history["shots"].shift(1, fill_value=0)
    history = history.dropna(subset=["energy_error"]).reset_index(drop=True)
    history["score"] = score(history)
    return history


def score_at(history: pd.DataFrame, budgets: Sequence[float]) -> np.ndarray:
    """The score of the last recorded iterate reached within each budget (a step function)."""
    index = np.searchsorted(history["spent"].to_numpy(), budgets, side="right") - 1
    return history["score"].to_numpy()[np.maximum(index, 0)]


def shots_to_target(history: pd.DataFrame, target: float) -> float:
    """Shots spent to reach the first recorded iterate with score <= target (inf: never)."""
    reached = history["spent"].to_numpy()[history["score"].to_numpy() <= target]
    return float(reached[0]) if len(reached) else np.inf


def bootstrap_median(
    values: Sequence[float], seed: int = 0, resamples: int = 4000
) -> tuple[float, float, float]:
    """The median and its percentile-bootstrap 95 % interval (Efron & Tibshirani 1993, ch. 13).

    Values may be ``inf`` (a target never reached): medians of resamples are then ``inf``
    where half or more of a resample is, and quantiles are taken without interpolation
    (``inverted_cdf``), so an interval's end is ``inf`` rather than NaN."""
    values = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    samples = values[rng.integers(0, len(values), size=(resamples, len(values)))]
    medians = np.sort(samples, axis=1)
    n = len(values)
    middle = medians[:, (n - 1) // 2] if n % 2 else _mean_of(medians[:, n // 2 - 1], medians[:, n // 2])
    low, high = np.quantile(middle, [0.025, 0.975], method="inverted_cdf")
    center = np.median(values) if np.isfinite(values).all() else _finite_median(values)
    return float(center), float(low), float(high)


def _mean_of(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(a) | np.isinf(b), np.inf, (a + b) / 2)


def _finite_median(values: np.ndarray) -> float:
    ordered = np.sort(values)
    n = len(ordered)
    return float(ordered[(n - 1) // 2] if n % 2 else _mean_of(ordered[n // 2 - 1], ordered[n // 2]))


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm, Scand. J. Stat. 6, 65 (1979)): the i-th
    smallest of m is multiplied by m - i + 1, then made monotone; family-wise error <= alpha."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate(p[order] * (len(p) - np.arange(len(p)))))
    out = np.empty_like(p)
    out[order] = adjusted
    return out


def paired_comparisons(
    readings: pd.DataFrame, alpha: float = 0.05, pairs: Sequence[tuple[str, str]] | None = None
) -> pd.DataFrame:
    """Pairs of methods on each (problem, budget), paired by seed (shared start points).

    ``readings``: one row per run and budget with ``problem``, ``budget``, ``method``, ``seed``,
    ``score``. ``pairs``: the (A, B) comparisons to make where both methods ran (default: every
    pair); they are one family. Each comparison is a two-sided Wilcoxon signed-rank test of the
    per-seed differences of :math:`\\log_{10}` score; p-values are Holm-corrected over all
    comparisons made. ``verdict`` names the lower-scoring method only where the corrected p < alpha.
    """
    records = []
    for (problem, budget), group in readings.groupby(["problem", "budget"], sort=False):
        table = group.pivot(index="seed", columns="method", values="score")
        present = set(table.columns)
        wanted = itertools.combinations(table.columns, 2) if pairs is None else pairs
        for first, second in (p for p in wanted if set(p) <= present):
            pair = table[[first, second]].dropna()
            log_difference = np.log10(np.maximum(pair[first], 1e-12)) - np.log10(
                np.maximum(pair[second], 1e-12)
            )
            nonzero = log_difference[log_difference != 0]
            p = 1.0 if len(nonzero) == 0 else float(wilcoxon(log_difference, zero_method="zsplit").pvalue)
            records.append(
                {
                    "problem": problem,
                    "budget": budget,
                    "A": first,
                    "B": second,
                    "pairs": len(pair),
                    "A better in": int((log_difference < 0).sum()),
                    "median ratio A/B": float(10 ** np.median(log_difference)),
                    "p": p,
                }
            )
    out = pd.DataFrame(records)
    if out.empty:
        return out
    out["p (Holm)"] = holm(out["p"])
    ratio = out["median ratio A/B"]
    out["verdict"] = np.where(
        out["p (Holm)"] >= alpha,
        "not resolved",
        np.where(ratio < 1, out["A"] + " < " + out["B"], out["B"] + " < " + out["A"]),
    )
    return out


def data_profile(solved: pd.DataFrame, shots: np.ndarray) -> pd.DataFrame:
    """Moré & Wild's data profile (SIAM J. Optim. 20, 172 (2009)) with shots as the budget:
    for each method, the fraction of (problem, target, seed) instances whose target it reached
    within each number of shots. ``solved``: one row per method and instance with ``shots``
    to target (inf: never). Each seed's start point is its own instance, shared by all methods."""
    return pd.DataFrame(
        {method: [(group["shots"] <= s).mean() for s in shots] for method, group in solved.groupby("method")},
        index=shots,
    )


def performance_profile(solved: pd.DataFrame, ratios: np.ndarray) -> pd.DataFrame:
    """Moré & Wild's (after Dolan & Moré 2002) performance profile: for each method, the
    fraction of instances it solved within a factor tau of the fewest shots any method needed
    on that instance (instances no method solved count as unsolved for all)."""
    table = solved.pivot_table(index=["problem", "target", "seed"], columns="method", values="shots")
    best = table.min(axis=1)
    relative = table.div(best, axis=0).where(np.isfinite(best), np.inf, axis=0)
    return pd.DataFrame({m: [(relative[m] <= t).mean() for t in ratios] for m in table.columns}, index=ratios)
