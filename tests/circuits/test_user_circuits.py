"""A user's Qiskit circuit or PennyLane function as an objective: exact parameter-shift gradients on
shared, scaled and controlled parameters (both backends), the same numbers as the built-in VQE,
the same shot statistics, and bad input refused with one line."""

import re

import numpy as np
import pennylane as qml
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import QAOAAnsatz
from qiskit.quantum_info import SparsePauliOp
from scipy import stats

from circuits import circuit_objective
from circuits.ansatz import hardware_efficient
from circuits.config import VQEConfig
from circuits.hamiltonians import transverse_field_ising
from circuits.qiskit_circuit import to_qiskit
from circuits.shot_models import multinomial_counts
from circuits.vqe import build_vqe
from tests.core.test_stochastic_resume import assert_resume_is_bit_for_bit
from zeroth_q import ConfigError, get_optimizer, minimize
from zeroth_q.estimators import CoordinateGradient
from zeroth_q.estimators.shot_allocated import shot_parameter_shift, shot_parameter_shift_cost
from zeroth_q.loop.budget import Budget

EDGES = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)]
RING = SparsePauliOp.from_sparse_list([("ZZ", list(e), 0.5) for e in EDGES], 4) + SparsePauliOp("XIIY", 0.3)
PARAMETER_SHIFT = CoordinateGradient(shift=np.pi / 2, rule="parameter-shift")


# Six circuits, each as a Qiskit circuit and as a PennyLane function (parameters in the same order).
def qaoa_qiskit():
    gamma, beta = Parameter("a_gamma"), Parameter("b_beta")  # sorted order: gamma, beta
    qc = QuantumCircuit(4)
    qc.h(range(4))
    for i, j in EDGES:
        qc.rzz(2 * gamma, i, j)
    qc.rx(2 * beta, range(4))
    return qc


def qaoa_pennylane(p):
    for w in range(4):
        qml.Hadamard(w)
    for i, j in EDGES:
        qml.IsingZZ(2 * p[0], wires=[i, j])
    for w in range(4):
        qml.RX(2 * p[1], wires=w)


def hva_qiskit():
    theta = ParameterVector("θ", 4)
    qc = QuantumCircuit(4)
    qc.h(range(4))
    for layer in range(2):
        for i in range(3):
            qc.rzz(theta[2 * layer], i, i + 1)
        qc.rx(theta[2 * layer + 1], range(4))
    return qc


def hva_pennylane(p):
    for w in range(4):
        qml.Hadamard(w)
    for layer in range(2):
        for i in range(3):
            qml.IsingZZ(p[2 * layer], wires=[i, i + 1])
        for w in range(4):
            qml.RX(p[2 * layer + 1], wires=w)


def crx_qiskit():
    theta = ParameterVector("θ", 3)
    qc = QuantumCircuit(4)
    qc.ry(theta[0], range(4))
    qc.crx(theta[1], 0, 1)
    qc.crx(theta[1], 2, 3)
    qc.cry(-0.5 * theta[2], 1, 2)
    return qc


def crx_pennylane(p):
    for w in range(4):
        qml.RY(p[0], wires=w)
    qml.CRX(p[1], wires=[0, 1])
    qml.CRX(p[1], wires=[2, 3])
    qml.CRY(-0.5 * p[2], wires=[1, 2])


def mixed_qiskit():
    theta = ParameterVector("θ", 2)
    qc = QuantumCircuit(4)
    qc.h(range(4))
    qc.rx(theta[0], 0)
    qc.ryy(theta[0], 1, 2)
    qc.p(theta[0] + theta[1], 3)
    qc.crz(3 * theta[0] - theta[1], 3, 0)
    qc.rz(theta[1], 1)
    return qc


def mixed_pennylane(p):
    for w in range(4):
        qml.Hadamard(w)
    qml.RX(p[0], wires=0)
    qml.IsingYY(p[0], wires=[1, 2])
    qml.PhaseShift(p[0] + p[1], wires=3)
    qml.CRZ(3 * p[0] - p[1], wires=[3, 0])
    qml.RZ(p[1], wires=1)


