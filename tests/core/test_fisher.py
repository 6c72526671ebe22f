"""The natural-gradient and K-FAC solves equal their dense definitions."""

import numpy as np
import pytest

from zeroth_q import Budget, build_objective, minimize
from zeroth_q.errors import CapabilityError
from zeroth_q.estimators.fisher import damped_fisher_solve, kronecker_solve


def test_woodbury_solve_equals_the_dense_damped_fisher_solve():
    rng = np.random.default_rng(0)
    psi, gradient, damping = rng.normal(size=(7, 30)), rng.normal(size=30), 0.05
    dense = np.linalg.solve(psi.T @ psi / 7 + damping * np.eye(30), gradient)
    np.testing.assert_allclose(damped_fisher_solve(psi, gradient, damping), dense, rtol=1e-9, atol=1e-12)


def test_kronecker_solve_is_the_inverse_of_the_damped_kronecker_product():
    rng = np.random.default_rng(1)
    a_half, g_half = rng.normal(size=(5, 4)), rng.normal(size=(3, 3))
    a, g, gradient, damping = a_half @ a_half.T, 10 * g_half @ g_half.T, rng.normal(size=(5, 3)), 0.01
    pi = np.sqrt((np.trace(a) / 5) / (np.trace(g) / 3))
    dense = np.kron(a + pi * 0.1 * np.eye(5), g + 0.1 / pi * np.eye(3))  # row-major vec: A ⊗ G
    expected = np.linalg.solve(dense, gradient.ravel()).reshape(5, 3)
    np.testing.assert_allclose(kronecker_solve(a, g, gradient, damping), expected, rtol=1e-9)


@pytest.mark.parametrize("name", ["natural-gradient", "gauss-newton", "kfac"])
def test_network_methods_say_they_need_layer_statistics(name):
    with pytest.raises(CapabilityError, match="layer_curvature.*mnist, xor"):
        minimize(build_objective("quadratic", {"dim": 4}), name, Budget(steps=1))
