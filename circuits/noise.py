"""Device noise for the VQE: depolarizing gates and readout error, or a fake IBM device.

:class:`DepolarizingNoise` is the textbook model, the same on both simulators:

* after every ansatz gate on k qubits (k = 1: RY, RZ; k = 2: CNOT) the depolarizing
  channel E(ρ) = (1 - λ_k) ρ + λ_k Tr(ρ) 1/2^k (Nielsen & Chuang, eq. 8.102; Qiskit's
  ``depolarizing_error(λ, k)``). In Pauli form E(ρ) = (1 - λ_k (4^k - 1)/4^k) ρ +
  λ_k/4^k Σ_{P ≠ 1} P ρ P, so PennyLane's ``DepolarizingChannel(p)`` is the 1-qubit case
  with p = 3λ/4 and the 2-qubit case is a ``QubitChannel`` with the 16 Pauli Kraus operators;
* readout: each qubit's reported bit is flipped with probability e, the confusion
  matrix A = [[1 - e, e], [e, 1 - e]] (columns: prepared bit, rows: reported bit).

The measurement-basis changes (H, S†) are noiseless: one or two single-qubit gates per
qubit, where readout and the ansatz's CNOTs dominate. The sampled path simulates the
density matrix (Aer ``density_matrix`` method / PennyLane ``default.mixed``), takes the
outcome probabilities of each basis from it and applies A (:mod:`circuits.measurement`).

``fake_<name>`` (e.g. ``fake_manila``) takes Aer's noise model of a fake backend of
``qiskit-ibm-runtime`` (``NoiseModel.from_backend_properties``: gate errors, thermal
relaxation, asymmetric readout), with the circuit transpiled for that backend (optional
extra ``zeroth-q[ibm]``). The sampled path then reproduces that fake backend's own
simulation (qiskit-ibm-runtime's local testing mode) up to the basis-change gates.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import reduce
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from zeroth_q.errors import ConfigError

if TYPE_CHECKING:  # Aer only where an Aer model is built: the PennyLane path never imports it
    from qiskit.transpiler import PassManager
    from qiskit_aer.noise import NoiseModel

_PAULIS = (np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0]))


class DepolarizingNoise(NamedTuple):
    one_qubit: float
    two_qubit: float
    readout: float

    def aer_noise_model(self, gates: tuple[Sequence[str], Sequence[str]]) -> NoiseModel:
        """The model as Qiskit Aer applies it, after the named one- and two-qubit ``gates`` (the
        circuit's own; the readout error acts on ``measure``, so on the primitive path; the counts
        path applies :meth:`confusion` itself)."""
        from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

        model = NoiseModel()
        one_qubit, two_qubit = gates
        if self.one_qubit and one_qubit:
            model.add_all_qubit_quantum_error(depolarizing_error(self.one_qubit, 1), sorted(one_qubit))
        if self.two_qubit and two_qubit:
            model.add_all_qubit_quantum_error(depolarizing_error(self.two_qubit, 2), sorted(two_qubit))
        if self.readout:
            model.add_all_qubit_readout_error(ReadoutError(_symmetric(self.readout).T))
        return model

    def confusion(self, num_qubits: int) -> list[np.ndarray]:
        return [_symmetric(self.readout)] * num_qubits

    def kraus(self, num_qubits: int) -> list[np.ndarray]:
        """Kraus operators of the k-qubit channel: √(weight) P over the Pauli strings P."""
        rate = self.one_qubit if num_qubits == 1 else self.two_qubit
        paulis = [reduce(np.kron, word) for word in itertools.product(_PAULIS, repeat=num_qubits)]
        identity_weight = 1 - rate * (len(paulis) - 1) / len(paulis)
        weights = [identity_weight] + [rate / len(paulis)] * (len(paulis) - 1)
        return [np.sqrt(w) * p for w, p in zip(weights, paulis, strict=True)]


def _symmetric(flip: float) -> np.ndarray:
    return np.array([[1 - flip, flip], [flip, 1 - flip]])


def fake_backend(name: str) -> Any:
    """The ``qiskit_ibm_runtime.fake_provider`` backend called ``fake_<name>`` (V2 class)."""
    try:
        from qiskit_ibm_runtime import fake_provider
    except ImportError as error:
        raise ConfigError(f"noise={name!r} needs qiskit-ibm-runtime: pip install 'zeroth-q[ibm]'.") from error
    stem = "Fake" + name.removeprefix("fake_").capitalize()
    backend = getattr(fake_provider, stem + "V2", None) or getattr(fake_provider, stem, None)
    if backend is None:
        known = sorted(n for n in dir(fake_provider) if n.startswith("Fake") and "Provider" not in n)
        raise ConfigError(f"unknown fake backend {name!r}; qiskit-ibm-runtime has e.g. {known[:6]}.")
    return backend()


def readout_confusion(model: NoiseModel, physical: list[int]) -> list[np.ndarray]:
    """Per measured qubit (physical index), A[r, b] = P(r | b) from the model's readout errors
    (its ``to_dict`` form; identity where the model has none)."""
    errors = {tuple(e["gate_qubits"][0]): np.array(e["probabilities"]) for e in _readout_entries(model)}
    default = errors.pop((), np.eye(2)) if () in errors else np.eye(2)
    return [errors.get((q,), default).T for q in physical]


def _readout_entries(model: NoiseModel) -> list[dict]:
    entries = [e for e in model.to_dict()["errors"] if e["type"] == "roerror"]
    for entry in entries:  # an all-qubit readout error has no gate_qubits
        entry.setdefault("gate_qubits", [()])
    return entries


def qiskit_noise(
    noise: str, rates: DepolarizingNoise, gates: tuple[Sequence[str], Sequence[str]]
) -> tuple[NoiseModel | None, PassManager | None]:
    """Aer's noise model for the config's ``noise`` (depolarizing after the circuit's one- and
    two-qubit ``gates``) and, for a fake device, the pass manager that transpiles the circuits for
    it (None: Aer's own gate set)."""
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_aer.noise import NoiseModel

    if noise == "none":
        return None, None
    if noise == "depolarizing":
        return rates.aer_noise_model(gates), None
    backend = fake_backend(noise)
    pass_manager = generate_preset_pass_manager(optimization_level=1, backend=backend)
    # The snapshot's own properties, as the fake backend's ``run`` (and so qiskit-ibm-runtime's
    # local testing mode) builds its model: asymmetric readout P(0|1) ≠ P(1|0), where
    # NoiseModel.from_backend(target) would use the symmetric average.
    model = NoiseModel.from_backend_properties(backend.properties(), dt=backend.dt)
    return model, pass_manager
