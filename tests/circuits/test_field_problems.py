"""Fermi-Hubbard, molecules, MaxCut; HVA, QAOA, UCCSD; exact references in particle sectors.

Every check compares two independent computations (our Jordan-Wigner build against
PennyLane's, the sector Lanczos against dense diagonalization, the free-fermion formula
against the matrix, adjoint gradients against finite differences, enumeration against the
ground energy).
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import SparsePauliOp
from scipy.optimize import minimize

from circuits import disk_cache
from circuits import ground_state as ground_state_module
from circuits.adjoint_statevector import AdjointStatevector
from circuits.fermi_hubbard import FermiHubbardConfig, fermi_hubbard_hamiltonian, half_filling_sector
from circuits.ground_state import ParticleSector, ground_state, open_ising_chain_energy, pauli_matrix
from circuits.hamiltonians import heisenberg_xxz, hydrogen_molecule, transverse_field_ising
from circuits.hva import hubbard_hva, ising_hva, xxz_hva
from circuits.maxcut import MaxCutConfig, approximation_ratio, maxcut_hamiltonian, maximum_cut
from circuits.molecules import MoleculeConfig, electron_sector, hartree_fock_occupation, molecule_hamiltonian
from circuits.qaoa import qaoa
from circuits.uccsd import uccsd
from zeroth_q.errors import ConfigError


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Each test reads and writes its own disk cache and starts with an empty memory cache."""
    monkeypatch.setenv(disk_cache.CACHE_ENVIRONMENT_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.setattr(ground_state_module, "_REFERENCES", {})


labels = st.text(alphabet="IXYZ", min_size=4, max_size=4)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(labels, st.floats(-2, 2), st.floats(-2, 2)), min_size=1, max_size=6))
def test_pauli_matrix_equals_qiskits_dense_matrix(terms):
    op = SparsePauliOp([t[0] for t in terms], [complex(re, im) for _, re, im in terms])
    np.testing.assert_allclose(pauli_matrix(op).toarray(), op.to_matrix(), atol=1e-12)


def test_sector_matrix_is_the_block_of_the_full_matrix():
    config = FermiHubbardConfig(1, 4, u=2.5, periodic=True)
    hamiltonian = fermi_hubbard_hamiltonian(config)
    basis = half_filling_sector(config.lattice).basis(hamiltonian.num_qubits)
    assert len(basis) == 36  # C(4,2)²
    full = hamiltonian.to_matrix()
    np.testing.assert_allclose(
        pauli_matrix(hamiltonian, basis).toarray(), full[np.ix_(basis, basis)], atol=1e-12
    )
    assert pauli_matrix(hamiltonian, basis).dtype == np.float64  # real Hamiltonian, real Lanczos


@settings(max_examples=25, deadline=None)
@given(
    st.integers(2, 7).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(-2, 2), min_size=n - 1, max_size=n - 1),
            st.lists(st.floats(-2, 2), min_size=n, max_size=n),
        )
    )
)
def test_free_fermion_energy_of_open_ising_chains(couplings):
    bonds, fields = couplings
    n = len(fields)
    terms = [("ZZ", [i, i + 1], -j) for i, j in enumerate(bonds)] + [
        ("X", [i], -h) for i, h in enumerate(fields)
    ]
    op = SparsePauliOp.from_sparse_list(terms + [("", [], 0.3)], n)
    assert open_ising_chain_energy(op) == pytest.approx(np.linalg.eigvalsh(op.to_matrix())[0], abs=1e-9)


def test_no_closed_form_outside_the_open_ising_chain():
    assert open_ising_chain_energy(transverse_field_ising(5, 1.0, periodic=True)) is None
    assert open_ising_chain_energy(heisenberg_xxz(4, 0.5)) is None


def test_sector_ground_state_is_the_lowest_eigenvalue_of_that_block():
    config = FermiHubbardConfig(2, 2, u=4.0)
    hamiltonian = fermi_hubbard_hamiltonian(config)
    sector = half_filling_sector(config.lattice)
    basis = sector.basis(8)
    block = hamiltonian.to_matrix()[np.ix_(basis, basis)]
    reference = ground_state(hamiltonian, sector=sector)
    assert reference.energy == pytest.approx(np.linalg.eigvalsh(block)[0], abs=1e-10)
    assert reference.energy > np.linalg.eigvalsh(hamiltonian.to_matrix())[0] + 0.1  # the sector matters here
    state = np.zeros(256, dtype=complex)
    state[basis] = reference.space[:, 0]
    assert reference.fidelity(state) == pytest.approx(1.0)


