"""The adjoint gradient, parameter-shift through the core estimator, and who offers what."""

import numpy as np
import pytest

from zeroth_q import CoordinateGradient, SupportsGradient, SupportsMetrics
from zeroth_q.objective import Objective

PROBLEMS = [{"problem": "h2", "qubits": 4}, {"problem": "tfim", "qubits": 4, "h": 0.8, "periodic": True}]


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p["problem"])
@pytest.mark.parametrize("device", ["lightning.qubit", "default.qubit"])
def test_parameter_shift_on_every_backend_equals_the_adjoint_gradient(vqe, problem, device):
    adjoint = vqe(**problem, backend="pennylane", device=device, shots="exact")
    rng = np.random.default_rng(3)
    theta = rng.uniform(-np.pi, np.pi, adjoint.dim)
    value, gradient, cost = adjoint.gradient(theta, rng)
    assert value == pytest.approx(adjoint.metrics(theta)["energy"], abs=1e-12)
    assert cost.shots == 0 and cost.evaluations == 1
    shift = CoordinateGradient(shift=np.pi / 2, rule="parameter-shift")
    for backend in ({"backend": "aer"}, {"backend": "pennylane", "device": device}):
        estimate = shift(vqe(**problem, **backend, shots="exact"), theta, 0, rng)
        np.testing.assert_allclose(estimate.gradient, gradient, atol=1e-8, rtol=0)
        assert estimate.loss == pytest.approx(value, abs=1e-10)
        assert estimate.cost.evaluations == 2 * adjoint.dim + 1


def test_gradient_is_offered_exactly_where_it_exists(vqe):
    exact_pennylane = vqe(problem="h2", qubits=2, backend="pennylane", shots="exact")
    without = [
        vqe(problem="h2", qubits=2, backend="aer", shots="exact"),  # Aer has no reverse mode
        vqe(problem="h2", qubits=2, backend="pennylane", shots=100),  # hardware cannot either
    ]
    assert isinstance(exact_pennylane, SupportsGradient)
    assert not any(isinstance(o, SupportsGradient) for o in without)
    for objective in [exact_pennylane, *without]:
        assert isinstance(objective, Objective) and isinstance(objective, SupportsMetrics)