def measured_qiskit():
    qc = hva_qiskit()
    qc.barrier()
    qc.measure_all()
    return qc


def measured_pennylane(p):
    hva_pennylane(p)
    qml.Barrier(wires=range(4))
    return qml.expval(qml.Z(0))  # ignored: the objective measures its own observable


def template_qiskit():
    return QAOAAnsatz(SparsePauliOp.from_sparse_list([("ZZ", list(e), 1.0) for e in EDGES], 4), reps=2)


def template_pennylane(p):
    qml.StronglyEntanglingLayers(np.reshape(p, (2, 4, 3)), wires=range(4))


CIRCUITS = {
    "qaoa": (qaoa_qiskit, qaoa_pennylane, 2),
    "hva": (hva_qiskit, hva_pennylane, 4),
    "crx": (crx_qiskit, crx_pennylane, 3),
    "mixed-generators": (mixed_qiskit, mixed_pennylane, 2),
    "measured": (measured_qiskit, measured_pennylane, 4),
    "template": (template_qiskit, template_pennylane, 24),
}


def objectives(name, **options):
    """The circuit on Aer and on PennyLane (exact): both objectives."""
    qiskit, pennylane, params = CIRCUITS[name]
    aer = circuit_objective(qiskit(), RING, shots="exact", **options)
    lightning = circuit_objective(
        pennylane, RING, wires=4, num_params=params, shots="exact", device="default.qubit", **options
    )
    return aer, lightning


def central_difference(objective, theta, step=1e-5):
    points = np.concatenate([theta + step * np.eye(theta.size), theta - step * np.eye(theta.size)])
    values = objective.evaluate(points, np.random.default_rng(0)).values
    return (values[: theta.size] - values[theta.size :]) / (2 * step)


@pytest.mark.parametrize("name", CIRCUITS)
def test_parameter_shift_is_exact_on_shared_scaled_and_controlled_parameters(name):
    rng = np.random.default_rng(5)
    for objective in objectives(name):
        theta = rng.uniform(-np.pi, np.pi, objective.dim)
        estimate = PARAMETER_SHIFT(objective, theta, 0, rng)
        np.testing.assert_allclose(estimate.gradient, central_difference(objective, theta), atol=1e-6, rtol=0)
        assert estimate.cost == PARAMETER_SHIFT.cost(objective, objective.dim, 0)
        rows = 2 * sum(len(f) for f in objective.frequencies()) + 1
        assert PARAMETER_SHIFT.rows(objective.dim, objective) == rows == estimate.cost.evaluations
        if hasattr(objective, "gradient"):  # PennyLane exact: the adjoint gradient agrees too
            adjoint = objective.gradient(theta, rng).gradient
            np.testing.assert_allclose(estimate.gradient, adjoint, atol=1e-8, rtol=0)


def test_the_two_term_rule_is_not_exact_on_a_shared_parameter():
    """What the general rule fixes: [f(θ + π/2 e_i) - f(θ - π/2 e_i)]/2 is off on QAOA's shared γ, β."""
    aer, _ = objectives("qaoa")
    theta, rng = np.array([0.4, -0.7]), np.random.default_rng(0)
    shifted = np.concatenate([theta + np.pi / 2 * np.eye(2), theta - np.pi / 2 * np.eye(2)])
    values = aer.evaluate(shifted, rng).values
    assert np.max(np.abs((values[:2] - values[2:]) / 2 - central_difference(aer, theta))) > 0.1


