"""The ``mnist`` and ``xor`` objectives, as registered with ``zeroth_q`` (entry points).

Each spec pairs a frozen config (the ``--set`` keys, validated in ``__post_init__``)
with a ``build`` function. This module imports nothing heavy: the data and the network
code are imported inside ``build``, so listing objectives stays instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from zeroth_q.config import require, require_memory
from zeroth_q.objectives.registry import ObjectiveSpec

if TYPE_CHECKING:
    from classical.examples import Examples
    from classical.supervised import SupervisedObjective

MNIST_TRAIN_SIZE = 60_000

Activation = Literal["relu", "tanh"]
Init = Literal["auto", "he", "xavier"]
Dtype = Literal["float32", "float64"]


def _check_network(hidden: tuple[int, ...], batch_size: int, train_size: int) -> None:
    require(all(width >= 1 for width in hidden), f"hidden widths must be positive, got {list(hidden)}.")
    require(
        1 <= batch_size <= train_size,
        f"batch_size must be between 1 and the training-set size {train_size}, got {batch_size}.",
    )


def _check_direction_memory(megabytes: float) -> None:
    require(
        megabytes > 0,
        f"direction_memory_mb must be > 0 (got {megabytes}); at least one direction is always held.",
    )


@dataclass(frozen=True)
class MnistConfig:
    """An MLP classifier of MNIST digits, 784 → hidden… → 10.

    hidden: widths of the hidden layers; ``[]`` is the linear (multinomial logistic) model.
    activation: of the hidden layers.
    loss: ``cross-entropy`` (softmax, log-sum-exp) or ``mse`` (on one-hot targets).
    init: ``he`` (ReLU), ``xavier`` (tanh), or ``auto``: the one matching ``activation``.
    dtype: precision of the network arithmetic (float32: about twice the GEMM rate).
    batch_size: examples per step; an epoch is ``train size // batch_size`` steps.
    direction_memory_mb: memory SPSA's directions may occupy at once (MB); more directions
        are drawn and used in chunks, down to one at a time (:mod:`classical.perturbed`).
    validation_size: the last this-many training images are held out as a validation set
        (metrics ``validation_loss`` / ``validation_accuracy``); 0 for none.
    train_metric_size: training images (the first ones) on which ``train_loss`` and
        ``train_accuracy`` are measured; null for the whole training set (slower metrics).
    data_dir: a directory with the four original MNIST IDX files (``.gz`` or not);
        null for the copy shipped with the package.
    """

    hidden: tuple[int, ...] = (128,)
    activation: Activation = "relu"
    loss: Literal["cross-entropy", "mse"] = "cross-entropy"
    init: Init = "auto"
    dtype: Dtype = "float32"
    batch_size: int = 50
    direction_memory_mb: float = 256
    validation_size: int = 0
    train_metric_size: int | None = 10_000
    data_dir: str | None = None

    def __post_init__(self) -> None:
        require(
            0 <= self.validation_size < MNIST_TRAIN_SIZE,
            f"validation_size must be between 0 and {MNIST_TRAIN_SIZE - 1}, got {self.validation_size}.",
        )
        train_size = MNIST_TRAIN_SIZE - self.validation_size
        _check_network(self.hidden, self.batch_size, train_size)
        _check_direction_memory(self.direction_memory_mb)
        require(
            self.train_metric_size is None or 1 <= self.train_metric_size <= train_size,
            f"train_metric_size must be in 1..{train_size}, or null for all; got {self.train_metric_size}.",
        )


@dataclass(frozen=True)
class XorConfig:
    """A tiny MLP separating ``sign(x) XOR sign(y)`` on a grid in [-1, 1]², binary cross-entropy.

    grid_size: training points per axis (even, so none lies on an axis); the test set is a
        finer grid of ``4 × grid_size`` points per axis.
    batch_size: examples per step; null for the full grid, which makes the loss
        deterministic (what loss-landscape plots need).
    direction_memory_mb: as for ``mnist``.
    """

    hidden: tuple[int, ...] = (8,)
    activation: Activation = "tanh"
    init: Init = "auto"
    dtype: Dtype = "float64"
    grid_size: int = 16
    batch_size: int | None = None
    direction_memory_mb: float = 256

    def __post_init__(self) -> None:
        require(
            self.grid_size >= 2 and self.grid_size % 2 == 0,
            f"grid_size must be even and >= 2 (an odd grid puts points on the axes), got {self.grid_size}.",
        )
        require(len(self.hidden) >= 1, "hidden must name at least one layer: XOR is not linearly separable.")
        # null means the full grid; 0 is a mistake, refused like mnist's.
        full_grid = self.grid_size**2
        _check_network(self.hidden, full_grid if self.batch_size is None else self.batch_size, full_grid)
        _check_direction_memory(self.direction_memory_mb)


def build_mnist(config: MnistConfig) -> SupervisedObjective:
    from classical.examples import split_off_last, standardized
    from classical.mnist import CLASSES, IMAGE_SIZE, load_mnist

    train, test = load_mnist(config.data_dir)
    held_out = {}
    if config.validation_size:
        train, held_out["validation"] = split_off_last(train, config.validation_size)
    held_out["test"] = test
    train = standardized(train)  # statistics of the training split only
    metric_sets = {
        "train": train.subset(slice(config.train_metric_size)),
        **{name: examples.standardized_like(train) for name, examples in held_out.items()},
    }
    return _classifier(config, IMAGE_SIZE, CLASSES, config.loss, train, metric_sets, config.batch_size)


def build_xor(config: XorConfig) -> SupervisedObjective:
    from classical.xor import xor_grid

    train = xor_grid(config.grid_size)
    metric_sets = {"train": train, "test": xor_grid(4 * config.grid_size)}
    batch_size = config.batch_size or len(train)
    return _classifier(config, 2, 2, "binary-cross-entropy", train, metric_sets, batch_size)


def _classifier(
    config: MnistConfig | XorConfig,
    inputs: int,
    classes: int,
    loss_name: str,
    train: Examples,
    metric_sets: dict[str, Examples],
    batch_size: int,
) -> SupervisedObjective:
    """The supervised objective both specs build: an MLP of ``inputs → config.hidden → outputs``."""
    from classical.activations import ACTIVATIONS
    from classical.losses import LOSSES
    from classical.mlp import MLP
    from classical.supervised import SupervisedObjective

    activation = ACTIVATIONS[config.activation]
    loss = LOSSES[loss_name]
    sizes = (inputs, *config.hidden, loss.output_size(classes))
    parameters = sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(sizes, sizes[1:], strict=False))
    # The point, a gradient (or estimate) and two moment vectors of Adam, in float64: the
    # least any optimizer holds, before the network's own copy and the activations.
    require_memory(
        4 * 8 * parameters, f"an MLP of widths {list(sizes)} ({parameters:,} parameters)", "lower hidden"
    )
    network = MLP(sizes, activation)
    init = activation.default_init if config.init == "auto" else config.init
    return SupervisedObjective(
        network,
        loss,
        train,
        metric_sets,
        batch_size=batch_size,
        dtype=config.dtype,
        init=init,
        direction_memory=int(config.direction_memory_mb * 2**20),
    )


# The default run is the backprop baseline for one epoch (about 96.5 % test accuracy, well
# under 3 minutes on 2 busy cores); ZO-Adam (T = 10) on the same network costs about 11
# CPU-seconds per epoch (41 before issue 15) and reaches about 79 %: `--optimizer zo-adam --epochs 1`.
MNIST = ObjectiveSpec(
    name="mnist",
    description="NumPy MLP on the full MNIST (60,000 train / 10,000 test), mini-batch cross-entropy.",
    config=MnistConfig,
    build=build_mnist,
    default_optimizer="backprop-adam",
    default_steps=1200,
    default_optimizer_params={"lr": 1e-3},
    main_metric="test_accuracy",
)

XOR = ObjectiveSpec(
    name="xor",
    description="XOR-2D: tiny tanh MLP, grid in [-1, 1]^2, label sign(x) XOR sign(y), binary cross-entropy.",
    config=XorConfig,
    build=build_xor,
    default_optimizer="zo-adam",
    default_steps=500,
    default_optimizer_params={"lr": 0.05, "perturbations": 10},
    main_metric="test_accuracy",
)
