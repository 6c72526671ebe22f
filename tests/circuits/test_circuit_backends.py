"""Aer and PennyLane run the same circuit: same energies, same states, one call per batch."""

import numpy as np
import pytest
from qiskit_aer.primitives import EstimatorV2, SamplerV2

from circuits.ansatz import hardware_efficient
from circuits.specs import VQEConfig
from circuits.vqe import build_vqe
from zeroth_q import ConfigError

BACKENDS = [
    {"backend": "aer"},
    {"backend": "pennylane", "device": "lightning.qubit"},
    {"backend": "pennylane", "device": "default.qubit"},
]
PROBLEMS = [
    {"problem": "h2", "qubits": 2},
    {"problem": "h2", "qubits": 4},
    {"problem": "tfim", "qubits": 5, "h": 0.7, "periodic": True},
    {"problem": "xxz", "qubits": 4, "delta": 0.5},
]


def test_every_parameter_drives_exactly_one_rotation():
    circuit = hardware_efficient(5, 3)
    used = [g.parameter for g in circuit.gates if g.parameter is not None]
    assert sorted(used) == list(range(circuit.num_parameters)) == list(range(2 * 5 * 4))
    assert all(g.name in ("ry", "rz") for g in circuit.gates if g.parameter is not None)


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: f"{p['problem']}{p['qubits']}")
def test_backends_agree_on_energies_and_states(vqe, problem):
    objectives = [vqe(**problem, **backend, shots="exact") for backend in BACKENDS]
    rng = np.random.default_rng(7)
    thetas = rng.uniform(-np.pi, np.pi, (6, objectives[0].dim))
    energies = [o.evaluate(thetas, rng).values for o in objectives]
    for other in energies[1:]:
        np.testing.assert_allclose(other, energies[0], atol=1e-10, rtol=0)
    states = [o.backend.statevectors(thetas[:1])[0] for o in objectives]
    for other in states[1:]:
        assert abs(np.vdot(states[0], other)) == pytest.approx(1.0, abs=1e-10)
    metrics = [o.metrics(thetas[0]) for o in objectives]
    assert metrics[0]["energy"] == pytest.approx(energies[0][0], abs=1e-10)
    energy, ground = metrics[0]["energy"], metrics[0]["exact_ground_energy"]
    assert metrics[0]["energy_error"] == pytest.approx(energy - ground)
    assert all(m["fidelity"] == pytest.approx(metrics[0]["fidelity"], abs=1e-10) for m in metrics)


class CountingEstimator(EstimatorV2):
    """A real Aer estimator that records the PUB shapes it was asked to run."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def run(self, pubs, *, precision=None):
        pubs = list(pubs)
        self.calls.append([np.shape(pub[2]) for pub in pubs])
        return super().run(pubs, precision=precision)


class CountingSampler(SamplerV2):
    def __init__(self):
        super().__init__(seed=3)
        self.calls = []

    def run(self, pubs, *, shots=None):
        pubs = list(pubs)
        self.calls.append([np.shape(pub[1]) for pub in pubs])
        return super().run(pubs, shots=shots)


def test_a_batch_is_one_primitive_job_and_user_primitives_drop_in():
    estimator, sampler = CountingEstimator(), CountingSampler()
    exact = build_vqe(VQEConfig(qubits=3, shots="exact"), estimator=estimator)
    sampled = build_vqe(VQEConfig(qubits=3, shots=50, sampler="primitive"), sampler=sampler)
    rng = np.random.default_rng(0)
    thetas = rng.normal(size=(7, exact.dim))
    exact.evaluate(thetas, rng)
    sampled.evaluate(thetas, rng)
    assert estimator.calls == [[(7, exact.dim)]]
    # TFIM has two measurement groups (ZZ terms, X terms): two PUBs in one job.
    assert sampler.calls == [[(7, exact.dim), (7, exact.dim)]]


def test_rejects_badly_shaped_batches(vqe):
    objective = vqe(qubits=2, shots="exact")
    with pytest.raises(ConfigError, match="shape"):
        objective.evaluate(np.zeros(objective.dim), np.random.default_rng(0))


def test_primitives_require_the_qiskit_backend():
    with pytest.raises(TypeError, match="backend='aer'"):
        build_vqe(VQEConfig(qubits=2, backend="pennylane"), estimator=EstimatorV2())
