"""MaxCut on a weighted graph: the cost Hamiltonian QAOA minimizes, and the exact maximum cut.

A cut z ∈ {±1}^n has value C(z) = Σ_(i,j) w_ij (1 - z_i z_j)/2. Sign convention: the
Hamiltonian is H = -C = Σ_(i,j) w_ij (Z_i Z_j - 1)/2, so that *minimizing* the energy (what
every optimizer here does) maximizes the cut; qubit i is vertex i, |0> is z = +1. Its ground
energy is -C_max, and the main metric is the approximation ratio r = <C>/C_max = -<H>/C_max
(Farhi, Goldstone & Gutmann, arXiv:1411.4028).

Random d-regular graphs come from the pairing (configuration) model with rejection of
loops and repeated edges (Bollobás 1980), drawn from ``numpy.random.default_rng(seed)``:
uniform over simple d-regular graphs, and the same graph for the same seed on any machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from zeroth_q.config import require

Edge = tuple[int, int, float]
MAX_NODES = 24
_PAIRING_ATTEMPTS = 10_000


class Graph(NamedTuple):
    """``num_nodes`` vertices and weighted edges (i, j, w) with i < j."""

    num_nodes: int
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class MaxCutConfig:
    """Either a random ``degree``-regular graph on ``nodes`` vertices drawn from ``seed``, or
    the graph of ``edges`` (a tuple of (i, j) or (i, j, weight); ``nodes`` then counts the
    vertices, all of which must be used or isolated on purpose)."""

    nodes: int = 10
    degree: int = 3
    seed: int = 0
    edges: tuple[tuple[int, ...], ...] | None = None

    def __post_init__(self) -> None:
        require(
            isinstance(self.nodes, int) and 2 <= self.nodes <= MAX_NODES,
            f"nodes is the number of vertices (= qubits), in 2..{MAX_NODES}, got {self.nodes!r}.",
        )
        if self.edges is not None:
            _check_edges(self.edges, self.nodes)
            return
        require(
            isinstance(self.degree, int) and 1 <= self.degree < self.nodes,
            f"degree must be in 1..nodes-1 = 1..{self.nodes - 1}, got {self.degree!r}.",
        )
        require(
            self.nodes * self.degree % 2 == 0,
            f"a {self.degree}-regular graph on {self.nodes} nodes does not exist (nodes × degree must be "
            "even): change nodes or degree.",
        )

    def graph(self) -> Graph:
        if self.edges is not None:
            return Graph(
                self.nodes,
                tuple((min(e[:2]), max(e[:2]), float(e[2]) if len(e) == 3 else 1.0) for e in self.edges),
            )
        return random_regular_graph(self.nodes, self.degree, np.random.default_rng(self.seed))


def _check_edges(edges: tuple[tuple[int, ...], ...], nodes: int) -> None:
    require(len(edges) > 0, "edges is empty: give at least one (i, j) pair.")
    seen = set()
    for edge in edges:
        require(
            isinstance(edge, tuple | list) and len(edge) in (2, 3),
            f"each edge is (i, j) or (i, j, weight), got {edge!r}.",
        )
        i, j = edge[0], edge[1]
        require(
            isinstance(i, int) and isinstance(j, int) and 0 <= i < nodes and 0 <= j < nodes and i != j,
            f"edge {edge!r} must join two different vertices in 0..{nodes - 1} (nodes={nodes}).",
        )
        require(
            len(edge) == 2 or (isinstance(edge[2], int | float) and math.isfinite(edge[2])),
            f"the weight of edge {edge!r} must be a finite number.",
        )
        require((min(i, j), max(i, j)) not in seen, f"edge {edge!r} is listed twice; merge the weights.")
        seen.add((min(i, j), max(i, j)))


def random_regular_graph(nodes: int, degree: int, rng: np.random.Generator) -> Graph:
    """A uniform random simple ``degree``-regular graph (pairing model with rejection)."""
    stubs = np.repeat(np.arange(nodes), degree)
    for _ in range(_PAIRING_ATTEMPTS):
        pairs = np.sort(rng.permutation(stubs).reshape(-1, 2), axis=1)
        simple = np.all(pairs[:, 0] != pairs[:, 1]) and len(np.unique(pairs, axis=0)) == len(pairs)
        if simple:
            return Graph(nodes, tuple((int(i), int(j), 1.0) for i, j in sorted(map(tuple, pairs))))
    raise RuntimeError(f"no simple {degree}-regular graph on {nodes} nodes in {_PAIRING_ATTEMPTS} pairings.")


def maxcut_hamiltonian(graph: Graph) -> SparsePauliOp:
    """H = Σ_(i,j) w_ij (Z_i Z_j - 1)/2 = -C (see the module docstring for the sign)."""
    terms = [("ZZ", [i, j], w / 2) for i, j, w in graph.edges] + [
        ("", [], -sum(w for *_, w in graph.edges) / 2)
    ]
    return SparsePauliOp.from_sparse_list(terms, graph.num_nodes).simplify()


def cut_values(graph: Graph) -> np.ndarray:
    """C(b) for every bitstring b = 0 … 2^n - 1 (little-endian: bit i is vertex i)."""
    states = np.arange(1 << graph.num_nodes, dtype=np.int64)
    values = np.zeros(len(states))
    for i, j, w in graph.edges:
        values += w * (((states >> i) ^ (states >> j)) & 1)
    return values


def maximum_cut(graph: Graph) -> float:
    """C_max by enumerating all 2^n cuts (n <= 24: 16M values, ~0.1 GB)."""
    return float(cut_values(graph).max())


def approximation_ratio(energy: float, best_cut: float) -> float:
    """r = <C>/C_max = -<H>/C_max for H = -C."""
    return -energy / best_cut