def test_frequencies_follow_the_gates():
    aer, lightning = objectives("crx")
    assert (
        aer.frequencies()
        == lightning.frequencies()
        == ((1.0, 2.0, 3.0, 4.0), (0.5, 1.0, 1.5, 2.0), (0.25, 0.5))
    )
    aer, lightning = objectives("qaoa")
    assert aer.frequencies() == lightning.frequencies() == ((2.0, 4.0, 6.0, 8.0, 10.0), (2.0, 4.0, 6.0, 8.0))
    builtin = build_vqe(VQEConfig(qubits=3, reps=1, shots="exact"))
    assert builtin.frequencies() == ((1.0,),) * builtin.dim  # the built-in HEA: today's two-term rule


@pytest.mark.parametrize("term_sampling", [False, True])
def test_shot_adaptive_gradients_use_the_general_rule(term_sampling):
    """iCANS/Rosalin/gCANS's estimator on a shared parameter: with 10^12 shots per circuit (Gaussian
    shot noise ~1e-6) it is the exact gradient, which the two-term rule misses by > 0.1; its stated
    cost is what it charged."""
    objective = circuit_objective(qaoa_qiskit(), RING, shots=100, shot_model="gaussian")
    exact = circuit_objective(qaoa_qiskit(), RING, shots="exact")
    theta, shots = np.array([0.4, -0.7]), np.array([10**12, 10**12])
    estimate = shot_parameter_shift(objective, theta, shots, np.random.default_rng(1), term_sampling)
    np.testing.assert_allclose(estimate.gradient, central_difference(exact, theta), atol=1e-4)
    assert np.all(estimate.variance > 0)
    stated = shot_parameter_shift_cost(objective, 2, shots, term_sampling)
    assert estimate.cost.shots == stated.shots and estimate.cost.evaluations == stated.evaluations == 2 * (
        5 + 4
    )


def test_a_user_circuit_and_the_builtin_vqe_give_identical_runs():
    config = VQEConfig(problem="tfim", qubits=4, reps=1, shots=200)
    builtin = build_vqe(config)
    user = circuit_objective(to_qiskit(hardware_efficient(4, 1)), transverse_field_ising(4, 1.0), shots=200)
    runs = [minimize(o, "parameter-shift-adam", Budget(steps=4), seed=3) for o in (builtin, user)]
    histories = [[{k: v for k, v in row.items() if k != "wall_time"} for row in r.history] for r in runs]
    assert histories[0] == histories[1]
    assert runs[0].cost == runs[1].cost and runs[0].fun == runs[1].fun
    assert runs[0].metrics == runs[1].metrics


def test_counts_of_a_user_circuit_match_its_probabilities_and_aer_sampler():
    """The chi-square tests of test_sampling.py, on a user's QAOA circuit (ZZ and mixed XY bases)."""
    many = 100_000
    counts_path = circuit_objective(qaoa_qiskit(), RING, shots=many)
    primitive = circuit_objective(qaoa_qiskit(), RING, shots=many, sampler="primitive")
    rng = np.random.default_rng(3)
    theta = rng.uniform(-np.pi, np.pi, (1, 2))
    probabilities = counts_path.backend.basis_probabilities(theta)[0]
    drawn = multinomial_counts(probabilities, many, rng)
    bits = primitive.backend.sample(theta, many, seed=4)
    for g, group_bits in enumerate(bits):
        sampled = np.bincount(group_bits[0].astype(int) @ (1 << np.arange(4)), minlength=16)
        expected = many * probabilities[g]
        keep = expected >= 5
        assert (
            stats.chisquare(
                drawn[g][keep], expected[keep] * drawn[g][keep].sum() / expected[keep].sum()
            ).pvalue
            > 1e-3
        )
        assert (
            stats.chisquare(sampled[keep], expected[keep] * sampled[keep].sum() / expected[keep].sum()).pvalue
            > 1e-3
        )


def _complex_observable():
    return SparsePauliOp(["ZZII", "XIII"], [1.0, 0.5j])


def _raises(p):
    raise ValueError("boom")


def _foreign_wires(p):
    qml.RX(p[0], wires=7)


def _unbound():
    qc = QuantumCircuit(2)
    qc.rx(0.3, 0)
    return qc


