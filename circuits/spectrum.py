r"""The frequencies of a circuit's expectation in each parameter, from its gates.

A gate :math:`U(a) = A\,e^{-iaG}B` driven by an angle :math:`a` contributes to
:math:`f(\theta) = \langle\psi(\theta)|H|\psi(\theta)\rangle` the differences of the eigenvalues of its
generator :math:`G`: as a function of :math:`a` alone, :math:`f` is a trigonometric polynomial whose
frequencies are :math:`\{\lambda_p - \lambda_q\}` (Schuld, Sweke & Meyer, PRA 103, 032430 (2021),
§II; Wierichs et al., Quantum 6, 677 (2022), §2). A parameter :math:`\theta_i` that enters the
angles of several gates :math:`j` affinely, :math:`a_j = c_{ij}\theta_i + \dots`, gives the Minkowski
sum of the sets :math:`c_{ij}\{\lambda^{(j)}_p - \lambda^{(j)}_q\}`: for R Pauli rotations
(eigenvalues ±1/2) the frequencies 1, …, R; for ``2θ`` in one RZZ, 2; for a controlled rotation
(eigenvalues 0, 0, ±1/2) 0.5 and 1. The positive ones are what
:class:`~zeroth_q.objective.SupportsFrequencies` states and the general parameter-shift rule cancels.

Backend-neutral: both backends describe each gate occurrence as a :class:`Occurrence` (its
unitary as a function of one angle, and the angle's derivative in every parameter), so a Qiskit
circuit and a PennyLane function go through the same arithmetic. Generators are found from the
gate's own matrices (no table of gate names to keep up to date): :math:`V(a) = U(a)U(0)^\dagger`
must be a one-parameter group, :math:`V(2a) = V(a)^2`, whose eigenphases at a small :math:`a` are
:math:`-a\lambda_p`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import numpy as np

from zeroth_q.errors import ConfigError

PROBE = 0.1  # angle step: eigenvalues up to π/PROBE ≈ 31 in magnitude are read without wrapping
DECIMALS = 9  # frequencies equal to 1e-9 are one frequency


class Occurrence(NamedTuple):
    """One gate angle: ``name`` for messages, ``unitary(a)`` its matrix at angle ``a`` (the other
    angles of the gate held fixed), ``slopes`` {parameter index: d(angle)/dθ_i} (affine)."""

    name: str
    unitary: Callable[[float], np.ndarray]
    slopes: dict[int, float]


def generator_eigenvalues(occurrence: Occurrence) -> np.ndarray:
    """The eigenvalues of G with U(a) = A e^{-iaG} B; refuses a gate that is not of that form."""
    base = np.asarray(occurrence.unitary(0.0)).conj().T
    one, two = (np.asarray(occurrence.unitary(a)) @ base for a in (PROBE, 2 * PROBE))
    if not np.allclose(two, one @ one, atol=1e-8):
        raise ConfigError(
            f"gate {occurrence.name!r} is not a rotation exp(-i a G) in its parameter, so its "
            f"parameter-shift rule is unknown; decompose it into rotation gates first."
        )
    return -np.angle(np.linalg.eigvals(one)) / PROBE


def _differences(eigenvalues: np.ndarray, slope: float) -> np.ndarray:
    gaps = np.subtract.outer(eigenvalues, eigenvalues).ravel() * abs(slope)
    return np.unique(np.round(gaps, DECIMALS))


def parameter_frequencies(occurrences: Iterable[Occurrence], dim: int) -> tuple[tuple[float, ...], ...]:
    """Per parameter, the distinct positive frequencies of f in it (module docstring); ``(1.0,)``
    for a parameter no gate uses (f is constant in it: any rule gives 0)."""
    sums: list[np.ndarray] = [np.zeros(1) for _ in range(dim)]
    for occurrence in occurrences:
        eigenvalues = None
        for index, slope in occurrence.slopes.items():
            if slope == 0:
                continue
            eigenvalues = generator_eigenvalues(occurrence) if eigenvalues is None else eigenvalues
            total = np.add.outer(sums[index], _differences(eigenvalues, slope)).ravel()
            sums[index] = np.unique(np.round(total, DECIMALS))
    return tuple(_positive(s) for s in sums)


def _positive(frequencies: np.ndarray) -> tuple[float, ...]:
    positive = tuple(float(f) for f in frequencies if f > 10**-DECIMALS)
    return positive or (1.0,)


def affine_slopes(
    angles: Callable[[np.ndarray], np.ndarray], dim: int, names: Sequence[str], seed: int = 0
) -> list[dict[int, float]]:
    """d(angle_j)/dθ_i for the ``angles(θ)`` (one per gate occurrence) of a circuit whose angles
    are computed by code we cannot read (a PennyLane function): probed at 0 and every e_i, then
    checked at two random points, which an angle that is not affine in θ fails."""
    origin = angles(np.zeros(dim))
    columns = np.stack([angles(np.eye(dim)[i]) - origin for i in range(dim)], axis=1)  # (angles, dim)
    rng = np.random.default_rng(seed)
    for point in rng.uniform(-np.pi, np.pi, (2, dim)):
        error = np.abs(angles(point) - origin - columns @ point)
        if np.any(error > 1e-7 * (1 + np.abs(columns).sum(axis=1) * np.pi)):
            name = names[int(np.argmax(error))]
            raise ConfigError(
                f"the angle of gate {name!r} is not an affine function of the parameters (c·θ + d), so no "
                f"parameter-shift rule applies; compute non-linear angles outside the circuit."
            )
    return [{i: float(c) for i, c in enumerate(row) if c != 0} for row in np.round(columns, 12)]
