"""The mini-batch loss of a convolutional classifier: :class:`SupervisedObjective` with a CNN.

Everything (batches, costs, gradient, metrics, state) is the supervised objective's; two
things differ. Output-only passes (``evaluate``, metrics) go through
:meth:`classical.cnn.CNN.logits`, which bounds activation memory: the im2col patches of a
convolution are ``k²`` times its input, e.g. 660 MB for 21 networks of the 2.5M preset on 50
images in one pass. And the dense-layer statistics of K-FAC and the natural gradient do not
describe convolutions, so the ``layer_curvature`` capability is switched off (a runtime
protocol treats an attribute set to ``None`` as absent) and those optimizers say so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from classical.cnn import CNN
from classical.examples import Examples
from classical.losses import Loss
from classical.supervised import SupervisedObjective

DEFAULT_MEMORY_BUDGET = 128 * 2**20  # bytes of activations per output-only pass


class ConvolutionalObjective(SupervisedObjective):
    """Mini-batch training loss of the convolutional ``network``; see :class:`SupervisedObjective`.

    memory_budget: bytes of activations one output-only pass may hold; networks (and, when
        one network is too large, examples) are processed in chunks that fit.
    """

    layer_curvature = None

    def __init__(
        self,
        network: CNN,
        loss: Loss,
        train: Examples,
        metric_sets: Mapping[str, Examples],
        *,
        batch_size: int,
        dtype: str = "float32",
        init: str = "he",
        memory_budget: int = DEFAULT_MEMORY_BUDGET,
    ) -> None:
        super().__init__(network, loss, train, metric_sets, batch_size=batch_size, dtype=dtype, init=init)
        self.memory_budget = memory_budget

    def outputs(self, params: np.ndarray, x: np.ndarray) -> np.ndarray:
        return self.network.logits(params, x, self.memory_budget)

    def first_layer_filters(self, theta: np.ndarray) -> np.ndarray:
        """The first convolution's filters ``(C_out, C, k, k)`` at ``theta``."""
        return self.network.first_layer_filters(theta)
