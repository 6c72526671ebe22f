"""The comparator of the MNIST benchmarks: one epoch of SPSA-Adam as a plain NumPy script.

What a practitioner writes without a framework (issue 15's yardstick, issue 29's end-to-end
comparator): read the four IDX files, standardise the pixels once with the training split's
mean and standard deviation into float32, then for each mini-batch of 50 draw T = 50 Rademacher
directions, evaluate the T + 1 weight copies ``θ, θ + cΔ_1, …, θ + cΔ_T`` of the linear model
as one batched matmul, form the one-sided estimate ``ĝ = Σ_t (f(θ + cΔ_t) - f(θ)) Δ_t / (cT)``
and take an Adam step (lr 1e-3, β = (0.9, 0.999), ε = 1e-8); finally the test accuracy. He
initialisation (``N(0, 2/784)`` weights, zero biases), as the engine's linear model.

Run as a script it prints one JSON line: the seconds of loading, of the training loop (wall
and CPU) and of the test pass, and the test accuracy. ``bench_mnist_end_to_end.py`` times it as a whole
process; ``bench_mnist_one_epoch.py --comparator`` calls :func:`train_epoch` in its own process.

Usage: ``python benchmarks/plain_numpy_spsa_adam.py [--seed 0]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

DATA = Path(__file__).resolve().parents[1] / "classical" / "data"
PIXELS, CLASSES = 28 * 28, 10


def read_idx(name: str) -> np.ndarray:
    """An IDX file's array (``uint8`` data; the header's last byte is the number of dimensions)."""
    raw = gzip.decompress((DATA / f"{name}.gz").read_bytes())
    dims = raw[3]
    shape = np.frombuffer(raw, ">u4", dims, 4)
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Standardised float32 images ``(N, 784)`` and labels, train then test."""
    train = read_idx("train-images-idx3-ubyte").reshape(-1, PIXELS).astype(np.float32)
    test = read_idx("t10k-images-idx3-ubyte").reshape(-1, PIXELS).astype(np.float32)
    mean, std = train.mean(), train.std()
    for images in (train, test):
        images -= mean
        images /= std
    return train, read_idx("train-labels-idx1-ubyte"), test, read_idx("t10k-labels-idx1-ubyte")


def losses(x: np.ndarray, y: np.ndarray, thetas: np.ndarray) -> np.ndarray:
    """Mean cross-entropy of each linear model in ``thetas: (B, 7850)`` on ``(x, y)``."""
    z = np.matmul(x, thetas[:, : PIXELS * CLASSES].reshape(-1, PIXELS, CLASSES)) + thetas[:, None, -CLASSES:]
    peak = z.max(axis=-1, keepdims=True)
    log_sum_exp = np.log(np.exp(z - peak).sum(axis=-1)) + peak[..., 0]
    return (log_sum_exp - z[:, np.arange(len(y)), y]).mean(axis=1)


def train_epoch(
    x: np.ndarray,
    y: np.ndarray,
    rng: np.random.Generator,
    count: int = 50,
    c: float = 0.01,
    lr: float = 1e-3,
    batch: int = 50,
) -> np.ndarray:
    """One epoch of one-sided Rademacher SPSA + Adam from He initialisation; the final θ."""
    theta = np.zeros(PIXELS * CLASSES + CLASSES, np.float32)
    theta[: PIXELS * CLASSES] = rng.normal(0.0, np.sqrt(2 / PIXELS), PIXELS * CLASSES)
    mu, nu = np.zeros_like(theta), np.zeros_like(theta)
    order = rng.permutation(len(x))
    for step in range(len(x) // batch):
        index = order[step * batch : (step + 1) * batch]
        delta = rng.integers(0, 2, (count, theta.size), dtype=np.int8).astype(np.float32) * 2 - 1
        values = losses(x[index], y[index], np.concatenate([theta[None], theta + c * delta]))
        gradient = ((values[1:] - values[0]) / (c * count)) @ delta
        mu = 0.9 * mu + 0.1 * gradient
        nu = 0.999 * nu + 0.001 * gradient * gradient
        k = step + 1
        theta -= lr * (mu / (1 - 0.9**k)) / (np.sqrt(nu / (1 - 0.999**k)) + 1e-8)
    return theta


def accuracy(x: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    z = x @ theta[: PIXELS * CLASSES].reshape(PIXELS, CLASSES) + theta[-CLASSES:]
    return float(np.mean(z.argmax(axis=1) == y))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    seed = parser.parse_args().seed
    with threadpool_limits(limits=1, user_api="blas"):
        start = time.perf_counter()
        x, y, x_test, y_test = load()
        loaded, cpu = time.perf_counter(), time.process_time()
        theta = train_epoch(x, y, np.random.default_rng(seed))
        trained, cpu = time.perf_counter(), time.process_time() - cpu
        test_accuracy = accuracy(x_test, y_test, theta)
        tested = time.perf_counter()
    times = {
        "load_s": loaded - start,
        "loop_s": trained - loaded,
        "loop_cpu_s": cpu,
        "test_s": tested - trained,
    }
    print(json.dumps({**times, "test_accuracy": test_accuracy}))


if __name__ == "__main__":
    main()