def test_reference_is_read_back_from_disk_and_a_corrupt_entry_is_recomputed(monkeypatch):
    hamiltonian = heisenberg_xxz(6, 0.5, periodic=True)
    first = ground_state(hamiltonian)
    key = ground_state_module.reference_key(hamiltonian, None)
    path = disk_cache.cache_directory(ground_state_module.CACHE_KIND) / f"{key}.npz"
    assert path.exists()
    # Same operator, terms in another order: same key.
    assert (
        ground_state_module.reference_key(
            SparsePauliOp(hamiltonian.paulis[::-1], hamiltonian.coeffs[::-1]), None
        )
        == key
    )
    monkeypatch.setattr(ground_state_module, "_REFERENCES", {})
    stored = ground_state(hamiltonian)
    assert stored.energy == first.energy
    np.testing.assert_array_equal(stored.space, first.space)
    path.write_bytes(b"not a zip file")
    monkeypatch.setattr(ground_state_module, "_REFERENCES", {})
    assert ground_state(hamiltonian).energy == pytest.approx(first.energy, abs=1e-12)


@pytest.mark.parametrize(("rows", "cols", "periodic"), [(1, 4, True), (2, 2, False)])
def test_fermi_hubbard_spectrum_equals_pennylanes(rows, cols, periodic):
    qml = pytest.importorskip("pennylane")
    ours = fermi_hubbard_hamiltonian(FermiHubbardConfig(rows, cols, t=0.7, u=3.0, periodic=periodic))
    lattice = "chain" if rows == 1 else "rectangle"
    cells = [cols] if rows == 1 else [rows, cols]
    theirs = qml.spin.fermi_hubbard(lattice, cells, hopping=0.7, coulomb=3.0, boundary_condition=periodic)
    # Different spin-orbital orders give different matrices of the same fermionic operator:
    # their spectra (all particle numbers) must agree.
    np.testing.assert_allclose(
        np.linalg.eigvalsh(ours.to_matrix()),
        np.linalg.eigvalsh(qml.matrix(theirs, wire_order=range(ours.num_qubits))),
        atol=1e-10,
    )


def test_hubbard_bonds_of_a_periodic_ring_of_three_need_three_classes():
    lattice = FermiHubbardConfig(2, 3, periodic=True).lattice
    classes = lattice.bond_classes()
    for bonds in classes:
        sites = [s for bond in bonds for s in bond]
        assert len(sites) == len(set(sites))  # disjoint: the class's hopping terms commute
    assert sorted(b for c in classes for b in c) == sorted(set(lattice.bonds()))
    assert len(lattice.bonds()) == 2 * 3 + 3  # two rings of 3 and 3 vertical bonds (rows = 2: no wrap)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"rows": 1, "cols": 3}, "even number of sites"),
        ({"rows": 4, "cols": 4}, "at most 24"),
        ({"rows": 1, "cols": 4, "u": float("nan")}, "finite"),
        ({"rows": 0, "cols": 4}, "integers >= 1"),
    ],
)
def test_fermi_hubbard_config_refuses_bad_lattices(params, fragment):
    with pytest.raises(ConfigError, match=fragment):
        FermiHubbardConfig(**params)


def test_maxcut_graph_is_a_simple_regular_graph_fixed_by_its_seed():
    graph = MaxCutConfig(nodes=10, degree=3, seed=4).graph()
    degrees = np.bincount([v for i, j, _ in graph.edges for v in (i, j)], minlength=10)
    assert np.all(degrees == 3)
    assert len({(i, j) for i, j, _ in graph.edges}) == len(graph.edges) == 15
    assert all(i < j for i, j, _ in graph.edges)
    assert graph == MaxCutConfig(nodes=10, degree=3, seed=4).graph()
    assert graph != MaxCutConfig(nodes=10, degree=3, seed=5).graph()


