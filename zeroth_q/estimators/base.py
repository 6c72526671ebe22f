"""What every gradient estimator returns."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from zeroth_q.config import require_memory
from zeroth_q.objective import Cost


class GradientEstimate(NamedTuple):
    """A gradient estimate at ``theta`` and the loss there, on one random draw.

    ``loss`` is ``None`` where the evaluated points say nothing about ``f(theta)``
    (parameter-shift without the centre point).
    """

    gradient: np.ndarray
    loss: float | None
    cost: Cost


def require_batch_memory(rows: int, dim: int, needed_by: str) -> None:
    """Refuse an estimator whose one batch of ``rows × dim`` floats cannot fit in memory
    (the coordinate estimator's ``2P + 1`` rows on a large network), before any step."""
    require_memory(
        8.0 * rows * dim,
        f"{needed_by} evaluates {rows:,} points of {dim:,} parameters at once, which",
        "use 'spsa' or 'zo-adam' instead: SPSA evaluates 2T points whatever the number of parameters.",
    )
