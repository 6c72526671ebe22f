"""A supervised-learning objective: the mean mini-batch loss of an MLP classifier.

``f(θ) = (1/N) Σ_{n ∈ batch} ℓ(MLP_θ(x_n), y_n)`` on the next mini-batch of the current
epoch. ``evaluate`` computes it for ``B`` parameter vectors on the *same* batch (common
random numbers, the reason SPSA differences are low-variance); ``gradient`` adds
backprop; ``metrics`` reports loss and accuracy on held-out sets at no cost. MNIST and
XOR-2D are both instances (:mod:`classical.specs`), differing only in data, network and
loss.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from classical.epochs import EpochSampler
from classical.examples import Examples, Index
from classical.losses import Loss
from classical.mlp import MLP
from classical.perturbed import DEFAULT_MEMORY_BYTES, Workspace, perturbed_losses
from zeroth_q.objective import (
    Cost,
    DenseLayerStatistics,
    Evaluation,
    GradientEvaluation,
    LayerCurvature,
    Perturbations,
    PerturbedEvaluation,
    check_thetas,
)

# Examples per forward pass in metrics: their float32 features (1.6 MB for MNIST) stay in a
# 2 MB L2 cache, so each chunk is converted from the stored pixels into one reused buffer and
# multiplied while still cached. Measured on 20,000 MNIST images, linear model, one BLAS
# thread: the same time as multiplying features held in float32 (the (N, 784) x (784, 10)
# product runs at its own ~40 GFLOP/s either way), half that of converting 10,000 at a time.
METRIC_CHUNK = 512


class SupervisedObjective:
    """Mini-batch training loss of ``network`` under ``loss`` on ``train``.

    metric_sets: named example sets (e.g. ``{"train": ..., "test": ...}``) on which
        ``metrics`` reports ``<name>_loss`` and ``<name>_accuracy``.
    dtype: the precision the network is computed in (parameters arrive and values
        leave as float64).
    init: the weight initialisation, a key of :data:`classical.mlp.INIT_VARIANCE`.
    direction_memory: bytes that SPSA's directions may occupy at once in
        ``evaluate_perturbed`` (:mod:`classical.perturbed`); more directions are chunked.
    running_metric_size: ``running_metrics`` (the rows a run records before its last) are
        measured on the first this-many examples of each metric set, and those rows say so
        in the column ``metric_subset``; ``metrics`` (the last row) always uses the whole
        sets. None: every row on the whole sets.
    """

    def __init__(
        self,
        network: MLP,
        loss: Loss,
        train: Examples,
        metric_sets: Mapping[str, Examples],
        *,
        batch_size: int,
        dtype: str = "float32",
        init: str = "he",
        direction_memory: int = DEFAULT_MEMORY_BYTES,
        running_metric_size: int | None = None,
    ) -> None:
        self.network = network
        self.loss = loss
        self.train = train
        self.metric_sets = dict(metric_sets)
        self.running_metric_size = running_metric_size
        self.dtype = np.dtype(dtype)
        self.init = init
        self.direction_memory = direction_memory
        self.workspace = Workspace()
        self.sampler = EpochSampler(len(train), batch_size)

    @property
    def dim(self) -> int:
        return self.network.dim

    @property
    def batch_size(self) -> int:
        return self.sampler.batch_size

    @property
    def steps_per_epoch(self) -> int:
        """Steps of one pass over the training set (one ``evaluate`` or ``gradient`` call each)."""
        return self.sampler.steps_per_epoch

    def initial_point(self, rng: np.random.Generator) -> np.ndarray:
        return self.network.initial_point(rng, self.init)

    def evaluate(self, thetas: np.ndarray, rng: np.random.Generator) -> Evaluation:
        thetas = check_thetas(thetas, self.dim)
        batch = self.sampler.next_batch(rng)
        values = self.losses(thetas, self.train, batch)
        return Evaluation(values, self.cost(len(values)))

    def cost(self, rows: int) -> Cost:
        """Each row sees one mini-batch; a ``gradient`` call costs ``cost(1)``."""
        return Cost(evaluations=rows, examples=rows * self.batch_size)

    def evaluate_perturbed(
        self, theta: np.ndarray, perturbations: Perturbations, rng: np.random.Generator
    ) -> PerturbedEvaluation:
        """SPSA's points on the next mini-batch without materializing them: the first layer
        once for θ and once per direction (``x·ΔW``), directions drawn once into a reused
        buffer, in chunks within ``direction_memory`` (:mod:`classical.perturbed`)."""
        theta = check_thetas(np.asarray(theta, dtype=np.float64)[None, :], self.dim)[0]
        batch = self.sampler.next_batch(rng)
        x, labels = self.train.features(batch, self.dtype), self.train.labels[batch]
        values, combination = perturbed_losses(
            self.network, self.loss, x, labels, theta, perturbations, self.workspace, self.direction_memory
        )
        cost = Cost(evaluations=perturbations.rows, examples=perturbations.rows * self.batch_size)
        return PerturbedEvaluation(values, combination, cost)

    def losses(self, thetas: np.ndarray, examples: Examples, index: Index) -> np.ndarray:
        """Mean loss of each row of ``thetas`` on ``examples[index]``, as float64 ``(B,)``."""
        x = examples.features(index, self.dtype)
        outputs = self.outputs(thetas.astype(self.dtype, copy=False), x)
        return self.loss.value(outputs, examples.labels[index])

    def outputs(self, params: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The network outputs ``(B, N, K)`` of parameters ``params`` (compute dtype) on inputs
        ``x``, where no gradient is needed (a network with a cheaper output-only pass overrides it)."""
        return self.network.forward(params, x)[-1]

    def _network_params(self, theta: np.ndarray) -> np.ndarray:
        """One parameter vector as a batch of one, in the compute dtype."""
        return check_thetas(np.asarray(theta)[None, :], self.dim).astype(self.dtype, copy=False)

    def _forward_backward(
        self, params: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, list[np.ndarray], float, np.ndarray]:
        """On the next mini-batch: its inputs, the layer outputs, the loss and its gradient."""
        batch = self.sampler.next_batch(rng)
        x, labels = self.train.features(batch, params.dtype), self.train.labels[batch]
        outputs = self.network.forward(params, x)
        output_gradient = self.loss.output_gradient(outputs[-1], labels)
        gradient = self.network.backward(params, x, outputs, output_gradient)[0]
        return x, outputs, float(self.loss.value(outputs[-1], labels)[0]), gradient

    def gradient(self, theta: np.ndarray, rng: np.random.Generator) -> GradientEvaluation:
        x, _, value, grad = self._forward_backward(self._network_params(theta), rng)
        return GradientEvaluation(value, grad.astype(np.float64), self.cost(1))

    def layer_curvature(self, theta: np.ndarray, rng: np.random.Generator) -> LayerCurvature:
        """Loss and gradient on the next mini-batch, plus each layer's inputs and per-example
        pre-activation gradients for targets sampled from the network's own predictions
        (one forward pass, two backward passes; computed in float64)."""
        params = self._network_params(theta).astype(np.float64)
        x, outputs, value, gradient = self._forward_backward(params, rng)
        sampled = self.loss.sampled_output_gradient(outputs[-1], rng)
        deltas = self.network.pre_activation_gradients(params, outputs, sampled)
        layers = tuple(
            DenseLayerStatistics(slice(start, bias), slice(bias, bias + fan_out), a[0], delta[0])
            for (start, _, fan_out, bias), a, delta in zip(
                self.network.layer_offsets, self.network.layer_inputs(x, outputs), deltas, strict=True
            )
        )
        return LayerCurvature(value, gradient, layers, self.cost(1))

    def filters(self) -> list[np.ndarray]:
        return self.network.filters()

    def metrics(self, theta: np.ndarray) -> dict[str, float]:
        """``<set>_loss`` and ``<set>_accuracy`` (in [0, 1]) on every metric set."""
        return self._metrics_on(self.metric_sets, theta)

    def running_metrics(self, theta: np.ndarray) -> dict[str, float]:
        """``metrics`` on the first ``running_metric_size`` examples of each set, plus
        ``metric_subset`` (that size) when it leaves any example out: a fixed subset, so a
        curve over the run's rows compares like with like. Fixed subsets of n examples estimate
        an accuracy p with a standard error of sqrt(p(1-p)/n): 0.9 points at p = 0.9, n = 1,000."""
        size = self.running_metric_size
        if size is None or all(len(examples) <= size for examples in self.metric_sets.values()):
            return self.metrics(theta)
        subsets = {name: examples.subset(slice(size)) for name, examples in self.metric_sets.items()}
        return {**self._metrics_on(subsets, theta), "metric_subset": size}

    def _metrics_on(self, metric_sets: Mapping[str, Examples], theta: np.ndarray) -> dict[str, float]:
        params = self._network_params(theta)
        results = {}
        for name, examples in metric_sets.items():
            loss_sum, correct = 0.0, 0
            buffer = np.empty((min(METRIC_CHUNK, len(examples)), examples.input_size), self.dtype)
            for chunk in examples.chunks(METRIC_CHUNK):
                x = examples.features(chunk, self.dtype, out=buffer[: chunk.stop - chunk.start])
                outputs = self.outputs(params, x)
                labels = examples.labels[chunk]
                loss_sum += float(self.loss.value(outputs, labels)[0]) * labels.size
                correct += int(np.count_nonzero(self.loss.predictions(outputs)[0] == labels))
            results[f"{name}_loss"] = loss_sum / len(examples)
            results[f"{name}_accuracy"] = correct / len(examples)
        return results

    def initial_state(self) -> dict[str, np.ndarray]:
        return self.sampler.initial_state()

    def get_state(self) -> dict[str, np.ndarray]:
        return self.sampler.get_state()

    def set_state(self, state: Mapping[str, np.ndarray]) -> None:
        self.sampler.set_state(state)
