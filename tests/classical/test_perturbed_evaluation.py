"""The MLP's structured perturbed evaluation equals the generic path, and its memory does not
grow with T × P (issue 15)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from network_checks import assert_structured_equals_materialized, both_paths

from classical.activations import RELU
from classical.losses import LOSSES
from classical.mlp import MLP
from classical.perturbed import NARROW_EXAMPLES, TARGET_COLUMNS, Workspace, chunk_size, perturbed_losses
from classical.specs import MnistConfig, XorConfig, build_mnist, build_xor
from zeroth_q.errors import ConfigError
from zeroth_q.estimators import SPSAGradient
from zeroth_q.estimators.perturbed import evaluate_perturbed
from zeroth_q.objective import Perturbations, SupportsPerturbedEvaluation

SIDES = [(True, False), (True, True), (False, True)]  # (two_sided, center)


@pytest.fixture(scope="module", params=[(), (12,), (12, 6)], ids=["linear", "784-12-10", "784-12-6-10"])
def mnist64(request):
    return build_mnist(MnistConfig(hidden=request.param, batch_size=20, dtype="float64"))


class EvaluateOnly:
    """The same objective without the capability: what every other objective looks like."""

    def __init__(self, objective) -> None:
        self.objective = objective
        self.dim = objective.dim

    def evaluate(self, thetas, rng):
        return self.objective.evaluate(thetas, rng)


@pytest.mark.parametrize("distribution", ["rademacher", "gaussian", "sphere"])
@pytest.mark.parametrize("two_sided, center", SIDES)
@pytest.mark.parametrize("memory", [2**30, 1, 3 * 7862 * 8], ids=["whole", "one at a time", "chunked"])
def test_structured_equals_materialized_in_float64(mnist64, distribution, two_sided, center, memory):
    mnist64.direction_memory = memory
    theta = mnist64.initial_point(np.random.default_rng(1)) + 0.01
    perturbations = Perturbations(5, 7, distribution, 0.01, two_sided, center)
    assert_structured_equals_materialized(mnist64, theta, perturbations)


def test_spsa_uses_the_capability_and_matches_the_evaluate_path(mnist64):
    assert isinstance(mnist64, SupportsPerturbedEvaluation)
    assert not isinstance(EvaluateOnly(mnist64), SupportsPerturbedEvaluation)
    theta = mnist64.initial_point(np.random.default_rng(2))
    estimator = SPSAGradient(perturbations=9, distribution="sphere", c=0.01, gamma=0.0)
    state = mnist64.get_state()
    fast = estimator(mnist64, theta, 0, np.random.default_rng(4))
    mnist64.set_state(state)
    generic = estimator(EvaluateOnly(mnist64), theta, 0, np.random.default_rng(4))
    np.testing.assert_allclose(fast.gradient, generic.gradient, rtol=0, atol=1e-10)
    assert fast.loss == pytest.approx(generic.loss, abs=1e-12)
    assert fast.cost == generic.cost


@pytest.mark.parametrize("hidden", [(), (12,)], ids=["linear", "784-12-10"])
def test_narrow_first_layer_in_blocks_of_examples_matches(hidden):
    """A batch above NARROW_EXAMPLES multiplies the narrow first layer in blocks of examples."""
    objective = build_mnist(MnistConfig(hidden=hidden, batch_size=2 * NARROW_EXAMPLES + 3, dtype="float64"))
    theta = objective.initial_point(np.random.default_rng(1))
    perturbations = Perturbations(2, 5, "rademacher", 0.01, False, True)
    assert_structured_equals_materialized(objective, theta, perturbations)


def test_xor_tanh_network_matches_too():
    objective = build_xor(XorConfig())
    theta = objective.initial_point(np.random.default_rng(0))
    fast, generic = both_paths(objective, theta, Perturbations(1, 6, "rademacher", 0.1, True, True))
    np.testing.assert_allclose(fast.values, generic.values, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fast.combination, generic.combination, rtol=0, atol=1e-10)


def test_float32_agrees_with_float64_to_single_precision():
    build = lambda dtype: build_mnist(MnistConfig(hidden=(12,), batch_size=20, dtype=dtype))  # noqa: E731
    single, double = build("float32"), build("float64")
    theta = double.initial_point(np.random.default_rng(1))
    perturbations = Perturbations(5, 4, "gaussian", 0.05, True, True)
    a = evaluate_perturbed(single, theta, perturbations, np.random.default_rng(3))
    b = evaluate_perturbed(double, theta, perturbations, np.random.default_rng(3))
    np.testing.assert_allclose(a.values, b.values, rtol=1e-5)
    np.testing.assert_allclose(a.combination, b.combination, atol=1e-4 * np.abs(b.combination).max())


def test_one_sided_without_centre_is_refused(mnist64):
    theta = mnist64.initial_point(np.random.default_rng(0))
    with pytest.raises(ConfigError, match="center=True"):
        evaluate_perturbed(mnist64, theta, Perturbations(1, 2, "rademacher", 0.1, False, False), None)


def test_chunks_follow_memory_and_gemm_width():
    network = MLP((784, 128, 10), RELU)
    perturbations = Perturbations(0, 100, "rademacher", 0.1, True, False)
    itemsize = np.dtype(np.float32).itemsize
    assert chunk_size(network, perturbations, np.dtype(np.float32), 2**30) == TARGET_COLUMNS // 128
    assert chunk_size(MLP((784, 3150, 10), RELU), perturbations, np.dtype(np.float32), 2**30) == 1
    assert chunk_size(network, perturbations, np.dtype(np.float32), 3 * network.dim * itemsize) == 3
    assert chunk_size(network, perturbations, np.dtype(np.float32), 1) == 1
    assert chunk_size(MLP((784, 10), RELU), perturbations, np.dtype(np.float32), 2**30) == 100


def test_direction_memory_must_be_positive():
    with pytest.raises(ConfigError, match="direction_memory_mb must be > 0"):
        MnistConfig(direction_memory_mb=0)


def _peak_bytes(network, count, rng):
    """tracemalloc peak of one structured evaluation, beyond θ and the mini-batch."""
    x = rng.standard_normal((50, network.sizes[0])).astype(np.float32)
    labels = rng.integers(0, 10, 50)
    theta = network.initial_point(rng, "he")
    perturbations = Perturbations(7, count, "rademacher", 0.01, True, True)
    workspace = Workspace()
    tracemalloc.start()
    perturbed_losses(network, LOSSES["cross-entropy"], x, labels, theta, perturbations, workspace, 1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_memory_is_a_few_copies_of_p_whatever_t():
    """One direction at a time (MeZO regime): peak ≤ 4·P·4 bytes + activations, the same for
    T = 2 and T = 12 (the T × P directions would be 6·P·4 bytes more)."""
    network = MLP((784, 400, 10), RELU)
    rng = np.random.default_rng(0)
    activations = 4 * 50 * 400 * 4 * 4  # pre-activations and temporaries of 2 networks, float32
    small, large = _peak_bytes(network, 2, rng), _peak_bytes(network, 12, rng)
    assert large <= 4 * network.dim * 4 + activations
    assert large < small * 1.1


def test_one_spsa_step_holds_a_few_copies_of_p():
    """The whole estimator step (directions, evaluation, float64 gradient) on a float32 MLP
    with one direction at a time: peak ≤ 4·P·4 bytes + activations."""
    objective = build_mnist(MnistConfig(hidden=(400,), batch_size=50, direction_memory_mb=1e-6))
    theta = objective.initial_point(np.random.default_rng(0))
    estimator = SPSAGradient(perturbations=12, c=0.01, gamma=0.0)
    estimator(objective, theta, 0, np.random.default_rng(1))  # one-time imports and caches
    objective.workspace = Workspace()
    tracemalloc.start()
    estimate = estimator(objective, theta, 0, np.random.default_rng(1))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    activations = 4 * 50 * (400 + 784) * 8  # pre-activations, temporaries, the float64 mini-batch
    assert estimate.gradient.shape == (objective.dim,)
    assert peak <= 4 * objective.dim * 4 + activations
