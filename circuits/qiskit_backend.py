"""A circuit on Qiskit primitives V2: Aer by default, any EstimatorV2/SamplerV2 on request.

The circuit is a parameterized ``QuantumCircuit`` (a user's, or a built-in ansatz rendered by
:func:`circuits.qiskit_circuit.to_qiskit`), its columns ``circuit.parameters``. Everything that
does not depend on θ happens once, when first needed: the circuit is transpiled with
``pass_manager`` (none is run when the circuit is already in Aer's gate set and no pass manager
was given: a preset pass manager costs ~2 s to build and returns such a circuit unchanged), and
the observables are laid out on the transpiled qubits and saved as expectation values in a copy
of it. An exact call then is one ``AerSimulator.run`` with the whole (B, P) parameter array bound,
or, with a user's estimator, one primitive job whose PUB carries it.

**Small circuits run in NumPy.** Up to :data:`NUMPY_QUBITS` qubits, without a user's estimator,
the noiseless quantities (exact energies and expectations, statevectors: the metrics, and the
``exact`` and ``gaussian`` shot models) and, without device noise, the outcome probabilities of
the ``sampled`` path come from the batched statevector of
:class:`circuits.adjoint_statevector.AdjointStatevector` (equal to Aer's to 1e-10,
``tests/circuits/test_numpy_statevector.py``): one Aer run costs ~1 ms of CPU for 2 rows at 4
qubits whatever it computes (0.3 ms for a one-gate circuit: assembly, a job handed to a worker
thread, the result parsed back), the NumPy batch 0.07 ms (``benchmarks/bench_contenders.py``).
Aer stays the simulator of shots drawn by its sampler, of device noise, of gates NumPy does not
simulate (:class:`~circuits.adjoint_statevector.UnsupportedCircuit`) and of larger circuits.

Hardware or another simulator drops in through the same interface: pass
``estimator=`` (e.g. ``qiskit_ibm_runtime.EstimatorV2(mode=backend)``), ``sampler=`` and
``pass_manager=generate_preset_pass_manager(optimization_level=1, backend=backend)`` so
the circuits are ISA circuits for that backend. Only Aer's sampler is seeded from the
objective's rng; a user sampler draws its own randomness.

Outcome probabilities (the default ``sampled`` path, :class:`circuits.shot_models.SampledCounts`)
come from the NumPy statevectors rotated into each basis (:mod:`circuits.measurement`), or
from one ``AerSimulator.run`` of the untranspiled ansatz with all B parameter rows bound: after
the ansatz, each measurement basis is rotated onto Z, ``save_probabilities`` keeps its 2^n
outcome probabilities, and the rotation is undone before the next basis. Aer thus returns G
real vectors per row instead of the complex statevector that NumPy would rotate qubit by
qubit (at n = 20 that rotation took as long as the simulation, and the B complex states,
their copies and the B x G probabilities peaked at 3.9 GB for a 50-row batch). The rotations
are ``UnitaryGate``s labelled :data:`BASIS_CHANGE`, a name no noise model gives an error to,
so they stay noiseless as :mod:`circuits.noise` states.
With a ``noise_model`` (:mod:`circuits.noise`) the transpiled circuit is run with the
``density_matrix`` method and the probabilities are those of the measured physical qubits;
the model's readout errors are then applied to them; Aer's sampler gets the same model, so
both sampled paths measure the same noisy device. ``device="GPU"`` runs every Aer simulation
on Aer's GPU device (:mod:`circuits.gpu` checks one is there) and never the NumPy path.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, cached_property
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import UnitaryGate
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
from qiskit.primitives.containers import ObservablesArray
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import PassManager, generate_preset_pass_manager
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel
from qiskit_aer.primitives import SamplerV2 as AerSampler

from circuits.adjoint_statevector import AdjointStatevector, UnsupportedCircuit, expectations
from circuits.ansatz import measurement_basis_change
from circuits.ground_state import pauli_matrix
from circuits.measurement import basis_probabilities, rotation, with_readout_error
from circuits.noise import readout_confusion

# A batch is many small experiments (one per bound row): spread them over all cores
# (0 = as many as there are) instead of Aer's default of one experiment at a time with
# threads inside it, which only pays off from ~14 qubits on.
AER_OPTIONS = {"max_parallel_experiments": 0}
# Qubits up to which noiseless exact quantities are computed in NumPy (module docstring): at
# 10 qubits NumPy and Aer take the same time for 20 rows (24 ms), at 12 Aer is 2.3x faster.
NUMPY_QUBITS = 10


class QiskitBackend:
    """Exact expectations from Aer (NumPy for small noiseless circuits) or a user's EstimatorV2,
    bitstrings through a SamplerV2.

    numpy_qubits: circuits of at most this many qubits are simulated in NumPy where they may
    be (module docstring); 0 sends every call to Aer.
    """

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
        numpy_qubits: int = NUMPY_QUBITS,
        device: str = "CPU",
    ):
        self._options: dict[str, Any] = {**AER_OPTIONS, "device": device}
        self._circuit = circuit
        self._hamiltonian_operator = hamiltonian
        self._observable_operators = tuple(observables)
        self._pass_manager = pass_manager
        self._user_estimator = estimator
        self._user_sampler = sampler
        self._noise_model = noise_model
        self._sampler_options = (
            {**self._options, "noise_model": noise_model} if noise_model else self._options
        )
        self._bases = tuple(bases)
        self._numpy = None
        if estimator is None and device == "CPU" and circuit.num_qubits <= numpy_qubits:
            try:
                self._numpy = AdjointStatevector(circuit, hamiltonian)
            except UnsupportedCircuit:
                pass  # Aer simulates every gate
        self._observable_matrices = [pauli_matrix(o) for o in observables] if self._numpy is not None else []

    def energy(self, thetas: np.ndarray) -> np.ndarray:
        if self._numpy is not None:
            return self._numpy.energies(thetas)
        if self._user_estimator is None:
            simulator, saved, labels = self._energy_simulation
            return _saved(simulator, saved, thetas, labels)[:, 0]
        (result,) = self._user_estimator.run([(self._isa, self._hamiltonian, thetas)]).result()
        return np.asarray(result.data.evs, dtype=float)

    def expectations(self, thetas: np.ndarray) -> np.ndarray:
        """(B, K): parameters (B, 1, P) broadcast against the K observables."""
        if not self._observable_operators:
            return np.zeros((len(thetas), 0))
        if self._numpy is not None:
            states = self._numpy.statevectors(thetas)
            return np.stack([expectations(states, matrix) for matrix in self._observable_matrices], axis=1)
        if self._user_estimator is None:
            simulator, saved, labels = self._observables_simulation
            return _saved(simulator, saved, thetas, labels)
        (result,) = self._user_estimator.run([(self._isa, self._observables, thetas[:, None, :])]).result()
        return np.asarray(result.data.evs, dtype=float)

    def sample(self, thetas: np.ndarray, shots: int, seed: int) -> list[np.ndarray]:
        """One sampler job, one PUB per measurement basis; bits (B, shots, qubits)."""
        options = {"backend_options": self._sampler_options}
        sampler = self._user_sampler or AerSampler(seed=seed, options=options)
        results = sampler.run([(qc, thetas) for qc in self._measured_circuits], shots=shots).result()
        return [r.data.meas.to_bool_array(order="little") for r in results]

    def basis_probabilities(self, thetas: np.ndarray) -> np.ndarray:
        """(B, G, 2^n): the NumPy states rotated into each basis, or one Aer run saving each
        basis's outcome probabilities of the B states (or density matrices), with the readout
        error applied."""
        if self._numpy is not None and self._noise_model is None:
            return basis_probabilities(self._numpy.statevectors(thetas), self._bases)
        simulator, saved, confusion = self._probability_simulation
        labels = [_probability_label(g) for g in range(len(self._bases))]
        return with_readout_error(_saved(simulator, saved, thetas, labels), confusion)

    def statevectors(self, thetas: np.ndarray) -> np.ndarray:
        """(B, 2^n) noiseless states ψ(θ_b) in Qiskit's little-endian basis order (the
        ground-state solver's order), all rows in one simulation."""
        if self._numpy is not None:
            return self._numpy.statevectors(thetas)
        return _saved(*self._pure_simulation, thetas)[:, 0]

    @cached_property
    def _isa(self) -> QuantumCircuit:
        return self._transpiled(self._circuit)

    @cached_property
    def _hamiltonian(self) -> ObservablesArray:
        return ObservablesArray.coerce(self._hamiltonian_operator.apply_layout(self._isa.layout))

    @cached_property
    def _observables(self) -> ObservablesArray:
        layout = self._isa.layout
        return ObservablesArray.coerce([o.apply_layout(layout) for o in self._observable_operators])

    @cached_property
    def _energy_simulation(self) -> tuple[AerSimulator, QuantumCircuit, list[str]]:
        return self._expectation_simulation([self._hamiltonian_operator])

    @cached_property
    def _observables_simulation(self) -> tuple[AerSimulator, QuantumCircuit, list[str]]:
        return self._expectation_simulation(self._observable_operators)

    def _expectation_simulation(
        self, operators: Sequence[SparsePauliOp]
    ) -> tuple[AerSimulator, QuantumCircuit, list[str]]:
        """The transpiled circuit saving <O_k> for each operator (one ``save_expectation_value``
        of the whole sum, built once), its simulator and the labels. What Aer's EstimatorV2 does
        per call (copy the circuit, one save per Pauli term, a job in a thread of its own that
        hands Aer's job to another thread, per-term sums in Python) took 38 ms for 3 rows at 4
        qubits against 3 ms here. The simulator runs one experiment at a time (Aer's default):
        with ``max_parallel_experiments=0`` libgomp's spinning threads starve the Python thread
        waiting for the job (16 ms against 1.5 ms at 6 qubits, 2 rows), and at 12 qubits and 20
        rows it was no faster (73 against 64 ms)."""
        isa = self._isa
        saved = isa.copy()
        labels = [f"expectation_{k}" for k in range(len(operators))]
        for operator, label in zip(operators, labels, strict=True):
            saved.save_expectation_value(
                operator.apply_layout(isa.layout), range(isa.num_qubits), label=label
            )
        return AerSimulator(method="statevector", device=self._options["device"]), saved, labels

    @cached_property
    def _measured_circuits(self) -> list[QuantumCircuit]:
        return [self._transpiled(_measured(self._circuit, basis)) for basis in self._bases]

    @cached_property
    def _pure_simulation(self) -> tuple[AerSimulator, QuantumCircuit]:
        """The logical circuit saving its statevector under the label ``state``."""
        saved = self._circuit.copy()
        saved.save_statevector(label="state")
        return AerSimulator(method="statevector", **self._options), saved

    @cached_property
    def _probability_simulation(self) -> tuple[AerSimulator, QuantumCircuit, list[np.ndarray]]:
        """The circuit that saves each basis's outcome probabilities (labels
        :func:`_probability_label`), its simulator, and the readout confusion matrices.
        Noiseless: the logical circuit on a statevector. Noisy: the transpiled circuit (the gates
        the noise model names, on the device's qubits) on a density matrix, measured on the
        physical qubits that hold logical qubits 0 … n-1 at the end."""
        if self._noise_model is None:
            qubits = list(range(self._circuit.num_qubits))
            simulator = AerSimulator(method="statevector", **self._options)
            return simulator, _saving_probabilities(self._circuit, qubits, self._bases), []
        isa = self._isa
        physical = isa.layout.final_index_layout() if isa.layout else list(range(self._circuit.num_qubits))
        simulator = AerSimulator(method="density_matrix", noise_model=self._noise_model, **self._options)
        saved = _saving_probabilities(isa, physical, self._bases)
        return simulator, saved, readout_confusion(self._noise_model, physical)

    def _transpiled(self, circuit: QuantumCircuit) -> QuantumCircuit:
        """``circuit`` through the pass manager given; without one, unchanged when Aer runs
        all its operations, else through Aer's preset pass manager (built once per process)."""
        if self._pass_manager is not None:
            return self._pass_manager.run(circuit)
        if _aer_operations().issuperset(circuit.count_ops()):
            return circuit
        return _aer_pass_manager().run(circuit)


