"""A circuit on Qiskit primitives V2: Aer by default, any EstimatorV2/SamplerV2 on request.

The circuit is a parameterized ``QuantumCircuit`` (a user's, or a built-in ansatz rendered by
:func:`circuits.qiskit_circuit.to_qiskit`), its columns ``circuit.parameters``. Everything that
does not depend on θ happens once, in the constructor: the circuit is transpiled with
``pass_manager`` (without one, only if Aer does not run all its gates natively), and the
observables are laid out on the transpiled qubits and coerced to
``ObservablesArray``. A call then is one primitive job whose PUB carries the whole (B, P)
parameter array, i.e. B bound circuits simulated in one ``AerSimulator.run`` (Aer
parallelizes over bindings).

Hardware or another simulator drops in through the same interface: pass
``estimator=`` (e.g. ``qiskit_ibm_runtime.EstimatorV2(mode=backend)``), ``sampler=`` and
``pass_manager=generate_preset_pass_manager(optimization_level=1, backend=backend)`` so
the circuits are ISA circuits for that backend. Only Aer's sampler is seeded from the
objective's rng; a user sampler draws its own randomness.

Outcome probabilities (the default ``sampled`` path, :class:`circuits.shot_models.SampledCounts`)
come from one ``AerSimulator.run`` of the untranspiled ansatz (Aer runs its gates natively),
all B parameter rows bound in that one run: after the ansatz, each measurement basis is
rotated onto Z, ``save_probabilities`` keeps its 2^n outcome probabilities, and the rotation
is undone before the next basis. Aer thus returns G real vectors per row instead of the
complex statevector that NumPy would rotate qubit by qubit (at n = 20 that NumPy rotation
took as long as the simulation, and the B complex states, their copies and the B x G
probabilities peaked at 3.9 GB for a 50-row batch). The rotations are ``UnitaryGate``s
labelled :data:`BASIS_CHANGE`, a name no noise model gives an error to, so they stay
noiseless as :mod:`circuits.noise` states.
With a ``noise_model`` (:mod:`circuits.noise`) the transpiled circuit is run with the
``density_matrix`` method and the probabilities are those of the measured physical qubits;
the model's readout errors are then applied to them; Aer's sampler gets the same model, so
both sampled paths measure the same noisy device.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import UnitaryGate
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
from qiskit.primitives.containers import ObservablesArray
from qiskit.quantum_info import SparsePauliOp
from qiskit.result import Result
from qiskit.transpiler import PassManager, generate_preset_pass_manager
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel
from qiskit_aer.primitives import EstimatorV2 as AerEstimator
from qiskit_aer.primitives import SamplerV2 as AerSampler

from circuits.ansatz import measurement_basis_change
from circuits.measurement import rotation, with_readout_error
from circuits.noise import readout_confusion

# A batch is many small experiments (one per bound row): spread them over all cores
# (0 = as many as there are) instead of Aer's default of one experiment at a time with
# threads inside it, which only pays off from ~14 qubits on.
AER_OPTIONS = {"max_parallel_experiments": 0}


class QiskitBackend:
    """Exact expectations through an EstimatorV2, bitstrings through a SamplerV2."""

    def __init__(
        self,
        circuit: QuantumCircuit,
        hamiltonian: SparsePauliOp,
        observables: Sequence[SparsePauliOp] = (),
        bases: Sequence[str] = (),
        *,
        estimator: BaseEstimatorV2 | None = None,
        sampler: BaseSamplerV2 | None = None,
        pass_manager: PassManager | None = None,
        noise_model: NoiseModel | None = None,
        device: str = "CPU",
    ):
        options = {**AER_OPTIONS, "device": device}
        self._circuit = circuit
        if pass_manager is None and not _runs_natively(circuit):
            pass_manager = generate_preset_pass_manager(optimization_level=1, backend=AerSimulator())
        self._isa = pass_manager.run(circuit) if pass_manager is not None else circuit
        layout = self._isa.layout
        self._hamiltonian = ObservablesArray.coerce(hamiltonian.apply_layout(layout))
        self._observables = ObservablesArray.coerce([o.apply_layout(layout) for o in observables])
        self._pass_manager = pass_manager
        self._estimator = estimator or AerEstimator(options={"backend_options": options})
        self._user_sampler = sampler
        self._sampler_options = {**options, "noise_model": noise_model} if noise_model else options
        self._bases = tuple(bases)
        self._probabilities, self._simulator, self._confusion = _probability_simulation(
            self._circuit, self._isa, self._bases, noise_model, options
        )
        self._pure = self._circuit.copy()
        self._pure.save_statevector(label="state")
        self._pure_simulator = AerSimulator(method="statevector", **options)

    def energy(self, thetas: np.ndarray) -> np.ndarray:
        (result,) = self._estimator.run([(self._isa, self._hamiltonian, thetas)]).result()
        return np.asarray(result.data.evs, dtype=float)

    def expectations(self, thetas: np.ndarray) -> np.ndarray:
        """(B, K): parameters (B, 1, P) broadcast against the K observables."""
        (result,) = self._estimator.run([(self._isa, self._observables, thetas[:, None, :])]).result()
        return np.asarray(result.data.evs, dtype=float)

    @cached_property
    def _measured(self) -> list[QuantumCircuit]:
        """The circuit measured in each basis, transpiled when the primitive path first
        samples (the counts path never does, and a transpilation of a 20-qubit circuit per
        basis would cost seconds of start-up)."""
        measured = [_measured(self._circuit, basis) for basis in self._bases]
        return [self._pass_manager.run(qc) for qc in measured] if self._pass_manager else measured

    def sample(self, thetas: np.ndarray, shots: int, seed: int) -> list[np.ndarray]:
        """One sampler job, one PUB per measurement basis; bits (B, shots, qubits)."""
        options = {"backend_options": self._sampler_options}
        sampler = self._user_sampler or AerSampler(seed=seed, options=options)
        results = sampler.run([(qc, thetas) for qc in self._measured], shots=shots).result()
        return [r.data.meas.to_bool_array(order="little") for r in results]

    def basis_probabilities(self, thetas: np.ndarray) -> np.ndarray:
        """(B, G, 2^n): one Aer run saves each basis's outcome probabilities of the B states
        (or density matrices); NumPy applies the readout error."""
        result = _run(self._simulator, self._probabilities, thetas)
        probabilities = np.stack(
            [[result.data(i)[_label(g)] for g in range(len(self._bases))] for i in range(len(thetas))]
        )
        return with_readout_error(probabilities, self._confusion)

    def statevectors(self, thetas: np.ndarray) -> np.ndarray:
        """(B, 2^n) noiseless states ψ(θ_b) in Qiskit's little-endian basis order (the
        ground-state solver's order), all rows bound in one Aer run."""
        result = _run(self._pure_simulator, self._pure, thetas)
        return np.stack([np.asarray(result.data(i)["state"]) for i in range(len(thetas))])


