"""The ``mnist`` and ``xor`` objectives, as registered with ``zeroth_q`` (entry points).

Each spec pairs a frozen config (the ``--set`` keys, validated in ``__post_init__``)
with a ``build`` function. This module imports nothing heavy: the data and the network
code are imported inside ``build``, so listing objectives stays instant.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from zeroth_q.config import require, require_memory
from zeroth_q.errors import ConfigError
from zeroth_q.objectives.registry import ObjectiveSpec

if TYPE_CHECKING:
    from classical.cnn import CNN
    from classical.cnn_objective import ConvolutionalObjective
    from classical.examples import Examples
    from classical.supervised import SupervisedObjective

MNIST_TRAIN_SIZE = 60_000
MNIST_TEST_SIZE = 10_000
TRAIN_METRIC_SIZE = 10_000  # the default train_metric_size
# What ``running_metric_size="auto"`` is for a config with the default metric sets. The first
# 1,000 images of each set estimate an accuracy p within sqrt(p(1-p)/1000) (0.6 points at
# p = 0.96, 0.9 at p = 0.9), and make the ten rows before the last of a default one-epoch run
# cost as much as one full-set row. Measured on that run (benchmarks/bench_mnist_end_to_end.py,
# CPU): metrics took 28 % of the run on the whole sets, 10.2 % on 2,000 images, ~7 % on 1,000.
AUTO_RUNNING_METRIC_SIZE = 1_000

Activation = Literal["relu", "tanh"]
Init = Literal["auto", "he", "xavier"]
Dtype = Literal["float32", "float64"]


def _check_network(hidden: tuple[int, ...], batch_size: int, train_size: int) -> None:
    require(all(width >= 1 for width in hidden), f"hidden widths must be positive, got {list(hidden)}.")
    require(
        1 <= batch_size <= train_size,
        f"batch_size must be between 1 and the training-set size {train_size}, got {batch_size}.",
    )


def _check_mnist_network(config: MnistConfig | CnnConfig, widths: tuple[int, ...]) -> None:
    """Check the validation split, the layer ``widths``, the batch size and the train-metric subset."""
    require(
        0 <= config.validation_size < MNIST_TRAIN_SIZE,
        f"validation_size must be between 0 and {MNIST_TRAIN_SIZE - 1}, got {config.validation_size}.",
    )
    train_size = MNIST_TRAIN_SIZE - config.validation_size
    _check_network(widths, config.batch_size, train_size)
    require(
        config.train_metric_size is None or 1 <= config.train_metric_size <= train_size,
        f"train_metric_size must be in 1..{train_size}, or null for all; got {config.train_metric_size}.",
    )
    require(
        config.test_metric_size is None or 1 <= config.test_metric_size <= MNIST_TEST_SIZE,
        f"test_metric_size must be in 1..{MNIST_TEST_SIZE}, or null for all; got {config.test_metric_size}.",
    )
    size = config.running_metric_size
    require(
        size in ("auto", None) or (isinstance(size, int) and size >= 1),
        f"running_metric_size must be a number of images >= 1, 'auto' or null; got {size!r}.",
    )


def running_metric_size(config: MnistConfig | CnnConfig) -> int | None:
    """The examples per metric set of the rows a run records before its last: the config's
    ``running_metric_size``, where ``auto`` is :data:`AUTO_RUNNING_METRIC_SIZE` for a config
    that keeps the default metric sets and null (every row on the whole sets, as before the key
    existed) for one that chose ``train_metric_size`` or ``test_metric_size``."""
    if config.running_metric_size != "auto":
        return config.running_metric_size
    default_sets = config.train_metric_size == TRAIN_METRIC_SIZE and config.test_metric_size is None
    return AUTO_RUNNING_METRIC_SIZE if default_sets else None


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
    test_metric_size: test images (the first ones) on which ``test_loss`` and ``test_accuracy``
        are measured; null for all 10,000. A subset keeps metrics taken during a run cheap
        (the full test set costs about 20 s per evaluation of the 2.5M-parameter CNN).
    running_metric_size: the metrics a run records before its last row are measured on the
        first this-many images of each metric set (those rows carry a column ``metric_subset``
        with the number), the last row's on the whole sets; null: every row on the whole sets.
        ``auto``: 1,000 when ``train_metric_size`` and ``test_metric_size`` keep their defaults
        (10,000 and null), else null, so a config that chose its metric sets keeps every row on
        them.
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
    train_metric_size: int | None = TRAIN_METRIC_SIZE
    test_metric_size: int | None = None
    running_metric_size: int | Literal["auto"] | None = "auto"
    data_dir: str | None = None

    def __post_init__(self) -> None:
        _check_mnist_network(self, self.hidden)
        _check_direction_memory(self.direction_memory_mb)


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


class CnnPreset(NamedTuple):
    """A convolutional architecture: ``channels[i]`` maps of ``kernel × kernel`` filters with
    ``padding``, stride 1 and a 2×2 max-pool after each, then a dense head of widths ``dense``."""

    channels: tuple[int, ...]
    kernel: int
    padding: int
    dense: tuple[int, ...]


# Parameter counts on 28×28 MNIST with 10 classes in the comments. The five sizes span the
# ZO-AdaMM scaling study's range (Chen et al. 2019, "ZO-AdaMM", NeurIPS: CNNs of ~1.4K to
# >2.5M parameters); zo-sgd-fc / zo-sgd-cnn are the fully connected / convolutional pair of
# the ZO-SGD model-scaling study (widths scaled by ``width``). The 100K network is the one
# whose backprop-Adam (lr 1e-3, batch 50) reaches 98.5 % test accuracy in two epochs: measured
# 98.53 %, where 32/64 maps of 3×3 with a dense layer of 24 (94K parameters) reached 98.46 %.
CNN_PRESETS = {
    "1.4k": CnnPreset((4, 5), 5, 0, ()),  # 1,419
    "10k": CnnPreset((8, 16), 5, 0, (24,)),  # 9,842
    "100k": CnnPreset((16, 32), 5, 2, (64,)),  # 114,314
    "600k": CnnPreset((32, 64), 5, 2, (180,)),  # 618,566
    "2.5m": CnnPreset((32, 64), 5, 2, (800,)),  # 2,569,706
    "zo-sgd-fc": CnnPreset((), 5, 0, (128, 64)),  # 109,386: 784-128-64-10
    "zo-sgd-cnn": CnnPreset((16, 32), 5, 0, (64,)),  # 46,730
}
CnnArchitecture = Literal["1.4k", "10k", "100k", "600k", "2.5m", "zo-sgd-fc", "zo-sgd-cnn"]


@dataclass(frozen=True)
class CnnConfig:
    """A convolutional classifier of MNIST digits (images ``(1, 28, 28)``): convolutions with
    ReLU and 2×2 max-pooling, then a dense head.

    architecture: a preset of :data:`CNN_PRESETS` (``1.4k``, ``10k``, ``100k``, ``600k``, ``2.5m``
        parameters; ``zo-sgd-fc``, ``zo-sgd-cnn``); the next five keys override its parts.
    channels: output maps of each convolution; ``[]`` for none (a fully connected network).
    kernel_size, stride, padding, pool: of every convolution (``pool``: a 2×2 max-pool after it).
    dense: widths of the hidden dense layers between the convolutions and the 10 outputs.
    width: multiplies every channel count and hidden width (rounded, at least 1): the
        model-scaling axis (x0.25, x0.5, x1, x2).
    memory_mb: MiB of activations one output-only pass (``evaluate``, metrics) may hold;
        larger batches of parameter vectors are evaluated in chunks.
    direction_memory_mb: MiB that SPSA's directions and their points may occupy at once;
        more directions are drawn and used in chunks, down to one at a time.
    loss, init, dtype, batch_size, validation_size, train_metric_size, test_metric_size,
    running_metric_size, data_dir: as for ``mnist``.
    """

    architecture: CnnArchitecture = "100k"
    channels: tuple[int, ...] | None = None
    kernel_size: int | None = None
    stride: int = 1
    padding: int | None = None
    pool: bool = True
    dense: tuple[int, ...] | None = None
    width: float = 1.0
    memory_mb: int = 128
    direction_memory_mb: float = 256
    loss: Literal["cross-entropy", "mse"] = "cross-entropy"
    init: Init = "he"
    dtype: Dtype = "float32"
    batch_size: int = 50
    validation_size: int = 0
    train_metric_size: int | None = TRAIN_METRIC_SIZE
    test_metric_size: int | None = None
    running_metric_size: int | Literal["auto"] | None = "auto"
    data_dir: str | None = None

    def __post_init__(self) -> None:
        _check_mnist_network(self, (*self.preset.channels, *self.preset.dense))
        require(self.width > 0, f"width must be positive (a multiplier such as 0.5 or 2), got {self.width}.")
        require(self.memory_mb >= 1, f"memory_mb must be at least 1, got {self.memory_mb}.")
        _check_direction_memory(self.direction_memory_mb)
        require(
            self.preset.kernel >= 1 and self.stride >= 1 and self.preset.padding >= 0,
            f"kernel_size and stride must be >= 1 and padding >= 0; got {self.kernel_size}, "
            f"{self.stride}, {self.padding}.",
        )
        try:
            network = cnn_network(self)
        except ValueError as error:
            raise ConfigError(f"objective 'cnn': {error}") from None
        # The point, a gradient (or estimate) and two Adam moments in float64, and one pass of
        # a mini-batch through the largest layer: the least any run of this network holds.
        itemsize = 4 if self.dtype == "float32" else 8
        require_memory(
            4 * 8 * network.dim + self.batch_size * network.transient_bytes(itemsize),
            f"a CNN of {network.dim:,} parameters (channels {list(self.scaled(self.preset.channels))}, "
            f"dense {list(self.scaled(self.preset.dense))}) on mini-batches of {self.batch_size}",
            "lower channels, dense or width",
        )

    @property
    def preset(self) -> CnnPreset:
        """The architecture with this config's overrides applied (widths not yet scaled)."""
        base = CNN_PRESETS[self.architecture]
        return CnnPreset(
            base.channels if self.channels is None else self.channels,
            base.kernel if self.kernel_size is None else self.kernel_size,
            base.padding if self.padding is None else self.padding,
            base.dense if self.dense is None else self.dense,
        )

    def scaled(self, widths: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(max(1, round(width * self.width)) for width in widths)


def _mnist_examples(config: MnistConfig | CnnConfig) -> tuple[Examples, dict[str, Examples]]:
    """The standardised training split and the metric sets (train subset, validation, test)."""
    train, held_out = _standardized_mnist(config.data_dir, config.validation_size)
    held_out = dict(held_out)
    held_out["test"] = held_out["test"].subset(slice(config.test_metric_size))
    return train, {"train": train.subset(slice(config.train_metric_size)), **held_out}


@functools.lru_cache(maxsize=4)
def _standardized_mnist(
    data_dir: str | None, validation_size: int
) -> tuple[Examples, tuple[tuple[str, Examples], ...]]:
    """The training split standardised with its own statistics, and the held-out sets with the
    same. Cached like :func:`classical.mnist.load_mnist`: the statistics are a pass over 47 MB
    (0.14 s), and a command-line run with ``--epochs`` builds its objective twice."""
    from classical.examples import split_off_last, standardized
    from classical.mnist import load_mnist

    train, test = load_mnist(data_dir)
    held_out = {}
    if validation_size:
        train, held_out["validation"] = split_off_last(train, validation_size)
    held_out["test"] = test
    train = standardized(train)  # statistics of the training split only
    return train, tuple((name, examples.standardized_like(train)) for name, examples in held_out.items())


def build_mnist(config: MnistConfig) -> SupervisedObjective:
    from classical.mnist import CLASSES, IMAGE_SIZE

    train, metric_sets = _mnist_examples(config)
    return _classifier(config, IMAGE_SIZE, CLASSES, config.loss, train, metric_sets, config.batch_size)


def build_xor(config: XorConfig) -> SupervisedObjective:
    from classical.xor import xor_grid

    train = xor_grid(config.grid_size)
    metric_sets = {"train": train, "test": xor_grid(4 * config.grid_size)}
    batch_size = config.batch_size or len(train)
    return _classifier(config, 2, 2, "binary-cross-entropy", train, metric_sets, batch_size)


def cnn_network(config: CnnConfig) -> CNN:
    """The network a :class:`CnnConfig` describes, on MNIST's 28×28 grey-scale images."""
    from classical.cnn import CNN, Convolution
    from classical.mnist import CLASSES

    preset = config.preset
    convolutions = tuple(
        Convolution(channels, preset.kernel, config.stride, preset.padding, config.pool)
        for channels in config.scaled(preset.channels)
    )
    return CNN((28, 28, 1), convolutions, config.scaled(preset.dense), CLASSES)


def build_cnn(config: CnnConfig) -> ConvolutionalObjective:
    from classical.cnn_objective import ConvolutionalObjective
    from classical.losses import LOSSES

    train, metric_sets = _mnist_examples(config)
    return ConvolutionalObjective(
        cnn_network(config),
        LOSSES[config.loss],
        train,
        metric_sets,
        batch_size=config.batch_size,
        dtype=config.dtype,
        init="he" if config.init == "auto" else config.init,  # auto: the ReLU network's He
        memory_budget=config.memory_mb * 2**20,
        direction_memory=int(config.direction_memory_mb * 2**20),
        running_metric_size=running_metric_size(config),
    )


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
        running_metric_size=running_metric_size(config) if isinstance(config, MnistConfig) else None,
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

# A backprop epoch of the default 100K network took about 4 minutes on the shared, loaded 2-core
# machine (benchmarks/results/bench_cnn.md).
CNN = ObjectiveSpec(
    name="cnn",
    description="NumPy CNN (conv, ReLU, 2x2 max-pool, dense head) on the full MNIST; presets 1.4k..2.5m.",
    config=CnnConfig,
    build=build_cnn,
    default_optimizer="backprop-adam",
    default_steps=1200,
    default_optimizer_params={"lr": 1e-3},
    main_metric="test_accuracy",
)
