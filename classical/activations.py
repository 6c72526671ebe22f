"""Hidden-layer activations, each with the slope backpropagation needs.

The slope is written as a function of the activation's *output* ``a = σ(z)``
(``relu: 1[a > 0]``, ``tanh: 1 - a²``), so the forward pass keeps only the outputs of
each layer and computes them in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Activation(NamedTuple):
    """``apply_(z)`` overwrites ``z`` with ``σ(z)``; ``slope(a)`` is ``σ'(z)`` given ``a = σ(z)``.

    default_init: the weight initialisation that keeps the variance of activations constant
    across layers of this kind: ``"he"`` for ReLU (He et al. 2015), ``"xavier"`` for tanh
    (Glorot & Bengio 2010); see :mod:`classical.mlp`.
    """

    name: str
    apply_: Callable[[np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray], np.ndarray]
    default_init: str


RELU = Activation("relu", lambda z: np.maximum(z, 0, out=z), lambda a: (a > 0).astype(a.dtype), "he")
TANH = Activation("tanh", lambda z: np.tanh(z, out=z), lambda a: 1 - a * a, "xavier")

ACTIVATIONS = {a.name: a for a in (RELU, TANH)}
