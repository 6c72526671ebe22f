"""Device noise: the same channel on both simulators, readout error as theory says."""

import numpy as np
import pytest
from qiskit.quantum_info import Statevector

from circuits.specs import VQEConfig
from circuits.vqe import build_vqe
from zeroth_q import ConfigError

NOISE = {"noise": "depolarizing", "depolarizing_1q": 0.01, "depolarizing_2q": 0.05, "readout_error": 0.03}
PENNYLANE = {"backend": "pennylane", "device": "default.qubit"}
PROBLEMS = [{"problem": "xxz", "qubits": 3, "delta": 0.5}, {"problem": "tfim", "qubits": 4, "h": 0.7}]


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: f"{p['problem']}{p['qubits']}")
def test_aer_and_pennylane_give_the_same_noisy_energy(vqe, problem):
    aer, pennylane = vqe(**problem, shots=100, **NOISE), vqe(**problem, shots=100, **NOISE, **PENNYLANE)
    thetas = np.random.default_rng(1).uniform(-np.pi, np.pi, (4, aer.dim))
    noisy = aer.shot_model.expectation(aer.backend, thetas)
    np.testing.assert_allclose(pennylane.shot_model.expectation(pennylane.backend, thetas), noisy, atol=1e-8)
    exact = aer.backend.energy(thetas)
    assert np.all(np.abs(noisy) < np.abs(exact))  # depolarizing and readout shrink every term
    metrics = aer.metrics(thetas[0])
    assert metrics["noisy_energy"] == pytest.approx(noisy[0], abs=1e-12)
    assert metrics["energy"] == pytest.approx(exact[0], abs=1e-12)  # the metrics stay noiseless


@pytest.mark.parametrize("backend", [{}, PENNYLANE], ids=["aer", "pennylane"])
def test_zero_noise_is_the_noiseless_path(vqe, backend):
    zero = {"noise": "depolarizing", "depolarizing_1q": 0.0, "depolarizing_2q": 0.0, "readout_error": 0.0}
    noisy, clean = vqe(**PROBLEMS[0], shots=50, **zero, **backend), vqe(**PROBLEMS[0], shots=50, **backend)
    thetas = np.random.default_rng(2).uniform(-np.pi, np.pi, (5, clean.dim))
    np.testing.assert_allclose(
        noisy.backend.basis_probabilities(thetas), clean.backend.basis_probabilities(thetas), atol=1e-12
    )
    values = [o.evaluate(thetas, np.random.default_rng(3)).values for o in (noisy, clean)]
    np.testing.assert_array_equal(*values)


@pytest.mark.parametrize("sampler", ["counts", "primitive"])
def test_readout_error_scales_each_pauli_term_by_one_minus_twice_the_flip_rate_per_qubit(vqe, sampler):
    # A flip with probability e on every measured qubit turns <P> into (1 - 2e)^weight(P) <P>.
    flip, rows, shots = 0.1, 2000, 100
    objective = vqe(**PROBLEMS[1], shots=shots, sampler=sampler, noise="depolarizing", readout_error=flip)
    rng = np.random.default_rng(4)
    theta = rng.uniform(-np.pi, np.pi, objective.dim)
    state = Statevector(objective.backend.statevectors(theta[None, :])[0])
    hamiltonian = objective.hamiltonian
    weights = (hamiltonian.paulis.x | hamiltonian.paulis.z).sum(axis=1)
    terms = np.array([state.expectation_value(p).real for p in hamiltonian.paulis])
    theory = float(np.sum(hamiltonian.coeffs.real * (1 - 2 * flip) ** weights * terms))
    values = objective.evaluate(np.tile(theta, (rows, 1)), rng).values
    assert abs(values.mean() - theory) < 3 * values.std(ddof=1) / np.sqrt(rows)
    assert abs(theory - objective.metrics(theta)["energy"]) > 10 * values.std(ddof=1) / np.sqrt(rows)


def test_counts_and_aer_sampler_measure_the_same_depolarized_device(vqe):
    counts, primitive = (vqe(**PROBLEMS[0], shots=100, sampler=s, **NOISE) for s in ("counts", "primitive"))
    rng = np.random.default_rng(5)
    theta = rng.uniform(-np.pi, np.pi, counts.dim)
    values = primitive.evaluate(np.tile(theta, (1000, 1)), rng).values
    noisy = counts.metrics(theta)["noisy_energy"]
    assert abs(values.mean() - noisy) < 3 * values.std(ddof=1) / np.sqrt(len(values))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"readout_error": 0.1}, "noise='depolarizing'"),
        ({"noise": "depolarizing", "depolarizing_2q": 1.5}, r"\[0, 1\]"),
        ({"noise": "thermal"}, "fake_manila"),
        ({"noise": "depolarizing", "shots": "exact"}, "shot_model='sampled'"),
        ({"noise": "depolarizing", "shot_model": "gaussian"}, "shot_model='sampled'"),
        ({"noise": "fake_manila", "backend": "pennylane", "device": "default.qubit"}, "backend='aer'"),
        ({"sampler": "shots"}, "counts"),
        ({"noise": "depolarizing", "sampler": "primitive", **PENNYLANE}, "sampler='counts'"),
    ],
)
def test_bad_noise_settings_name_the_fix(params, message):
    with pytest.raises(ConfigError, match=message):
        VQEConfig(**params)


def test_a_passed_sampler_needs_the_primitive_path_and_no_simulated_noise():
    from qiskit_aer.primitives import SamplerV2

    with pytest.raises(ConfigError, match="sampler='primitive'"):
        build_vqe(VQEConfig(qubits=2, shots=10), sampler=SamplerV2())
    with pytest.raises(ConfigError, match="noise='none'"):
        build_vqe(
            VQEConfig(qubits=2, shots=10, sampler="primitive", noise="depolarizing"), sampler=SamplerV2()
        )
