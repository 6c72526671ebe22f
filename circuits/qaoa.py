"""The quantum approximate optimization algorithm (QAOA) for MaxCut (Farhi, Goldstone &
Gutmann, arXiv:1411.4028).

|γ, β> = Π_{l=1..p} exp(-i β_l B) exp(-i γ_l H_C) |+>^n with the mixer B = Σ_i X_i and the
cost H_C = Σ_(i,j) w_ij (Z_i Z_j - 1)/2 of :mod:`circuits.maxcut` (= -C; its constant is a
global phase): exp(-i γ w Z_i Z_j / 2) = RZZ(γ w) per edge and exp(-i β X) = RX(2β) per
qubit. Parameters (Qiskit's sorted order): β_0 … β_{p-1}, then γ_0 … γ_{p-1}; each γ_l drives
every edge's gate and each β_l every qubit's. With integer weights the energy is 2π-periodic
in γ and π-periodic in β.
"""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector

from circuits.maxcut import Graph
from zeroth_q.config import require


def qaoa(graph: Graph, reps: int) -> QuantumCircuit:
    """QAOA of depth p = ``reps`` with the initial |+> layer."""
    require(reps >= 1, f"QAOA needs reps = p >= 1 layers, got {reps}.")
    gamma, beta = ParameterVector("γ", reps), ParameterVector("β", reps)
    circuit = QuantumCircuit(graph.num_nodes, name="qaoa")
    circuit.h(range(graph.num_nodes))
    for layer in range(reps):
        for i, j, weight in graph.edges:
            circuit.rzz(weight * gamma[layer], i, j)
        circuit.rx(2 * beta[layer], range(graph.num_nodes))
    return circuit
