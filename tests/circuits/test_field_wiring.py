"""The field's problems and ansätze through ``vqe``: the same circuit on both backends, references
in the right particle sector, exact shift rules on shared angles, and the command line."""

import re

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from circuits.config import VQEConfig
from circuits.ground_state import ParticleSector
from circuits.problems import build_problem, problem_spec
from circuits.qiskit_circuit import from_qiskit, to_qiskit
from zeroth_q import ConfigError
from zeroth_q.cli.main import main
from zeroth_q.estimators import CoordinateGradient

COMBINATIONS = {
    "hubbard-2x2-hva": {"problem": "fermi-hubbard", "rows": 2, "cols": 2, "ansatz": "hva", "reps": 2},
    "lih-uccsd": {"problem": "molecule", "molecule": "LiH", "ansatz": "uccsd"},
    "h2-uccsd": {"problem": "h2", "qubits": 4, "ansatz": "uccsd"},
    "maxcut-qaoa": {"problem": "maxcut", "nodes": 10, "ansatz": "qaoa", "reps": 2},
    "tfim-hva": {"problem": "tfim", "ansatz": "hva", "reps": 6},
    "xxz-hva": {"problem": "xxz", "qubits": 4, "ansatz": "hva", "reps": 2},
}


@pytest.mark.parametrize("name", COMBINATIONS)
def test_each_combination_has_the_same_exact_energy_on_aer_and_pennylane(vqe, name):
    aer = vqe(**COMBINATIONS[name], shots="exact")
    pennylane = vqe(**COMBINATIONS[name], shots="exact", backend="pennylane", device="default.qubit")
    assert aer.dim == pennylane.dim
    rng = np.random.default_rng(7)
    thetas = rng.uniform(-np.pi, np.pi, (3, aer.dim))
    values = aer.evaluate(thetas, rng).values
    np.testing.assert_allclose(pennylane.evaluate(thetas, rng).values, values, atol=1e-8)
    assert np.ptp(values) > 1e-3  # the angles act: a circuit that ignored θ would also agree


def sector_minimum(hamiltonian, sector: ParticleSector) -> float:
    """Dense diagonalization of H restricted to the sector's basis states (independent of Lanczos)."""
    basis = sector.basis(hamiltonian.num_qubits)
    return float(np.linalg.eigvalsh(hamiltonian.to_matrix()[np.ix_(basis, basis)])[0])


@pytest.mark.parametrize(
    ("name", "known"),
    [("hubbard-2x2-hva", None), ("lih-uccsd", -7.8631), ("h2-uccsd", -1.137306)],
)
def test_references_are_the_ground_energy_in_the_problems_particle_sector(vqe, name, known):
    objective = vqe(**COMBINATIONS[name], shots="exact")
    config = VQEConfig(**COMBINATIONS[name])
    problem = build_problem(config.problem, problem_spec(config.problem).parameters_from(config))
    reference = objective.metrics(np.zeros(objective.dim))["exact_ground_energy"]
    assert reference == pytest.approx(sector_minimum(problem.hamiltonian, problem.sector), abs=1e-9)
    if known is not None:
        assert reference == pytest.approx(known, abs=1e-4)


def test_the_hubbard_sector_matters_half_filling_is_not_the_global_minimum(vqe):
    objective = vqe(**COMBINATIONS["hubbard-2x2-hva"], shots="exact")
    everywhere = np.linalg.eigvalsh(objective.hamiltonian.to_matrix())[0]
    assert objective.metrics(np.zeros(objective.dim))["exact_ground_energy"] > everywhere + 0.1


def test_uccsd_starts_at_hartree_fock_and_hva_qaoa_near_zero(vqe):
    rng = np.random.default_rng(0)
    lih = vqe(**COMBINATIONS["lih-uccsd"], shots="exact")
    np.testing.assert_array_equal(lih.initial_point(rng), np.zeros(lih.dim))
    hartree_fock = lih.metrics(np.zeros(lih.dim))["energy"]
    assert hartree_fock == pytest.approx(-7.8620, abs=5e-3)  # above E0 = -7.8631 by the correlation
    for name in ("tfim-hva", "maxcut-qaoa"):
        start = vqe(**COMBINATIONS[name], shots="exact").initial_point(rng)
        assert 0 < np.abs(start).max() < 0.6


def test_maxcut_reports_the_approximation_ratio(vqe):
    objective = vqe(**COMBINATIONS["maxcut-qaoa"], shots="exact")
    metrics = objective.metrics(np.array([0.3, -0.2, 0.5, 0.1]))
    assert metrics["approximation_ratio"] == pytest.approx(
        -metrics["energy"] / -metrics["exact_ground_energy"]
    )
    assert 0.5 < metrics["approximation_ratio"] < 1.0