BASIS_CHANGE = "zeroth_q_basis_change"


def _runs_natively(circuit: QuantumCircuit) -> bool:
    """Whether Aer runs every instruction of ``circuit`` as it is (the built-in ansätze: RY, RZ,
    CX, RZZ, ...), so that no transpilation is needed: Qiskit's preset pass manager for Aer
    costs seconds of start-up (its plugins load on first use), more than a whole run at small n."""
    return set(circuit.count_ops()) <= set(AerSimulator().configuration().basis_gates)


def _label(basis: int) -> str:
    return f"probabilities_{basis}"


def _run(simulator: AerSimulator, circuit: QuantumCircuit, thetas: np.ndarray) -> Result:
    """One Aer run of ``circuit`` bound to every row of ``thetas`` (an Aer call costs ~2 ms
    whatever it computes at small sizes, so a loop of single-row calls would cost B times that)."""
    binds = [dict(zip(circuit.parameters, thetas.T, strict=True))]
    return simulator.run(circuit, parameter_binds=binds).result()


def _probability_simulation(
    circuit: QuantumCircuit,
    isa: QuantumCircuit,
    bases: Sequence[str],
    noise_model: NoiseModel | None,
    options: dict[str, Any],
) -> tuple[QuantumCircuit, AerSimulator, list[np.ndarray]]:
    """The circuit that saves each basis's outcome probabilities (labels :func:`_label`), its
    simulator, and the readout confusion matrices. Noiseless: the logical circuit on a
    statevector. Noisy: the transpiled circuit (the gates the noise model names, on the
    device's qubits) on a density matrix, measured on the physical qubits that hold logical
    qubits 0 … n-1 at the end."""
    if noise_model is None:
        qubits = list(range(circuit.num_qubits))
        simulator = AerSimulator(method="statevector", **options)
        return _saving_probabilities(circuit, qubits, bases), simulator, []
    physical = isa.layout.final_index_layout() if isa.layout else list(range(circuit.num_qubits))
    simulator = AerSimulator(method="density_matrix", noise_model=noise_model, **options)
    return _saving_probabilities(isa, physical, bases), simulator, readout_confusion(noise_model, physical)


def _saving_probabilities(circuit: QuantumCircuit, qubits: list[int], bases: Sequence[str]) -> QuantumCircuit:
    """``circuit``, then for each basis: its rotation onto Z on ``qubits`` (qubit q of the basis
    on ``qubits[q]``), the outcome probabilities saved, the rotation undone (but the last)."""
    saving = circuit.copy()
    for g, basis in enumerate(bases):
        rotations = [(qubits[q], u) for q, u in rotation(basis)]
        for qubit, u in rotations:
            saving.append(UnitaryGate(u, label=BASIS_CHANGE), [qubit])
        saving.save_probabilities(qubits, label=_label(g))
        for qubit, u in rotations if g < len(bases) - 1 else ():
            saving.append(UnitaryGate(u.conj().T, label=BASIS_CHANGE), [qubit])
    return saving


def _measured(circuit: QuantumCircuit, basis: str) -> QuantumCircuit:
    """The circuit, the basis change of ``basis`` and a measurement of every qubit."""
    qc = circuit.copy()
    for gate in measurement_basis_change(basis):
        getattr(qc, gate.name)(*gate.qubits)
    qc.measure_all()
    return qc
