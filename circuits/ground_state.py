"""Exact ground energy and ground space of a Hamiltonian, the reference every run reports.

How it is computed, cheapest first:

- **Disk cache.** A reference is stored per Hamiltonian (key: SHA-256 of its sorted Pauli
  labels, coefficients and particle sector, :mod:`circuits.disk_cache`), so a second run of
  the same problem starts without diagonalizing.
- **Free fermions.** An open Ising chain H = c - Σ_i J_i Z_i Z_{i+1} - Σ_i h_i X_i maps by
  Jordan-Wigner to free fermions (Lieb, Schultz & Mattis, Ann. Phys. 16, 407 (1961);
  Pfeuty, Ann. Phys. 57, 79 (1970)): its single-particle energies are 2σ_k, the singular
  values σ_k of the bidiagonal matrix M_ii = h_i, M_i,i+1 = J_i, and E_0 = c - Σ_k σ_k. That
  energy is exact at any n, also where no state vector fits in memory.
- **Lanczos in a sector.** Otherwise (and for the ground *space*, which fidelities need) the
  matrix is built directly in the requested particle-number sector (Hubbard at half filling,
  molecules at their electron count: :class:`ParticleSector`), real where the Hamiltonian is
  real (real coefficients, an even number of Y in every term: TFIM, XXZ, Hubbard and
  molecules under Jordan-Wigner), and diagonalized by ``scipy.sparse.linalg.eigsh`` (ARPACK's
  real symmetric ``dsaupd``; complex Hermitian only for complex Hamiltonians). Dense ``eigh``
  below :data:`DENSE_DIMENSION`.

The ground space is kept whole (all eigenvectors within ``DEGENERACY_TOLERANCE`` of the
minimum; more eigenpairs are computed while they all are) so that ``fidelity`` is the weight of
the trial state in the ground *space*: a degenerate ground state (the Ising chain at h = 0) has
no unique vector to overlap with. Where Lanczos would not fit in memory (:func:`lanczos_bytes`
over a quarter of what is available), or the free-fermion energy is known and n is over
:data:`CLOSED_FORM_SPACE_QUBITS`, only the energy is returned and ``space`` is None: no
fidelity metric there.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from qiskit.quantum_info import SparsePauliOp
from scipy.sparse.linalg import eigsh
from threadpoolctl import threadpool_limits

from circuits import disk_cache
from zeroth_q.config import available_memory, format_bytes
from zeroth_q.errors import ConfigError

DEGENERACY_TOLERANCE = 1e-8
DENSE_DIMENSION = 256  # sector dimension up to which dense eigh is cheaper (and always valid)
LANCZOS_VECTORS = 2  # lowest eigenpairs computed first; doubled while all are degenerate
# With a closed-form energy the ground space only serves the fidelity metric: Lanczos for it
# takes ~2 s at 16 qubits and ~1-2 min at 20 (TFIM, measured), so it is skipped above this.
CLOSED_FORM_SPACE_QUBITS = 18
LANCZOS_MEMORY_FRACTION = 0.25  # of available memory a reference may take (the run needs the rest)
CACHE_KIND = "ground_states"
_CACHE_FORMAT = "ground-state-v1"


class ParticleSector(NamedTuple):
    """Computational basis states with ``counts[k]`` ones among the qubits ``modes[k]``.

    Under Jordan-Wigner a qubit in |1> is an occupied spin orbital, so this fixes the
    number of electrons of each spin: ``ParticleSector(((0, 2, 4), (1, 3, 5)), (1, 1))``
    is one α (even qubits) and one β electron (odd qubits).
    """

    modes: tuple[tuple[int, ...], ...]
    counts: tuple[int, ...]

    def basis(self, num_qubits: int) -> np.ndarray:
        """The sector's basis states as sorted little-endian integers."""
        states = np.arange(1 << num_qubits, dtype=np.int64)
        keep = np.ones(states.shape, dtype=bool)
        for modes, count in zip(self.modes, self.counts, strict=True):
            mask = sum(1 << q for q in modes)
            keep &= np.bitwise_count(states & mask) == count
        return states[keep]