@cache
def _aer_operations() -> frozenset[str]:
    """What Aer runs as it is: its target's operations, and barriers (``measure_all`` adds one)."""
    return frozenset(AerSimulator().target.operation_names) | {"barrier"}


@cache
def _aer_pass_manager() -> PassManager:
    return generate_preset_pass_manager(optimization_level=1, backend=AerSimulator())


def _saved(
    simulator: AerSimulator, saved: QuantumCircuit, thetas: np.ndarray, labels: Sequence[str] = ("state",)
) -> np.ndarray:
    """What ``saved`` saves under ``labels``, for every row of ``thetas``: (B, len(labels), ...)
    from one Aer run with all B bindings (an Aer call costs ~2 ms whatever it computes at these
    sizes, so a loop of single-row calls would cost B times that)."""
    binds = [dict(zip(saved.parameters, thetas.T, strict=True))]
    result = simulator.run(saved, parameter_binds=binds).result()
    return np.array([[np.asarray(result.data(i)[label]) for label in labels] for i in range(len(thetas))])


BASIS_CHANGE = "zeroth_q_basis_change"


def _probability_label(basis: int) -> str:
    return f"probabilities_{basis}"


def _saving_probabilities(circuit: QuantumCircuit, qubits: list[int], bases: Sequence[str]) -> QuantumCircuit:
    """``circuit``, then for each basis: its rotation onto Z on ``qubits`` (qubit q of the basis
    on ``qubits[q]``), the outcome probabilities saved, the rotation undone (but the last)."""
    saving = circuit.copy()
    for g, basis in enumerate(bases):
        rotations = [(qubits[q], u) for q, u in rotation(basis)]
        for qubit, u in rotations:
            saving.append(UnitaryGate(u, label=BASIS_CHANGE), [qubit])
        saving.save_probabilities(qubits, label=_probability_label(g))
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
