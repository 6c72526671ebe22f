"""``--objective circuit --set source=module:function`` end to end, and each backend importing only itself.

The ``circuit`` objective is found through its entry point in pyproject.toml. The subprocesses
see it through a dist-info directory written from that very entry (the shared environment may hold
an older install of the project), so a wrong entry in pyproject.toml fails here too.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from circuits.specs import CIRCUIT
from zeroth_q import ConfigError

ROOT = Path(__file__).resolve().parents[2]
SOURCES = """
import pennylane as qml
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp

EDGES = [(0, 1), (1, 2), (2, 0)]


def qaoa():
    gamma, beta = Parameter("gamma"), Parameter("beta")
    qc = QuantumCircuit(3)
    qc.h(range(3))
    for i, j in EDGES:
        qc.rzz(2 * gamma, i, j)
    qc.rx(2 * beta, range(3))
    return qc, SparsePauliOp.from_sparse_list([("ZZ", list(e), 0.5) for e in EDGES], 3)


def qaoa_pennylane():
    def f(p):
        for w in range(3):
            qml.Hadamard(w)
        for i, j in EDGES:
            qml.IsingZZ(2 * p[0], wires=[i, j])
        for w in range(3):
            qml.RX(2 * p[1], wires=w)

    return f, qml.dot([0.5] * 3, [qml.Z(i) @ qml.Z(j) for i, j in EDGES]), {"wires": 3, "num_params": 2}


def wrong_types():
    return "not a circuit", 3


def unbound():
    qc = QuantumCircuit(2)
    qc.rx(0.5, 0)
    return qc, SparsePauliOp("ZZ")


def wide_observable():
    return qaoa()[0], SparsePauliOp("ZZZZ")


def complex_coefficients():
    return qaoa()[0], SparsePauliOp(["ZZI", "XII"], [1.0, 1j])


def raises():
    raise RuntimeError("no circuit today")


def pennylane_raises():
    def f(p):
        raise ValueError("bad gate")

    return f, qml.Z(0), {"wires": 2, "num_params": 1}


def pennylane_foreign_wires():
    def f(p):
        qml.RX(p[0], wires="ancilla")

    return f, qml.Z(0), {"wires": 2, "num_params": 1}
"""


@pytest.fixture
def sources(tmp_path, monkeypatch):
    """The user's module on sys.path (here and for subprocesses) and the entry point's dist-info."""
    (tmp_path / "user_circuits.py").write_text(SOURCES)
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"][
        "zeroth_q.objectives"
    ]
    info = tmp_path / "zeroth_q_circuit_entry-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: zeroth-q-circuit-entry\nVersion: 0\n")
    (info / "entry_points.txt").write_text(f"[zeroth_q.objectives]\ncircuit = {entry['circuit']}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def environment(path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(path), str(ROOT)])}


def run(path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "zeroth_q.run", "--no-progress", "--objective", "circuit", *args]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=path, env=environment(path), timeout=300
    )


def test_a_user_circuit_trains_from_the_command_line(sources):
    out = sources / "run"
    settings = ["--set", "source=user_circuits:qaoa", "--set", "shots=200", "--set", "lr=0.1"]
    proc = run(sources, "--steps", "3", "--out", str(out), *settings)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps"] == 3
    # 2 parameters with frequencies (2, 4, 6): 12 shifted rows + the centre, 1 group of 200 shots
    assert summary["evaluations"] == 3 * 13 + 1 and summary["shots"] == summary["evaluations"] * 200


def test_bad_input_exits_2_with_one_line_and_no_run_directory(sources):
    out = sources / "run"
    proc = run(
        sources, "--steps", "3", "--out", str(out), "--set", "source=user_circuits:complex_coefficients"
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "complex coefficients" in proc.stderr
    assert not out.exists()


BAD = {
    "missing_module:build": "does not import",
    "user_circuits:nothing": "has no function 'nothing'",
    "user_circuits:wrong_types": "returned (str, int)",
    "user_circuits:unbound": "no unbound parameters",
    "user_circuits:wide_observable": "acts on 4 qubits but the circuit has 3",
    "user_circuits:complex_coefficients": "complex coefficients",
    "user_circuits:raises": "raised RuntimeError: no circuit today",
    "user_circuits:pennylane_raises": "raised ValueError: bad gate",
    "user_circuits:pennylane_foreign_wires": "uses wires ancilla",
    "no_colon": "package.module:function",
}


@pytest.mark.parametrize("source", BAD)
def test_every_bad_source_is_one_config_error(sources, source):
    with pytest.raises(ConfigError, match=re.escape(BAD[source])) as error:
        CIRCUIT.build(CIRCUIT.make_config({"source": source, "shots": "exact"}))
    assert "\n" not in str(error.value)


def test_a_pennylane_source_builds_with_the_same_energy(sources):
    qiskit = CIRCUIT.build(CIRCUIT.make_config({"source": "user_circuits:qaoa", "shots": "exact"}))
    pennylane = CIRCUIT.build(
        CIRCUIT.make_config(
            {"source": "user_circuits:qaoa_pennylane", "shots": "exact", "device": "default.qubit"}
        )
    )
    theta = [[0.3, -0.8]]
    assert qiskit.evaluate(theta, None).values == pytest.approx(
        pennylane.evaluate(theta, None).values, abs=1e-12
    )
    assert qiskit.frequencies() == pennylane.frequencies() == ((2.0, 4.0, 6.0), (2.0, 4.0, 6.0))


ISOLATION = """
import sys
from circuits import circuit_objective
{build}
import numpy as np
objective.evaluate(np.full((1, objective.dim), 0.1), np.random.default_rng(0))
print(sorted(m for m in ("pennylane", "qiskit_aer") if m in sys.modules))
"""
BUILDS = {
    "aer": """
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp
qc = QuantumCircuit(2)
qc.rx(Parameter("t"), 0)
objective = circuit_objective(qc, SparsePauliOp("ZZ"), shots=100)
""",
    "pennylane": """
import pennylane as qml
objective = circuit_objective(lambda p: qml.RX(p[0], wires=0), qml.Z(0) @ qml.Z(1), wires=2, num_params=1,
                              shots=100, device="default.qubit")
""",
}


@pytest.mark.parametrize(("backend", "imported"), [("aer", "['qiskit_aer']"), ("pennylane", "['pennylane']")])
def test_each_backend_imports_only_itself(backend, imported):
    code = ISOLATION.format(build=textwrap.dedent(BUILDS[backend]))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment(ROOT), timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == imported
