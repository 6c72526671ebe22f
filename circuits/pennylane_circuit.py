"""A user's PennyLane quantum function as a circuit: its gates per parameter row, checked once.

``function(params)`` applies gates on ``wires`` for a 1-D array of ``num_params`` values (any
PennyLane operations and templates; what it returns is ignored; a ``QNode`` is read as its
quantum function). With ``broadcast=True`` it is
instead called once per batch with a ``(num_params, B)`` array whose rows are PennyLane's
broadcast parameters (every gate then receives a (B,) vector of angles), which is how the built-in
ansätze run a batch as one tape. Qubit ``q`` of the objective is ``wires[q]``.

Imports PennyLane (and ``qiskit.quantum_info`` for the observable), never Qiskit Aer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pennylane as qml
from pennylane.ops.functions import bind_new_parameters
from qiskit.quantum_info import SparsePauliOp

from circuits.spectrum import Occurrence, affine_slopes, parameter_frequencies
from zeroth_q.errors import ConfigError

QuantumFunction = Callable[[Any], Any]


class PennyLaneCircuit:
    """``function`` on ``wires`` with ``num_params`` parameters (module docstring)."""

    def __init__(
        self, function: QuantumFunction, wires: int | Sequence[Any], num_params: int, broadcast: bool = False
    ):
        if not callable(function):
            raise ConfigError(f"a PennyLane circuit is a function f(params), got {type(function).__name__}.")
        if not isinstance(num_params, int | np.integer) or num_params < 1:
            raise ConfigError(
                f"num_params must be the number of parameters f(params) reads (>= 1), got {num_params!r}."
            )
        # A QNode's own quantum function: calling the QNode would run it on its device instead.
        self.function = function.func if isinstance(function, qml.QNode) else function
        self.wires = list(range(wires)) if isinstance(wires, int | np.integer) else list(wires)
        self.num_qubits = len(self.wires)
        self.num_parameters = int(num_params)
        self.broadcast = broadcast
        self._check(self.operations(np.zeros((1, self.num_parameters)))[0])

    def _check(self, operations: list[qml.operation.Operator]) -> None:
        used = {w for op in operations for w in op.wires}
        foreign = sorted(map(str, used.difference(self.wires)))
        if foreign:
            raise ConfigError(
                f"the PennyLane function uses wires {', '.join(foreign)} that are not in wires={self.wires}; "
                f"pass every wire it acts on in wires=."
            )

    def record(self, theta: Any) -> list[qml.operation.Operator]:
        """The operations ``function(theta)`` applies (not queued anywhere)."""
        try:
            return list(qml.tape.make_qscript(self.function)(theta).operations)
        except Exception as error:  # a user's function: report what it raised, and how to call it
            raise ConfigError(
                f"the PennyLane function raised {type(error).__name__}: {error}; it must accept a 1-D "
                f"array of num_params={self.num_parameters} values and apply gates on wires {self.wires}."
            ) from None

    def operations(self, thetas: np.ndarray) -> list[list[qml.operation.Operator]]:
        """The gate lists of a (B, P) batch: one broadcast list, or one list per row."""
        if self.broadcast:
            return [self.record(thetas.T)]
        return [self.record(row) for row in thetas]

    def batch_tapes(
        self,
        thetas: np.ndarray,
        measurements: Callable[[], list[Any]],
        extra: Sequence[qml.operation.Operator] = (),
        shots: int | None = None,
    ) -> list[qml.tape.QuantumScript]:
        """Tapes of the batch's circuits followed by ``extra`` gates and ``measurements()``."""
        return [
            qml.tape.QuantumScript([*ops, *extra], measurements(), shots=shots)
            for ops in self.operations(thetas)
        ]

    def frequencies(self) -> tuple[tuple[float, ...], ...]:
        """Per parameter, the frequencies of the expectation (:mod:`circuits.spectrum`), from the
        elementary one-angle gates the function applies, their angles probed for slopes."""

        def gates(theta: np.ndarray) -> list[qml.operation.Operator]:
            recorded = self.record(theta[:, None] if self.broadcast else theta)
            return [e for op in recorded for e in _elementary(op)]

        reference = gates(np.zeros(self.num_parameters))
        names = [f"{op.name} on wires {list(op.wires)}" for op in reference]

        def angles(theta: np.ndarray) -> np.ndarray:
            ops = gates(theta)
            if [(op.name, op.wires) for op in ops] != [(op.name, op.wires) for op in reference]:
                raise ConfigError(
                    "the PennyLane function applies different gates for different parameters; "
                    "the gates must be fixed and only their angles depend on params."
                )
            return np.array([_angle(op) for op in ops], dtype=float)

        slopes = affine_slopes(angles, self.num_parameters, names)
        occurrences = (
            Occurrence(name, _unitary(op), slope)
            for op, name, slope in zip(reference, names, slopes, strict=True)
        )
        return parameter_frequencies(occurrences, self.num_parameters)


def _elementary(op: qml.operation.Operator) -> list[qml.operation.Operator]:
    """``op`` decomposed until every parametrized gate has one angle and a matrix."""
    if op.num_params == 0 or (op.num_params == 1 and op.has_matrix and np.size(op.data[0]) == 1):
        return [op] if op.num_params else []
    if not op.has_decomposition:
        raise ConfigError(
            f"gate {op.name} has {op.num_params} parameters and no decomposition into one-angle gates, "
            f"so its parameter-shift rule is unknown; use gates with one angle each."
        )
    return [e for part in op.decomposition() for e in _elementary(part)]


def _angle(op: qml.operation.Operator) -> float:
    return float(np.ravel(np.asarray(op.data[0], dtype=float))[0])


def _unitary(op: qml.operation.Operator) -> Callable[[float], np.ndarray]:
    return lambda a: qml.matrix(bind_new_parameters(op, (a,)), wire_order=op.wires)


def to_pennylane(operator: SparsePauliOp, wires: Sequence[Any] | None = None) -> qml.operation.Operator:
    """A ``SparsePauliOp`` as a PennyLane linear combination; Qiskit qubit q is ``wires[q]``."""
    wires = list(range(operator.num_qubits)) if wires is None else list(wires)
    words = [
        qml.pauli.PauliWord({wires[q]: p for q, p in enumerate(reversed(label)) if p != "I"}).operation()
        for label in operator.paulis.to_labels()
    ]
    return qml.Hamiltonian(operator.coeffs.real.tolist(), words)


def from_pennylane(operator: Any, wires: Sequence[Any]) -> SparsePauliOp:
    """A PennyLane observable (``qml.Hamiltonian``, ``Sum``, ``LinearCombination``, a Pauli word) as
    a ``SparsePauliOp`` on ``len(wires)`` qubits, qubit q = ``wires[q]``."""
    try:
        sentence = qml.pauli.pauli_sentence(operator)
    except Exception:
        raise ConfigError(
            f"the observable {type(operator).__name__} is not a sum of Pauli words; pass a "
            f"qml.Hamiltonian or a sum of products of qml.X/Y/Z/I with real coefficients."
        ) from None
    position = {w: q for q, w in enumerate(wires)}
    terms = []
    for word, coefficient in sentence.items():
        foreign = [w for w in word if w not in position]
        if foreign:
            raise ConfigError(
                f"the observable acts on wires {foreign} that are not in wires={list(wires)}; "
                f"pass every wire of the observable in wires=."
            )
        terms.append(("".join(word.values()), [position[w] for w in word], coefficient))
    if not terms:
        return SparsePauliOp("I" * len(wires), 0.0)
    return SparsePauliOp.from_sparse_list(terms, len(wires))
