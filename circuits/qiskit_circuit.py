"""A user's Qiskit circuit as an objective's circuit: checked, stripped, and its frequencies.

Parameter order is ``circuit.parameters``: Qiskit's own sorted order (by name, with the elements
of a ``ParameterVector`` in index order), the column order of every parameter array. Final
measurements and barriers are removed (the objective adds its own measurements); a measurement
or reset in the middle, or classical control flow, is refused. Imports ``qiskit`` (circuits and
``quantum_info``), never Qiskit Aer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import get_args

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp, Parameter, ParameterExpression, ParameterVector
from qiskit.quantum_info import Operator, SparsePauliOp

from circuits.ansatz import Circuit, Gate, GateName
from circuits.spectrum import Occurrence, parameter_frequencies
from zeroth_q.errors import ConfigError

STRIPPED = ("barrier",)
_HELD = 0.37  # value of a gate's other symbolic angles while one angle's generator is found


def to_qiskit(circuit: Circuit, extra: Sequence[Gate] = ()) -> QuantumCircuit:
    """A built-in gate list as a ``QuantumCircuit`` over ``ParameterVector("θ", P)``;
    ``circuit.parameters`` is then θ[0], …, θ[P-1] in index order."""
    theta = ParameterVector("θ", circuit.num_parameters)
    qc = QuantumCircuit(circuit.num_qubits)
    for gate in (*circuit.gates, *extra):
        angle = () if gate.parameter is None else (gate.angle(theta),)
        getattr(qc, gate.name)(*angle, *gate.qubits)
    return qc


def from_qiskit(circuit: QuantumCircuit, initial_point: str = "small") -> Circuit:
    """A Qiskit circuit as a backend-neutral gate list, so that one builder serves both backends.

    Parameter k of the result is ``circuit.parameters[k]`` (Qiskit's sorted order: names
    alphabetically, a ``ParameterVector``'s elements by index). Every gate must be one of
    :data:`circuits.ansatz.GateName` with each angle ``scale · θ`` for ONE parameter θ (no offset,
    no constant angle); a composite gate (``to_gate()``, a library block) is read through its
    definition; barriers are skipped and the global phase dropped (no expectation sees it).
    Anything else is refused, naming the gate. ``initial_point`` is where training starts
    (:attr:`circuits.ansatz.Circuit.initial_point`)."""
    index = {p: i for i, p in enumerate(circuit.parameters)}
    gates = tuple(_neutral_gates(circuit, index, list(range(circuit.num_qubits))))
    return Circuit(circuit.num_qubits, len(index), gates, initial_point)


_NEUTRAL = frozenset(get_args(GateName))


def _neutral_gates(circuit: QuantumCircuit, index: dict[Parameter, int], qubits: list[int]) -> Iterator[Gate]:
    for instruction in circuit.data:
        operation = instruction.operation
        on = tuple(qubits[circuit.find_bit(q).index] for q in instruction.qubits)
        if operation.name in STRIPPED:
            continue
        if operation.name not in _NEUTRAL:
            if getattr(operation, "_standard_gate", None) is None and operation.definition is not None:
                yield from _neutral_gates(operation.definition, index, list(on))
                continue
            raise ConfigError(
                f"gate {operation.name!r} on qubits {list(on)} is not one the built-in ansätze render on "
                f"both backends ({', '.join(sorted(_NEUTRAL))}); build the circuit from those."
            )
        if not operation.params:
            yield Gate(operation.name, on)
            continue
        (angle,) = operation.params
        parameters = angle.parameters if isinstance(angle, ParameterExpression) else set()
        name = f"{operation.name} on qubits {list(on)}"
        if len(parameters) != 1:
            raise ConfigError(
                f"gate {name} has the angle {angle}: a built-in ansatz's angle is scale·θ for one "
                f"parameter θ (a fixed rotation or a sum of parameters cannot be rendered)."
            )
        (parameter,) = parameters
        scale = _slope(angle, parameter, name)
        offset = complex(angle.bind({parameter: 0.0}))
        if abs(offset) > 1e-12:
            raise ConfigError(f"gate {name} has the angle {angle}, offset by {offset.real:g}: use scale·θ.")
        yield Gate(operation.name, on, index[parameter], scale)


def prepare_circuit(circuit: QuantumCircuit) -> QuantumCircuit:
    """``circuit`` on one register of its qubits, without final measurements and barriers."""
    if not isinstance(circuit, QuantumCircuit):
        raise ConfigError(f"expected a qiskit QuantumCircuit, got {type(circuit).__name__}.")
    stripped = circuit.remove_final_measurements(inplace=False)
    prepared = QuantumCircuit(stripped.num_qubits, global_phase=stripped.global_phase)
    for instruction in stripped.data:
        name = instruction.operation.name
        if name in STRIPPED:
            continue
        if name in ("measure", "reset") or isinstance(instruction.operation, ControlFlowOp):
            raise ConfigError(
                f"the circuit has a {name!r} before its end; an objective measures once, after all gates: "
                f"remove mid-circuit {name} operations (final measurements and barriers are removed for you)."
            )
        qubits = [stripped.find_bit(q).index for q in instruction.qubits]
        prepared.append(instruction.operation, qubits)
    if not prepared.parameters:
        raise ConfigError(
            "the circuit has no unbound parameters, so there is nothing to train; build it with "
            "qiskit.circuit.Parameter or ParameterVector angles."
        )
    return prepared


def prepare_observable(observable: SparsePauliOp, num_qubits: int) -> SparsePauliOp:
    """The observable on ``num_qubits`` qubits (identity on qubits it does not name), checked real."""
    if not isinstance(observable, SparsePauliOp):
        raise ConfigError(
            f"a Qiskit circuit's observable is a qiskit.quantum_info.SparsePauliOp, "
            f"got {type(observable).__name__}."
        )
    if observable.num_qubits > num_qubits:
        raise ConfigError(
            f"the observable acts on {observable.num_qubits} qubits but the circuit has {num_qubits}; "
            f"build the observable on the circuit's qubits (or add qubits to the circuit)."
        )
    observable = observable.simplify()
    if np.any(np.abs(np.imag(observable.coeffs)) > 1e-12):
        raise ConfigError(
            "the observable has complex coefficients, so it is not Hermitian and its energy is not real; "
            "use real coefficients (H = H†)."
        )
    if observable.num_qubits < num_qubits:
        observable = observable.apply_layout(None, num_qubits)
    return SparsePauliOp(observable.paulis, observable.coeffs.real.astype(complex))


def gate_names(circuit: QuantumCircuit) -> tuple[set[str], set[str]]:
    """The names of the circuit's one- and two-qubit gates (where depolarizing noise acts)."""
    names: tuple[set[str], set[str]] = (set(), set())
    for instruction in circuit.data:
        width = instruction.operation.num_qubits
        if width in (1, 2):
            names[width - 1].add(instruction.operation.name)
    return names


def circuit_frequencies(circuit: QuantumCircuit) -> tuple[tuple[float, ...], ...]:
    """Per parameter (``circuit.parameters`` order), the frequencies of the expectation
    (:mod:`circuits.spectrum`); an angle that is not affine in the parameters is refused."""
    index = {p: i for i, p in enumerate(circuit.parameters)}
    return parameter_frequencies(_occurrences(circuit, index), len(index))


def _occurrences(
    circuit: QuantumCircuit, index: dict[Parameter, int], qubits: Sequence[int] | None = None
) -> Iterator[Occurrence]:
    """Every symbolic angle of a Qiskit standard gate; a composite gate (``to_gate()``, a library
    block such as ``QAOAAnsatz``'s or a ``PauliEvolutionGate``) is read through its definition,
    which holds the same Parameter objects."""
    qubits = list(range(circuit.num_qubits)) if qubits is None else list(qubits)
    for instruction in circuit.data:
        operation = instruction.operation
        on = [qubits[circuit.find_bit(q).index] for q in instruction.qubits]
        symbolic = [isinstance(a, ParameterExpression) and a.parameters for a in operation.params]
        if not any(symbolic):
            continue
        if getattr(operation, "_standard_gate", None) is None and operation.definition is not None:
            yield from _occurrences(operation.definition, index, on)
            continue
        name = f"{operation.name} on qubits {on}"
        for position, angle in enumerate(operation.params):
            if symbolic[position]:
                slopes = {index[p]: _slope(angle, p, name) for p in angle.parameters}
                yield Occurrence(name, _unitary(operation, position), slopes)


def _slope(angle: ParameterExpression, parameter: Parameter, name: str) -> float:
    slope = angle.gradient(parameter)
    if isinstance(slope, ParameterExpression):
        if slope.parameters:
            raise ConfigError(
                f"the angle {angle} of gate {name} is not an affine function of the parameters (c·θ + d), so "
                f"no parameter-shift rule applies; use angles such as 2*θ or θ + φ."
            )
        slope = complex(slope)
    return float(np.real(slope))


def _unitary(operation: object, position: int) -> Callable[[float], np.ndarray]:
    """The gate's matrix as a function of its angle ``position``, other symbolic angles held."""
    held = [
        _HELD if isinstance(p, ParameterExpression) and p.parameters else p
        for p in operation.params  # type: ignore[attr-defined]
    ]

    def unitary(a: float) -> np.ndarray:
        gate = operation.copy()  # type: ignore[attr-defined]
        gate.params = [a if k == position else value for k, value in enumerate(held)]
        return Operator(gate).data

    return unitary