def test_maximum_cut_is_minus_the_ground_energy_and_plus_state_has_half_the_edges():
    graph = MaxCutConfig(
        nodes=8, edges=((0, 1), (1, 2, 2.0), (2, 3), (3, 0), (0, 4), (4, 5), (5, 6), (6, 7))
    ).graph()
    hamiltonian = maxcut_hamiltonian(graph)
    assert ground_state(hamiltonian).energy == pytest.approx(-maximum_cut(graph))
    assert maximum_cut(graph) == 9.0  # bipartite (a square with a tail): every edge is cut
    function = AdjointStatevector(qaoa(graph, 1), hamiltonian)
    total = sum(w for *_, w in graph.edges)
    assert approximation_ratio(function.energy(np.zeros(2)), maximum_cut(graph)) == pytest.approx(
        total / 2 / 9.0
    )


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"nodes": 9, "degree": 3}, "must be even"),
        ({"nodes": 4, "degree": 4}, "degree must be in"),
        ({"nodes": 4, "edges": ((0, 0),)}, "two different vertices"),
        ({"nodes": 4, "edges": ((0, 1), (1, 0))}, "listed twice"),
        ({"nodes": 30}, "2..24"),
    ],
)
def test_maxcut_config_refuses_bad_graphs(params, fragment):
    with pytest.raises(ConfigError, match=fragment):
        MaxCutConfig(**params)


def test_h2_from_the_molecule_builder_is_the_four_qubit_table_and_is_then_read_without_pennylane():
    np.testing.assert_allclose(
        molecule_hamiltonian(MoleculeConfig("H2")).to_matrix(), hydrogen_molecule(4).to_matrix(), atol=1e-8
    )
    # A fresh process with the same cache directory (inherited from the fixture) builds nothing.
    probe = (
        "import sys; from circuits.molecules import MoleculeConfig, molecule_hamiltonian; "
        "h = molecule_hamiltonian(MoleculeConfig('H2')); print(h.size, 'pennylane' in sys.modules)"
    )
    root = str(Path(__file__).resolve().parents[2])
    environment = os.environ | {"PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=environment
    )
    assert output.stdout.split() == ["15", "False"]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"molecule": "LiH", "active_electrons": 3}, "must be even"),
        ({"molecule": "LiH", "active_orbitals": 7}, "active_orbitals must hold"),
        ({"molecule": "H2", "bond_length": 0.0}, "between 0.1 and 10"),
        ({"molecule": "h2o"}, "unknown molecule"),
    ],
)
def test_molecule_config_refuses_bad_active_spaces(params, fragment):
    with pytest.raises(ConfigError, match=fragment):
        MoleculeConfig(**params)


def _random_point(function, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, function.num_parameters)


def _ansatz_cases():
    hubbard = FermiHubbardConfig(2, 2, u=2.0)
    graph = MaxCutConfig(nodes=6, degree=3, seed=1).graph()
    return {
        "ising_hva": (ising_hva(5, 2, periodic=True), transverse_field_ising(5, 0.8, periodic=True)),
        "xxz_hva": (xxz_hva(6, 2), heisenberg_xxz(6, 0.5)),
        "hubbard_hva": (hubbard_hva(hubbard.lattice, 2), fermi_hubbard_hamiltonian(hubbard)),
        "qaoa": (qaoa(graph, 2), maxcut_hamiltonian(graph)),
        "uccsd": (uccsd(2, 2), hydrogen_molecule(4)),
    }


@pytest.mark.parametrize("name", ["ising_hva", "xxz_hva", "hubbard_hva", "qaoa", "uccsd"])
def test_adjoint_gradient_equals_central_differences(name):
    circuit, hamiltonian = _ansatz_cases()[name]
    function = AdjointStatevector(circuit, hamiltonian)
    theta = _random_point(function)
    _, gradient = function.energy_and_gradient(theta)
    step = 1e-6
    differences = [
        (function.energy(theta + step * e) - function.energy(theta - step * e)) / (2 * step)
        for e in np.eye(len(theta))
    ]
    np.testing.assert_allclose(gradient, differences, atol=1e-7)


def test_starting_states_are_the_ground_states_of_the_easy_parts():
    n = 6
    assert AdjointStatevector(ising_hva(n, 1), transverse_field_ising(n, 0.7)).energy(
        np.zeros(2)
    ) == pytest.approx(-0.7 * n)  # |+>^n: every X term at -h, every ZZ at 0
    # three singlets: XX + YY + ΔZZ = -2 - Δ on each even bond, 0 on odd bonds
    assert AdjointStatevector(xxz_hva(n, 1), heisenberg_xxz(n, 0.5)).energy(np.zeros(4)) == pytest.approx(
        -7.5
    )
    function = AdjointStatevector(uccsd(2, 2), hydrogen_molecule(4))
    hartree_fock = np.zeros(16)
    hartree_fock[sum(1 << q for q in hartree_fock_occupation(2))] = 1.0
    np.testing.assert_allclose(np.abs(function.statevector(np.zeros(3))), hartree_fock, atol=1e-12)