class GroundState(NamedTuple):
    """``energy`` (the minimum eigenvalue, in the sector if one was given) and ``space``
    (d orthonormal columns spanning its eigenspace) on the basis states ``support`` (little-
    endian integers; None = all 2^n in order). ``space`` is None where it was too large to
    compute; :meth:`fidelity` then has no value."""

    energy: float
    space: np.ndarray | None = None
    support: np.ndarray | None = None

    def fidelity(self, state: np.ndarray) -> float:
        """Σ_i |<g_i|ψ>|², the probability that ψ (2^n amplitudes) is found in the ground space."""
        if self.space is None:
            raise ValueError("this reference has no ground space (too large to compute); skip fidelity.")
        amplitudes = state if self.support is None else state[self.support]
        return float(np.sum(np.abs(self.space.conj().T @ amplitudes) ** 2))


_REFERENCES: dict[str, GroundState] = {}


def ground_state(hamiltonian: SparsePauliOp, *, sector: ParticleSector | None = None) -> GroundState:
    """The exact reference of ``hamiltonian`` (in ``sector`` if given), from memory, disk,
    the free-fermion closed form or Lanczos (see the module docstring)."""
    key = reference_key(hamiltonian, sector)
    if key in _REFERENCES:
        return _REFERENCES[key]
    stored = disk_cache.load(CACHE_KIND, key)
    if stored is not None:
        reference = GroundState(float(stored["energy"]), stored.get("space"), stored.get("support"))
    else:
        reference = _compute(hamiltonian, sector)
        arrays = {name: value for name, value in reference._asdict().items() if value is not None}
        disk_cache.save(CACHE_KIND, key, arrays)
    _REFERENCES[key] = reference
    return reference


def reference_key(hamiltonian: SparsePauliOp, sector: ParticleSector | None) -> str:
    """SHA-256 of the Hamiltonian's terms in label order (so term order does not matter),
    its coefficients' bytes and the sector."""
    hamiltonian = hamiltonian.simplify(atol=0.0)
    labels = hamiltonian.paulis.to_labels()
    order = np.argsort(labels, kind="stable")
    coefficients = np.ascontiguousarray(hamiltonian.coeffs[order], dtype=np.complex128)
    parts = [_CACHE_FORMAT, str(hamiltonian.num_qubits), "\n".join(labels[i] for i in order)]
    return disk_cache.digest([*parts, coefficients.tobytes(), repr(sector)])


def _compute(hamiltonian: SparsePauliOp, sector: ParticleSector | None) -> GroundState:
    closed_form = open_ising_chain_energy(hamiltonian) if sector is None else None
    num_qubits = hamiltonian.num_qubits
    dimension = (1 << num_qubits) if sector is None else len(sector.basis(num_qubits))
    needed = lanczos_bytes(hamiltonian, dimension)
    available = available_memory()
    if available is not None and needed > LANCZOS_MEMORY_FRACTION * available:
        if closed_form is not None:
            return GroundState(closed_form)
        raise ConfigError(
            f"the exact ground state of this {num_qubits}-qubit Hamiltonian needs about "
            f"{format_bytes(needed)} for Lanczos but {format_bytes(available)} is available; "
            "use fewer qubits, or a problem with a closed form (the open TFIM chain)."
        )
    if closed_form is not None and num_qubits > CLOSED_FORM_SPACE_QUBITS:
        return GroundState(closed_form)
    support = None if sector is None else sector.basis(num_qubits)
    energy, space = lowest_eigenspace(pauli_matrix(hamiltonian, support))
    return GroundState(energy if closed_form is None else closed_form, space, support)


def lanczos_bytes(hamiltonian: SparsePauliOp, dimension: int) -> int:
    """Memory of the sector matrix (one value and index per flip pattern and basis state)
    plus ARPACK's ~20 Lanczos vectors and the build's temporaries."""
    flips = len(np.unique(np.packbits(hamiltonian.paulis.x, axis=1), axis=0))
    return dimension * (16 * flips + 8 * 24)


