"""How an energy estimate is produced from a circuit, and what it costs.

Models, named for what they compute:

* :class:`ExactExpectation`: the statevector expectation <ψ(θ)|H|ψ(θ)>, no noise.
* :class:`SampledCounts` (``sampled``, the default on simulators): measurement counts.
  Every qubit-wise commuting group is one circuit measured with N shots; the counts are
  drawn from the exact outcome probabilities, which is how the N bitstrings of a
  simulated circuit are distributed, at the cost of one simulation whatever N.
* :class:`SampledMeasurement` (``sampled`` with ``sampler="primitive"``): the same
  estimate from the bitstrings of a SamplerV2 (Aer's, or a device's).
* :class:`GaussianShotNoise`: exact group expectations plus Gaussian noise whose variance
  is the sampling variance of the N-shot group mean at the current state.

Neither library's built-in "precision"/"shots" knob is used for noise, on purpose: Aer's
``EstimatorV2(precision=σ)`` adds N(0, σ²) with a *fixed* σ to the exact value,
whatever the state, which is not what shots do (the variance of a shot estimate shrinks
to 0 near an eigenstate of the measured group).

Cost of one call with B rows and G groups: ``circuits = B·G`` and ``shots = B·G·N``
(sampled and gaussian); exact mode counts one statevector simulation per row
(``circuits = B``, ``shots = 0``).

The two finite-shot models also take the shots as an input (``estimate_shots``: ``n_bg``
shots for row ``b`` and group ``g``, as shot-adaptive optimizers ask), returning each
group's shot mean and single-shot sample variance; the cost is then what was asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Protocol

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from circuits.backend import CircuitBackend
from circuits.grouping import MeasurementGroup, Spectrum
from zeroth_q.objective import Cost, Evaluation

SEED_BOUND = 2**31 - 1  # seeds drawn from the caller's rng; fits every simulator's seed type
# Bytes of outcome probabilities one backend call may return (:func:`probability_chunk`): at
# n = 20 (G = 2) 42 rows a call, at n = 24 two (Aer runs a call's rows in parallel, one per core:
# one row per call at n = 24 left a core idle); at n = 14 up to 2,730 rows are one call.
PROBABILITY_MEMORY = 2**31


class ShotModel(Protocol):
    """``observables``/``bases``: what the backend must prepare once, at construction."""

    observables: tuple[SparsePauliOp, ...]
    bases: tuple[str, ...]

    def estimate(
        self, backend: CircuitBackend, thetas: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray: ...

    def cost(self, rows: int) -> Cost: ...

    def fidelity_cost(self, rows: int) -> Cost: ...

    def fidelity(self, exact: np.ndarray, rng: np.random.Generator) -> Evaluation:
        """Estimates of the fidelities ``exact`` as this model measures them, and their cost."""
        ...


class ExactExpectation:
    """E(θ) = <ψ(θ)|H|ψ(θ)> from the statevector: the infinite-shot limit."""

    observables: tuple[SparsePauliOp, ...] = ()
    bases: tuple[str, ...] = ()

    def estimate(self, backend: CircuitBackend, thetas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return backend.energy(thetas)

    def cost(self, rows: int) -> Cost:
        return Cost(evaluations=rows, circuits=rows)

    def fidelity_cost(self, rows: int) -> Cost:
        return self.cost(rows)

    def fidelity(self, exact: np.ndarray, rng: np.random.Generator) -> Evaluation:
        return Evaluation(exact, self.fidelity_cost(len(exact)))


class _PerGroupShots:
    """Shared by the two finite-shot models: N shots on each of the G group circuits."""

    def __init__(self, shots: int, offset: float, groups: Sequence[MeasurementGroup]):
        self.shots = shots
        self.offset = offset
        self.groups = tuple(groups)

    def cost(self, rows: int) -> Cost:
        circuits = rows * len(self.groups)
        return Cost(evaluations=rows, circuits=circuits, shots=circuits * self.shots)

    def weights(self) -> np.ndarray:
        """Σ_k |c_k| per group: the largest magnitude one shot of O_g can take."""
        return np.array([np.abs(g.coeffs).sum() for g in self.groups])

    def fidelity_cost(self, rows: int) -> Cost:
        """One compute–uncompute circuit ``U(θ')†U(θ)`` of N shots per fidelity."""
        return Cost(evaluations=rows, circuits=rows, shots=rows * self.shots)


class SampledMeasurement(_PerGroupShots):
    """Ê = c_0 + Σ_g (1/N) Σ_shots O_g(bitstring): measured counts, as on hardware.

    One call draws one seed from ``rng`` and hands it to the simulator, so a fixed rng
    state reproduces the values bit for bit. The simulators give every row its own
    stream (Aer derives a distinct seed per bound parameter set, PennyLane samples each
    broadcast row separately), so rows are independent, as on a device; the tests check
    this through the spread of identical rows.
    """

    observables: tuple[SparsePauliOp, ...] = ()

    @property
    def bases(self) -> tuple[str, ...]:
        return tuple(g.basis for g in self.groups)

    @cached_property
    def spectra(self) -> tuple[Spectrum, ...]:
        return tuple(g.spectrum() for g in self.groups)

    def expectation(self, backend: CircuitBackend, thetas: np.ndarray) -> np.ndarray:
        """The infinite-shot limit of the estimate, c_0 + Σ_g Σ_v q_{g,v} v: with device
        noise the noisy channel's energy (readout included), without it the exact energy."""
        lumped = self.lumped_probabilities(backend, thetas)
        return self.offset + sum(q @ s.values for q, s in zip(lumped, self.spectra, strict=True))

    def lumped_probabilities(self, backend: CircuitBackend, thetas: np.ndarray) -> list[np.ndarray]:
        """q_{g,v} per group, (B, V_g) each: the probability of eigenvalue v of O_g.

        The backend's outcome probabilities take G·2^n floats per row (256 MB at n = 24,
        G = 2), so they are computed for :func:`probability_chunk` rows at a time and
        lumped at once; rows are independent, so the values do not depend on the chunks."""
        chunk = probability_chunk(len(self.groups), self.groups[0].support.shape[1]) if self.groups else 1
        parts = []
        for rows in np.array_split(thetas, max(1, -(-len(thetas) // chunk))):
            probabilities = backend.basis_probabilities(rows)
            parts.append([s.lump(probabilities[:, g]) for g, s in enumerate(self.spectra)])
        return [np.concatenate(group) for group in zip(*parts, strict=True)]

    def estimate(self, backend: CircuitBackend, thetas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        bits = backend.sample(thetas, self.shots, int(rng.integers(SEED_BOUND)))
        return self.offset + sum(g.mean_from_bits(b) for g, b in zip(self.groups, bits, strict=True))

    def estimate_shots(
        self, backend: CircuitBackend, thetas: np.ndarray, counts: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per (row, group) shot means and ddof=1 variances of O_g from ``counts[b, g]`` shots.

        The backend samples ``max(counts)`` shots for every row and basis in one job and row
        ``b`` keeps its first ``counts[b, g]`` of group ``g`` (shots are i.i.d., so this is
        distributed as sampling exactly ``counts[b, g]``); the extra simulated shots are not
        charged, as they would not be run on a device.
        """
        most = int(counts.max())
        if most == 0:
            nan = np.full(counts.shape, np.nan)
            return nan, nan.copy()
        bits = backend.sample(thetas, most, int(rng.integers(SEED_BOUND)))
        values = np.stack([g.eigenvalues(b) for g, b in zip(self.groups, bits, strict=True)], axis=1)
        kept = np.arange(most) < counts[:, :, None]  # (rows, groups, shots)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(kept, values, 0.0).sum(axis=2) / counts
            squares = np.where(kept, (values - means[:, :, None]) ** 2, 0.0).sum(axis=2)
            variances = np.where(counts > 1, squares / (counts - 1), np.nan)
        return np.where(counts > 0, means, np.nan), variances

    def fidelity(self, exact: np.ndarray, rng: np.random.Generator) -> Evaluation:
        """The frequency of the all-zeros outcome of ``U(θ')†U(θ)|0>`` over N shots, which is
        distributed exactly as Binomial(N, F)/N; drawn from that law instead of simulating
        the doubled circuit (Havlíček et al., Nature 567, 209 (2019): the overlap test)."""
        return Evaluation(rng.binomial(self.shots, exact) / self.shots, self.fidelity_cost(len(exact)))


class SampledCounts(SampledMeasurement):
    """Ê = c_0 + Σ_g (1/N_g) Σ_v n_{g,v} v,  (n_{g,v})_v ~ Multinomial(N_g, q_g),

    where v runs over the distinct eigenvalues of O_g and q_{g,v} is the probability of
    the outcomes with eigenvalue v in basis g (:meth:`circuits.grouping.Spectrum.lump`).
    N independent shots are i.i.d. draws from the outcome distribution p_g, so their
    counts per outcome are Multinomial(N, p_g) and their counts per eigenvalue
    Multinomial(N, q_g): every estimate has exactly the distribution of shot-by-shot
    sampling. Why this way: the simulation (one per row, all bases from one state) is
    the floor cost; numpy's multinomial draws one binomial per category, so lumping to
    V ≤ a few dozen eigenvalues makes the draw O(V) per (row, group), independent of
    both N and 2^n (drawing N outcomes by inverse CDF would cost O(N log 2^n)).

    ``N_g`` may differ per row and group (:meth:`estimate_shots`), for shot-adaptive
    optimizers. All randomness comes from ``rng``.
    """

    def estimate(self, backend: CircuitBackend, thetas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        shots = np.full((len(thetas), len(self.groups)), self.shots)
        return self.offset + self.estimate_shots(backend, thetas, shots, rng)[0].sum(axis=1)

    def estimate_shots(
        self, backend: CircuitBackend, thetas: np.ndarray, shots: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per (row, group) shot mean of O_g and the unbiased (ddof=1) variance of its single
        shots, from ``shots[b, g]`` shots: Σ_v n_v v / N and (Σ_v n_v v² - N mean²)/(N - 1),
        exactly what the N bitstrings would give. NaN where a group got no shot (means) or
        fewer than two (variances)."""
        lumped = self.lumped_probabilities(backend, thetas)
        sums, squares = np.empty(shots.shape), np.empty(shots.shape)
        for g, spectrum in enumerate(self.spectra):
            counts = multinomial_counts(lumped[g], shots[:, g], rng)
            sums[:, g], squares[:, g] = counts @ spectrum.values, counts @ spectrum.values**2
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(shots > 0, sums / shots, np.nan)
            variances = np.where(shots > 1, np.maximum(squares - sums * means, 0.0) / (shots - 1), np.nan)
        return means, variances


def probability_chunk(groups: int, qubits: int, budget: int = PROBABILITY_MEMORY) -> int:
    """Rows whose outcome probabilities fit in ``budget`` bytes: G·2^n float64 per row, held
    about three times (the simulator's result, the stacked array, a group's gathered copy
    while it is lumped). At least one row: a row that does not fit was refused before the run
    (:meth:`circuits.config.VQEConfig.__post_init__`)."""
    return max(1, budget // (3 * 8 * groups << qubits))


def statevector_chunk(qubits: int, budget: int = PROBABILITY_MEMORY) -> int:
    """Rows whose complex statevectors (16·2^n bytes each) fit in ``budget`` bytes, held about
    twice (the simulator's result and the copy it is returned in); at least two, so that a
    batch's reference row and one other share a simulation. At n = 24 a state is 256 MB:
    QN-SPSA's 4 fidelity rows plus the reference would hold 1.3 GB at once, unchunked."""
    return max(2, budget // (2 * 16 << qubits))


def multinomial_counts(
    probabilities: np.ndarray, shots: np.ndarray | int, rng: np.random.Generator
) -> np.ndarray:
    """Counts (..., K) ~ Multinomial(shots, p) per leading index, for probabilities (..., K)
    summing to 1 up to rounding (renormalized: numpy rejects sums above 1 + 1e-12)."""
    probabilities = np.clip(probabilities, 0.0, None)
    return rng.multinomial(shots, probabilities / probabilities.sum(axis=-1, keepdims=True))


class GaussianShotNoise(_PerGroupShots):
    """Ê = c_0 + Σ_g (<O_g> + σ_g z_g),  σ_g² = (<O_g²> - <O_g>²) / N,  z_g ~ N(0, 1).

    The mean and variance of each group estimate equal those of :class:`SampledMeasurement`
    at the same state (both computed exactly from the statevector), at the price of one
    exact simulation instead of G·N samples. What it neglects: the higher moments of the
    count distribution (skewness, discreteness: with few shots or near an eigenstate the
    N-shot mean is a scaled binomial, not a Gaussian), nothing else; groups and rows are
    independent in both models. z is drawn from ``rng``, one per row and group.
    """

    bases: tuple[str, ...] = ()

    @property
    def observables(self) -> tuple[SparsePauliOp, ...]:
        return tuple(g.observable for g in self.groups) + tuple(g.square() for g in self.groups)

    def moments(self, backend: CircuitBackend, thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(<O_g>, σ_g²) per row and group, each (rows, G)."""
        expectations = backend.expectations(thetas)
        means, squares = np.split(expectations, 2, axis=1)
        return means, np.maximum(squares - means**2, 0.0) / self.shots

    def variance(self, backend: CircuitBackend, thetas: np.ndarray) -> np.ndarray:
        """Var Ê per row = Σ_g σ_g²: the shot-noise variance of both finite-shot models."""
        return self.moments(backend, thetas)[1].sum(axis=1)

    def estimate_shots(
        self, backend: CircuitBackend, thetas: np.ndarray, counts: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """<O_g> + N(0, v_g/n) and a sample variance v_g χ²_{n-1}/(n-1), per (row, group),
        with v_g the single-shot variance: the Gaussian model of ``n`` shots' mean and spread."""
        means, variances = self.moments(backend, thetas)
        single = variances * self.shots  # moments() divides by the configured N
        with np.errstate(divide="ignore", invalid="ignore"):
            noisy = means + np.sqrt(single / counts) * rng.standard_normal(counts.shape)
            spread = single * rng.chisquare(np.maximum(counts - 1, 1)) / (counts - 1)
        return np.where(counts > 0, noisy, np.nan), np.where(counts > 1, spread, np.nan)

    def estimate(self, backend: CircuitBackend, thetas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        means, variances = self.moments(backend, thetas)
        noise = np.sqrt(variances) * rng.standard_normal(means.shape)
        return self.offset + (means + noise).sum(axis=1)

    def fidelity(self, exact: np.ndarray, rng: np.random.Generator) -> Evaluation:
        """F + N(0, F(1-F)/N): the Gaussian with the binomial frequency's mean and variance."""
        noise = np.sqrt(exact * (1 - exact) / self.shots) * rng.standard_normal(exact.shape)
        return Evaluation(exact + noise, self.fidelity_cost(len(exact)))
