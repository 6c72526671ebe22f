"""The mini-batch loss of a convolutional classifier: :class:`SupervisedObjective` with a CNN.

Everything (batches, costs, gradient, metrics, state) is the supervised objective's; three
things differ. Described perturbations (SPSA's directions) are evaluated a chunk of
directions at a time (:mod:`classical.chunked_perturbed`), not with the MLP's first-layer
linearity (:mod:`classical.perturbed`). Output-only passes (``evaluate``, metrics) go through
:meth:`classical.cnn.CNN.logits`, which bounds activation memory: the im2col patches of a
convolution are ``k²`` times its input, e.g. 660 MB for 21 networks of the 2.5M preset on 50
images in one pass. And the dense-layer statistics of K-FAC and the natural gradient do not
describe convolutions, so the ``layer_curvature`` capability is switched off (a runtime
protocol treats an attribute set to ``None`` as absent) and those optimizers say so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from classical.chunked_perturbed import perturbed_losses
from classical.cnn import CNN
from classical.examples import Examples
from classical.losses import Loss
from classical.perturbed import DEFAULT_MEMORY_BYTES
from classical.supervised import SupervisedObjective
from zeroth_q.objective import Cost, Perturbations, PerturbedEvaluation, check_thetas

DEFAULT_MEMORY_BUDGET = 128 * 2**20  # bytes of activations per output-only pass


class ConvolutionalObjective(SupervisedObjective):
    """Mini-batch training loss of the convolutional ``network``; see :class:`SupervisedObjective`.

    memory_budget: bytes of activations one output-only pass may hold; networks (and, when
        one network is too large, examples) are processed in chunks that fit.
    direction_memory: bytes that SPSA's directions and their points may occupy at once in
        ``evaluate_perturbed``; more directions are chunked.
    running_metric_size: as for :class:`SupervisedObjective`.
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
        direction_memory: int = DEFAULT_MEMORY_BYTES,
        running_metric_size: int | None = None,
    ) -> None:
        super().__init__(
            network,
            loss,
            train,
            metric_sets,
            batch_size=batch_size,
            dtype=dtype,
            init=init,
            direction_memory=direction_memory,
            running_metric_size=running_metric_size,
        )
        self.memory_budget = memory_budget

    def evaluate_perturbed(
        self, theta: np.ndarray, perturbations: Perturbations, rng: np.random.Generator
    ) -> PerturbedEvaluation:
        """SPSA's points on the next mini-batch, a chunk of directions at a time within
        ``direction_memory`` bytes (:mod:`classical.chunked_perturbed`), never the ``(B, P)``
        float64 batch."""
        theta = check_thetas(np.asarray(theta, dtype=np.float64)[None, :], self.dim)[0]
        batch = self.sampler.next_batch(rng)
        x, labels = self.train.features(batch, self.dtype), self.train.labels[batch]
        values, combination = perturbed_losses(
            lambda points: self.loss.value(self.outputs(points, x), labels),
            theta,
            perturbations,
            self.dtype,
            self.workspace,
            self.direction_memory,
        )
        cost = Cost(evaluations=perturbations.rows, examples=perturbations.rows * self.batch_size)
        return PerturbedEvaluation(values, combination, cost)

    def outputs(self, params: np.ndarray, x: np.ndarray) -> np.ndarray:
        return self.network.logits(params, x, self.memory_budget)

    def first_layer_filters(self, theta: np.ndarray) -> np.ndarray:
        """The first convolution's filters ``(C_out, C, k, k)`` at ``theta``."""
        return self.network.first_layer_filters(theta)