def open_ising_chain_energy(hamiltonian: SparsePauliOp) -> float | None:
    """E_0 = c - Σ_k σ_k(M) if H = c - Σ J_i Z_i Z_{i+1} - Σ h_i X_i on the open chain
    0-1-…-(n-1) (any signs and strengths; the module docstring has the derivation), else None."""
    hamiltonian = hamiltonian.simplify(atol=0.0)  # keep tiny couplings: they move E_0 by their size
    n = hamiltonian.num_qubits
    if np.any(np.abs(hamiltonian.coeffs.imag) > 1e-12) or np.any(hamiltonian.paulis.phase):
        return None
    bidiagonal = np.zeros((n, n))
    offset = 0.0
    for x, z, coefficient in zip(
        hamiltonian.paulis.x, hamiltonian.paulis.z, hamiltonian.coeffs.real, strict=True
    ):
        on_x, on_z = np.flatnonzero(x), np.flatnonzero(z)
        if len(on_x) == 0 and len(on_z) == 0:
            offset += coefficient
        elif len(on_z) == 0 and len(on_x) == 1:
            bidiagonal[on_x[0], on_x[0]] = -coefficient
        elif len(on_x) == 0 and len(on_z) == 2 and on_z[1] == on_z[0] + 1:
            bidiagonal[on_z[0], on_z[1]] = -coefficient
        else:
            return None
    return float(offset - np.linalg.svd(bidiagonal, compute_uv=False).sum())


def pauli_matrix(hamiltonian: SparsePauliOp, support: np.ndarray | None = None) -> sp.csr_matrix:
    """H restricted to the basis states ``support`` (sorted little-endian integers; None =
    all 2^n), real when H is real, without building the full 2^n matrix.

    A Pauli term with bit masks (x, z) and Qiskit phase q is (-i)^(q + |x∧z|) Z^z X^x, so it
    maps |b> to (-i)^(q + |x∧z|) (-1)^|(b⊕x)∧z| |b⊕x>; terms with the same x are summed into
    one value per basis state, and flips leaving the support are dropped (they cancel in a
    Hamiltonian that conserves the sector, e.g. X X + Y Y on |00>).
    """
    n = hamiltonian.num_qubits
    weights = 1 << np.arange(n, dtype=np.int64)
    x = hamiltonian.paulis.x.astype(np.int64) @ weights
    z = hamiltonian.paulis.z.astype(np.int64) @ weights
    factors = hamiltonian.coeffs * (-1j) ** ((hamiltonian.paulis.phase + np.bitwise_count(x & z)) % 4)
    is_real = bool(np.all(np.abs(factors.imag) <= 1e-14 * np.maximum(1.0, np.abs(factors.real))))
    factors = factors.real if is_real else factors
    states = np.arange(1 << n, dtype=np.int64) if support is None else support
    index = np.int32 if len(states) < 2**31 else np.int64
    rows, columns, values = [], [], []
    for flip in np.unique(x):
        targets = states ^ flip
        terms = np.flatnonzero(x == flip)
        value = np.zeros(len(states), dtype=factors.dtype)
        for term in terms:
            value += factors[term] * (1.0 - 2.0 * (np.bitwise_count(targets & z[term]) & 1))
        if support is None:
            position, keep = targets, np.abs(value) > 1e-14
        else:
            position = np.minimum(np.searchsorted(support, targets), len(support) - 1)
            keep = (support[position] == targets) & (np.abs(value) > 1e-14)
        rows.append(position[keep].astype(index))
        columns.append(np.flatnonzero(keep).astype(index))
        values.append(value[keep])
    shape = (len(states), len(states))
    return sp.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))), shape)


def lowest_eigenspace(matrix: sp.csr_matrix) -> tuple[float, np.ndarray]:
    """The lowest eigenvalue of a Hermitian matrix and all eigenvectors within
    ``DEGENERACY_TOLERANCE`` (relative) of it, as columns."""
    dimension = matrix.shape[0]
    vectors_wanted = LANCZOS_VECTORS
    while True:
        if dimension <= DENSE_DIMENSION or vectors_wanted >= dimension - 1:
            values, vectors = np.linalg.eigh(matrix.toarray())
        else:
            start = np.random.default_rng(0).standard_normal(dimension).astype(matrix.dtype)
            # ARPACK's vector updates are level-1/2 BLAS: threads only contend (measured 7x
            # slower with 2 OpenBLAS threads on a loaded 2-core machine at n = 16).
            with threadpool_limits(1):
                values, vectors = eigsh(matrix, k=vectors_wanted, which="SA", v0=start)
        order = np.argsort(values)
        values, vectors = values[order], vectors[:, order]
        lowest = values[0]
        degenerate = values - lowest < DEGENERACY_TOLERANCE * max(1.0, abs(lowest))
        if not degenerate.all() or len(values) == dimension:
            return float(lowest), vectors[:, degenerate]
        vectors_wanted *= 2
