"""Counts drawn from exact probabilities are distributed as shots sampled one by one.

The two ``sampled`` paths (``sampler="counts"``: Multinomial(N, p) of the simulated
outcome probabilities; ``sampler="primitive"``: bitstrings from Aer's SamplerV2) and the
``gaussian`` model must agree: outcome counts by chi-square tests, energy estimates in mean
and variance. Fixed seeds; every assertion is a statistical test that fails on a wrong
distribution (a wrong basis rotation, bit order, lumping or shot count).
"""

import numpy as np
import pytest
from scipy import stats

from circuits.shot_models import multinomial_counts

CIRCUITS = [
    {"problem": "tfim", "qubits": 3, "h": 0.7},
    {"problem": "xxz", "qubits": 4, "delta": 0.5},  # X, Y and Z bases
    {"problem": "tfim", "qubits": 5, "periodic": True},
]
MANY = 100_000
P_MIN = 1e-3


def circuit_id(params):
    return f"{params['problem']}{params['qubits']}"


def pooled(expected: np.ndarray, *observed: np.ndarray) -> tuple[np.ndarray, ...]:
    """Outcomes with expected count < 5 pooled into one bin (the chi-square approximation's rule)."""
    small = expected < 5
    if not small.any():
        return (expected, *observed)
    return tuple(np.append(a[~small], a[small].sum()) for a in (expected, *observed))


@pytest.mark.parametrize("params", CIRCUITS, ids=circuit_id)
def test_outcome_counts_of_both_paths_match_each_other_and_the_probabilities(vqe, params):
    counts_path = vqe(**params, shots=MANY)
    primitive = vqe(**params, shots=MANY, sampler="primitive")
    rng = np.random.default_rng(3)
    theta = rng.uniform(-np.pi, np.pi, (1, counts_path.dim))
    probabilities = counts_path.backend.basis_probabilities(theta)[0]  # (G, 2^n)
    drawn = multinomial_counts(probabilities, MANY, rng)
    bits = primitive.backend.sample(theta, MANY, seed=4)
    weights = 1 << np.arange(params["qubits"])
    for g, group_bits in enumerate(bits):
        sampled = np.bincount(group_bits[0].astype(int) @ weights, minlength=probabilities.shape[1])
        expected, ours, theirs = pooled(MANY * probabilities[g], drawn[g], sampled)
        assert stats.chisquare(ours, expected).pvalue > P_MIN
        assert stats.chisquare(theirs, expected).pvalue > P_MIN
        table = np.stack([ours, theirs])
        assert stats.chi2_contingency(table[:, table.sum(axis=0) > 0]).pvalue > P_MIN


MODELS = {
    "counts": {},
    "primitive": {"sampler": "primitive"},
    "gaussian": {"shot_model": "gaussian"},
}
# The primitive path's time grows with rows x shots: 3000 x 1000 x 2 groups takes ~10 s.
ESTIMATE_CASES = [
    pytest.param(model, shots, marks=[pytest.mark.slow] if (model, shots) == ("primitive", 1000) else [])
    for model in MODELS
    for shots in (10, 100, 1000)
]


@pytest.mark.parametrize(("model", "shots"), ESTIMATE_CASES)
def test_energy_estimates_have_the_sampling_mean_and_variance_on_every_path(vqe, model, shots):
    """Each path against the theory (exact energy, Σ_g Var O_g / N) at the same θ, so all
    three agree with each other: mean within 3 SE, variance within 10 % (its SE is 2.6 %)."""
    params, rows = CIRCUITS[0], 3000
    objective = vqe(**params, shots=shots, **MODELS[model])
    gaussian = vqe(**params, shots=shots, shot_model="gaussian")
    rng = np.random.default_rng(shots)
    theta = rng.uniform(-np.pi, np.pi, objective.dim)
    variance = gaussian.shot_model.variance(gaussian.backend, theta[None, :])[0]
    values = objective.evaluate(np.tile(theta, (rows, 1)), rng).values
    assert abs(values.mean() - gaussian.metrics(theta)["energy"]) < 3 * np.sqrt(variance / rows)
    assert values.var(ddof=1) == pytest.approx(variance, rel=0.1)


def test_counts_path_costs_the_same_as_shot_by_shot_sampling(vqe):
    counts_path, primitive = (
        vqe(problem="xxz", qubits=3, shots=100),
        vqe(problem="xxz", qubits=3, shots=100, sampler="primitive"),
    )
    thetas = np.zeros((5, counts_path.dim))
    costs = [o.evaluate(thetas, np.random.default_rng(0)).cost for o in (counts_path, primitive)]
    assert costs[0] == costs[1]
    assert (costs[0].circuits, costs[0].shots) == (15, 1500)
