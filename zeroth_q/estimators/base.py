"""What every gradient estimator returns."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from zeroth_q.objective import Cost


class GradientEstimate(NamedTuple):
    """A gradient estimate at ``theta`` and the loss there, on one random draw.

    ``loss`` is ``None`` where the evaluated points say nothing about ``f(theta)``
    (parameter-shift without the centre point).
    """

    gradient: np.ndarray
    loss: float | None
    cost: Cost