@pytest.mark.parametrize(
    ("circuit", "sector", "qubits"),
    [
        (
            hubbard_hva(FermiHubbardConfig(2, 2).lattice, 2),
            half_filling_sector(FermiHubbardConfig(2, 2).lattice),
            8,
        ),
        (uccsd(2, 3), electron_sector(2, 3), 6),
    ],
    ids=["hubbard_hva", "uccsd"],
)
def test_fermionic_ansaetze_stay_in_their_particle_sector(circuit, sector, qubits):
    function = AdjointStatevector(circuit, SparsePauliOp("I" * qubits))
    state = function.statevector(_random_point(function, seed=3))
    assert np.sum(np.abs(state[sector.basis(qubits)]) ** 2) == pytest.approx(1.0, abs=1e-12)


def test_parameter_counts():
    assert ising_hva(8, 6).num_parameters == 12
    assert xxz_hva(8, 3).num_parameters == 12
    # classes of disjoint bonds: 2x2 one horizontal and one vertical; 2x4 two horizontal, one vertical
    assert hubbard_hva(FermiHubbardConfig(2, 2).lattice, 3).num_parameters == 3 * (1 + 2)
    assert hubbard_hva(FermiHubbardConfig(2, 4).lattice, 3).num_parameters == 3 * (1 + 3)
    assert hubbard_hva(FermiHubbardConfig(1, 4).lattice, 3).num_parameters == 3 * (1 + 2)
    assert qaoa(MaxCutConfig().graph(), 2).num_parameters == 4
    assert uccsd(2, 3).num_parameters == 8  # 4 singles, 4 doubles (S_z conserving)


def test_hva_reaches_the_exact_ground_state_of_a_short_ring():
    # n/2 layers represent the periodic chain's ground state exactly (Ho & Hsieh, SciPost Phys. 6,
    # 029 (2019)); the open chain needs more.
    hamiltonian = transverse_field_ising(4, 1.0, periodic=True)
    function = AdjointStatevector(ising_hva(4, 2, periodic=True), hamiltonian)
    result = minimize(function.energy_and_gradient, 0.1 * _random_point(function), jac=True, method="BFGS")
    assert result.fun == pytest.approx(ground_state(hamiltonian).energy, abs=1e-6)


def test_uccsd_reaches_chemical_accuracy_on_h2():
    hamiltonian = hydrogen_molecule(4)
    function = AdjointStatevector(uccsd(2, 2), hamiltonian)
    result = minimize(function.energy_and_gradient, np.zeros(3), jac=True, method="BFGS")
    exact = ground_state(hamiltonian, sector=electron_sector(2, 2)).energy
    assert exact == pytest.approx(-1.137306, abs=1e-6)
    assert result.fun - exact < 1.6e-3


@pytest.mark.slow
def test_uccsd_reaches_chemical_accuracy_on_lih():
    config = MoleculeConfig("LiH")
    hamiltonian = molecule_hamiltonian(config)
    exact = ground_state(hamiltonian, sector=electron_sector(2, 3)).energy
    assert exact == pytest.approx(-7.8631, abs=1e-4)
    function = AdjointStatevector(uccsd(2, 3), hamiltonian)
    result = minimize(function.energy_and_gradient, np.zeros(8), jac=True, method="BFGS")
    assert result.fun - exact < 1.6e-3


def test_particle_sector_counts_ones_per_mode_group():
    sector = ParticleSector(((0, 2), (1, 3)), (1, 1))
    assert sector.basis(4).tolist() == [0b0011, 0b0110, 0b1001, 0b1100]


def test_long_open_ising_chain_gets_its_closed_form_energy_without_a_state_vector():
    reference = ground_state(transverse_field_ising(26, 0.9))  # 2^26 amplitudes: never built
    n, h = 26, 0.9
    bidiagonal = np.diag(np.full(n, h)) + np.diag(np.ones(n - 1), 1)
    assert reference.energy == pytest.approx(-np.linalg.svd(bidiagonal, compute_uv=False).sum(), abs=1e-12)
    assert reference.space is None
    with pytest.raises(ValueError, match="no ground space"):
        reference.fidelity(np.zeros(4))