@pytest.mark.parametrize("name", ["tfim-hva", "hubbard-2x2-hva"])
def test_parameter_shift_on_shared_hva_angles_equals_finite_differences(vqe, name):
    objective = vqe(**COMBINATIONS[name], shots="exact")
    assert any(len(f) > 1 for f in objective.frequencies())  # shared angles: more than one frequency
    rng = np.random.default_rng(3)
    theta = rng.uniform(-1, 1, objective.dim)
    gradient = CoordinateGradient(shift=np.pi / 2, rule="parameter-shift")(objective, theta, 0, rng).gradient
    step, eye = 1e-5, np.eye(objective.dim)
    values = objective.evaluate(np.concatenate([theta + step * eye, theta - step * eye]), rng).values
    differences = (values[: objective.dim] - values[objective.dim :]) / (2 * step)
    np.testing.assert_allclose(gradient, differences, atol=1e-6)


def test_from_qiskit_keeps_the_circuit_and_refuses_what_it_cannot_render():
    a, b = Parameter("a"), Parameter("b")
    block = QuantumCircuit(2)
    block.rzz(-0.5 * b, 0, 1)
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.append(block.to_gate(), [2, 0])  # a composite, read through its definition
    qc.rx(3 * a, 1)
    circuit = from_qiskit(qc)
    assert circuit.num_parameters == 2 and [g.name for g in circuit.gates] == ["h", "rzz", "rx"]
    assert circuit.gates[1].qubits == (2, 0) and circuit.gates[1][2:] == (1, -0.5)  # b is parameter 1
    from qiskit.quantum_info import Operator

    values = {a: 0.4, b: -1.1}
    rendered = to_qiskit(circuit).assign_parameters([0.4, -1.1])
    assert Operator(rendered).equiv(Operator(qc.assign_parameters(values)))
    for build, message in [
        (lambda c: c.ry(0.5, 0), "gate ry on qubits [0] has the angle 0.5"),
        (lambda c: c.rx(a + b, 0), "one parameter"),
        (lambda c: c.rz(a + 1, 0), "offset by 1"),
        (lambda c: c.t(0), "gate 't' on qubits [0] is not one"),
    ]:
        bad = QuantumCircuit(1)
        build(bad)
        with pytest.raises(ConfigError, match=re.escape(message)):
            from_qiskit(bad)


CLI_RUNS = {
    "hubbard-2x2-hva": ["rows=2", "cols=2", "ansatz=hva", "reps=2", "problem=fermi-hubbard"],
    "lih-uccsd": ["problem=molecule", "molecule=LiH", "ansatz=uccsd"],
    "maxcut-qaoa": ["problem=maxcut", "nodes=10", "ansatz=qaoa", "reps=2"],
    "tfim-hva": ["problem=tfim", "ansatz=hva", "reps=6"],
}


def run_cli(tmp_path, settings, backend, shots, capsys):
    sets = [part for s in [*settings, f"backend={backend}", f"shots={shots}"] for part in ("--set", s)]
    out = tmp_path / "run"
    code = main(
        [
            "--no-progress",
            "--objective",
            "vqe",
            "--optimizer",
            "spsa",
            "--steps",
            "2",
            "--out",
            str(out),
            *sets,
        ]
    )
    return code, capsys.readouterr(), out


@pytest.mark.parametrize("name", CLI_RUNS)
@pytest.mark.parametrize(("backend", "shots"), [("aer", "exact"), ("pennylane", 100)])
def test_a_short_cli_run_of_each_combination_reports_the_energy_error(tmp_path, capsys, name, backend, shots):
    code, output, out = run_cli(tmp_path, CLI_RUNS[name], backend, shots, capsys)
    assert code == 0, output.err
    assert re.search(r"energy_error -?\d", output.out) and (out / "summary.json").exists()
    if name == "maxcut-qaoa":
        assert re.search(r"approximation_ratio 0\.\d", output.out)


def test_a_wrong_combination_is_one_line_and_exit_2(tmp_path, capsys):
    code, output, out = run_cli(tmp_path, ["problem=tfim", "ansatz=qaoa"], "aer", "exact", capsys)
    assert code == 2 and not out.exists()
    assert output.err.count("\n") == 1
    assert "ansatz 'qaoa' is built for problem maxcut" in output.err and "not problem 'tfim'" in output.err


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"problem": "fermi-hubbard", "rows": 1, "cols": 3}, "even number of sites"),
        ({"problem": "molecule", "molecule": "LIH"}, "Did you mean 'LiH'?"),
        ({"problem": "maxcut", "nodes": 7}, "nodes × degree must be even"),
        ({"problem": "maxcut", "ansatz": "qaoa", "reps": 0}, "reps must be >= 1"),
    ],
)
def test_bad_parameters_of_the_new_problems_are_refused_on_construction(params, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        VQEConfig(**params)
