"""A circuit on Qiskit primitives V2: Aer by default, any EstimatorV2/SamplerV2 on request.

The circuit is a parameterized ``QuantumCircuit`` (a user's, or a built-in ansatz rendered by
:func:`circuits.qiskit_circuit.to_qiskit`), its columns ``circuit.parameters``. Everything that
does not depend on θ happens once, in the constructor: the circuit is transpiled with
``pass_manager``, and the observables are laid out on the transpiled qubits and coerced to
``ObservablesArray``. A call then is one primitive job whose PUB carries the whole (B, P)
parameter array, i.e. B bound circuits simulated in one ``AerSimulator.run`` (Aer
parallelizes over bindings).

Hardware or another simulator drops in through the same interface: pass
``estimator=`` (e.g. ``qiskit_ibm_runtime.EstimatorV2(mode=backend)``), ``sampler=`` and
``pass_manager=generate_preset_pass_manager(optimization_level=1, backend=backend)`` so
the circuits are ISA circuits for that backend. Only Aer's sampler is seeded from the
objective's rng; a user sampler draws its own randomness.

Outcome probabilities (the default ``sampled`` path, :class:`circuits.shot_models.SampledCounts`)
come from one ``AerSimulator.run`` of the untranspiled ansatz (Aer runs its gates natively)
with ``save_statevector``, all B parameter rows bound in that one run; the measurement
bases are then applied to the saved states in NumPy (:mod:`circuits.measurement`).
With a ``noise_model`` (:mod:`circuits.noise`) the transpiled circuit is run with the
``density_matrix`` method and ``save_density_matrix`` of the measured physical qubits,
and the model's readout errors are applied to the probabilities; Aer's sampler gets the
same model, so both sampled paths measure the same noisy device.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
from qiskit.primitives.containers import ObservablesArray
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import PassManager, generate_preset_pass_manager
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel
from qiskit_aer.primitives import EstimatorV2 as AerEstimator
from qiskit_aer.primitives import SamplerV2 as AerSampler

from circuits.ansatz import measurement_basis_change
from circuits.measurement import basis_probabilities, with_readout_error
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
    ):
        self._circuit = circuit
        if pass_manager is None:
            pass_manager = generate_preset_pass_manager(optimization_level=1, backend=AerSimulator())
        self._isa = pass_manager.run(self._circuit)
        layout = self._isa.layout
        self._hamiltonian = ObservablesArray.coerce(hamiltonian.apply_layout(layout))
        self._observables = ObservablesArray.coerce([o.apply_layout(layout) for o in observables])
        self._measured = [pass_manager.run(_measured(circuit, basis)) for basis in bases]
        self._estimator = estimator or AerEstimator(options={"backend_options": AER_OPTIONS})
        self._user_sampler = sampler
        self._sampler_options = {**AER_OPTIONS, "noise_model": noise_model} if noise_model else AER_OPTIONS
        self._bases = tuple(bases)
        simulation = _state_simulation(self._circuit, self._isa, noise_model)
        self._saved, self._simulator, self._confusion = simulation
        self._pure, self._pure_simulator = _state_simulation(self._circuit, self._isa, None)[:2]

    def energy(self, thetas: np.ndarray) -> np.ndarray:
        (result,) = self._estimator.run([(self._isa, self._hamiltonian, thetas)]).result()
        return np.asarray(result.data.evs, dtype=float)

    def expectations(self, thetas: np.ndarray) -> np.ndarray:
        """(B, K): parameters (B, 1, P) broadcast against the K observables."""
        (result,) = self._estimator.run([(self._isa, self._observables, thetas[:, None, :])]).result()
        return np.asarray(result.data.evs, dtype=float)

    def sample(self, thetas: np.ndarray, shots: int, seed: int) -> list[np.ndarray]:
        """One sampler job, one PUB per measurement basis; bits (B, shots, qubits)."""
        options = {"backend_options": self._sampler_options}
        sampler = self._user_sampler or AerSampler(seed=seed, options=options)
        results = sampler.run([(qc, thetas) for qc in self._measured], shots=shots).result()
        return [r.data.meas.to_bool_array(order="little") for r in results]

    def basis_probabilities(self, thetas: np.ndarray) -> np.ndarray:
        """(B, G, 2^n): one Aer run saves the B states (or density matrices), NumPy rotates
        them into each basis and applies the readout error."""
        states = _saved_states(self._simulator, self._saved, thetas)
        return with_readout_error(basis_probabilities(states, self._bases), self._confusion)

    def statevectors(self, thetas: np.ndarray) -> np.ndarray:
        """(B, 2^n) noiseless states ψ(θ_b) in Qiskit's little-endian basis order (the
        ground-state solver's order), all rows bound in one Aer run."""
        return _saved_states(self._pure_simulator, self._pure, thetas)


def _saved_states(simulator: AerSimulator, saved: QuantumCircuit, thetas: np.ndarray) -> np.ndarray:
    """The ``state`` that ``saved`` saves, for every row of ``thetas``: one Aer run with all
    B bindings (an Aer call costs ~2 ms whatever it computes at these sizes, so a loop of
    single-row calls would cost B times that)."""
    binds = [dict(zip(saved.parameters, thetas.T, strict=True))]
    result = simulator.run(saved, parameter_binds=binds).result()
    return np.stack([np.asarray(result.data(i)["state"]) for i in range(len(thetas))])


def _state_simulation(
    circuit: QuantumCircuit, isa: QuantumCircuit, noise_model: NoiseModel | None
) -> tuple[QuantumCircuit, AerSimulator, list[np.ndarray]]:
    """The circuit that saves the state under the label ``state``, its simulator, and the
    readout confusion matrices. Noiseless: the logical circuit's statevector. Noisy: the
    transpiled circuit (the gates the noise model names, on the device's qubits), the
    density matrix of the physical qubits holding logical qubits 0 … n-1 at the end."""
    if noise_model is None:
        saved = circuit.copy()
        saved.save_statevector(label="state")
        return saved, AerSimulator(method="statevector", **AER_OPTIONS), []
    physical = isa.layout.final_index_layout() if isa.layout else list(range(circuit.num_qubits))
    saved = isa.copy()
    saved.save_density_matrix(physical, label="state")
    simulator = AerSimulator(method="density_matrix", noise_model=noise_model, **AER_OPTIONS)
    return saved, simulator, readout_confusion(noise_model, physical)


def _measured(circuit: QuantumCircuit, basis: str) -> QuantumCircuit:
    """The circuit, the basis change of ``basis`` and a measurement of every qubit."""
    qc = circuit.copy()
    for gate in measurement_basis_change(basis):
        getattr(qc, gate.name)(*gate.qubits)
    qc.measure_all()
    return qc