def _nonlinear():
    t = Parameter("t")
    qc = QuantumCircuit(1)
    qc.rx(t * t, 0)
    return qc


BAD = {
    "no parameters": (lambda: circuit_objective(_unbound(), SparsePauliOp("ZZ")), "no unbound parameters"),
    "observable too wide": (
        lambda: circuit_objective(qaoa_qiskit(), SparsePauliOp("ZZZZZ")),
        "observable acts on 5 qubits but the circuit has 4",
    ),
    "complex coefficients": (
        lambda: circuit_objective(qaoa_qiskit(), _complex_observable()),
        "complex coefficients",
    ),
    "function raises": (
        lambda: circuit_objective(_raises, qml.Z(0), wires=2, num_params=1),
        "raised ValueError: boom",
    ),
    "foreign wires": (
        lambda: circuit_objective(_foreign_wires, qml.Z(0), wires=2, num_params=1),
        "uses wires 7 that are not in wires=[0, 1]",
    ),
    "observable on foreign wires": (
        lambda: circuit_objective(qaoa_pennylane, qml.Z(9), wires=4, num_params=2),
        "observable acts on wires [9]",
    ),
    "non-affine angle": (
        lambda: circuit_objective(_nonlinear(), SparsePauliOp("Z"), shots="exact").frequencies(),
        "not an affine function",
    ),
    "unknown option": (lambda: circuit_objective(qaoa_qiskit(), RING, shots_per_group=3), "unknown option"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_line_naming_problem_and_fix(case):
    build, message = BAD[case]
    with pytest.raises(ConfigError, match=re.escape(message)) as error:
        build()
    assert "\n" not in str(error.value) and ";" in str(error.value)


def test_device_noise_acts_alike_on_a_user_circuit_on_both_backends():
    """Depolarizing channels after every 1- and 2-qubit gate of the user's circuit (H, RZZ, RX)
    and readout error: the noisy channel's energy is the same on Aer and PennyLane."""
    noise = {"noise": "depolarizing", "depolarizing_1q": 0.01, "depolarizing_2q": 0.05, "readout_error": 0.02}
    aer = circuit_objective(qaoa_qiskit(), RING, shots=1000, **noise)
    mixed = circuit_objective(
        qaoa_pennylane, RING, wires=4, num_params=2, shots=1000, device="default.qubit", **noise
    )
    theta = np.array([0.4, -0.7])
    noisy, clean = aer.metrics(theta), mixed.metrics(theta)
    assert noisy["noisy_energy"] == pytest.approx(clean["noisy_energy"], abs=1e-10)
    assert abs(noisy["noisy_energy"] - noisy["energy"]) > 0.1


def test_a_qnode_is_read_as_its_quantum_function():
    """Passing a QNode (a common PennyLane habit) uses its gates, not its own device's result."""

    @qml.qnode(qml.device("default.qubit", wires=4))
    def qnode(p):
        qaoa_pennylane(p)
        return qml.expval(qml.Z(0))

    from_qnode = circuit_objective(qnode, RING, wires=4, num_params=2, shots="exact", device="default.qubit")
    _, from_function = objectives("qaoa")
    theta = np.array([[0.4, -0.7]])
    assert from_qnode.evaluate(theta, None).values == pytest.approx(
        from_function.evaluate(theta, None).values
    )
    assert from_qnode.frequencies() == from_function.frequencies()


@pytest.mark.parametrize("optimizer", ["parameter-shift-adam", "rosalin", "spsa"])
def test_a_user_circuit_run_resumes_from_a_checkpoint_bit_for_bit(tmp_path, optimizer):
    """Checkpoints hold a user circuit's run like the built-in one's: 5 steps, a checkpoint and
    7 more equal 12 uninterrupted steps (shots, shot-adaptive state, SPSA's calibration)."""

    def make():
        return circuit_objective(qaoa_qiskit(), RING, shots=50)

    assert_resume_is_bit_for_bit(tmp_path, get_optimizer(optimizer), make)
