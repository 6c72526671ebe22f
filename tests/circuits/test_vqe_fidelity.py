"""State fidelities on the VQE objective, under each shot model, and QN-SPSA on them."""

import numpy as np
import pytest

from zeroth_q import Budget, minimize
from zeroth_q.errors import CapabilityError
from zeroth_q.objective import Cost


def _exact_overlaps(objective, theta, others):
    reference = objective.backend.statevectors(theta[None, :])[0]
    states = [objective.backend.statevectors(o[None, :])[0] for o in others]  # one row at a time
    return np.array([abs(np.vdot(reference, state)) ** 2 for state in states])


@pytest.mark.parametrize("backend", ["aer", "pennylane"])
def test_exact_fidelity_is_one_at_the_same_point_and_matches_the_overlap(vqe, backend):
    objective = vqe(qubits=3, reps=1, backend=backend, shots="exact")
    rng = np.random.default_rng(0)
    theta = rng.normal(size=objective.dim)
    others = np.stack([theta, theta + 0.4, theta + rng.normal(size=objective.dim)])
    values, cost = objective.fidelity(theta, others, rng)
    assert values[0] == pytest.approx(1.0, abs=1e-12)
    assert 0.0 < values[2] < values[1] < 1.0
    np.testing.assert_allclose(values, _exact_overlaps(objective, theta, others), atol=1e-12)
    assert cost == Cost(evaluations=3, circuits=3)


@pytest.mark.parametrize("chunk", [2, 3])
def test_fidelities_of_a_batch_too_large_for_memory_are_simulated_in_chunks_with_equal_values(
    vqe, monkeypatch, chunk
):
    """At n = 24 a state is 256 MB, so rows are simulated ``statevector_chunk`` at a time
    (forced small here); the reference state is taken from the first chunk only."""
    import circuits.objective

    objective = vqe(qubits=3, reps=1, shots="exact")
    rng = np.random.default_rng(2)
    theta = rng.normal(size=objective.dim)
    others = theta + rng.normal(size=(7, objective.dim))
    whole = objective.fidelity(theta, others, rng).values
    calls = []
    statevectors = objective.backend.statevectors
    monkeypatch.setattr(circuits.objective, "statevector_chunk", lambda qubits: chunk)
    monkeypatch.setattr(
        objective.backend, "statevectors", lambda rows: calls.append(len(rows)) or statevectors(rows)
    )
    chunked = objective.fidelity(theta, others, rng).values
    assert calls == [chunk] * (8 // chunk) + [8 % chunk] * bool(8 % chunk)
    np.testing.assert_allclose(chunked, whole, atol=1e-14)
    np.testing.assert_allclose(chunked, _exact_overlaps(objective, theta, others), atol=1e-12)


def test_a_chunk_of_states_fits_its_memory_and_holds_the_reference_and_one_more():
    from circuits.shot_models import statevector_chunk

    assert statevector_chunk(24) == 4  # 2 GiB over two copies of 256 MB states
    assert statevector_chunk(10) > 10_000
    assert statevector_chunk(40) == 2


@pytest.mark.parametrize("shot_model", ["sampled", "gaussian"])
def test_measured_fidelity_has_the_binomial_mean_variance_and_cost(vqe, shot_model):
    shots = 200
    objective = vqe(qubits=3, reps=1, shots=shots, shot_model=shot_model)
    rng = np.random.default_rng(1)
    theta = rng.normal(size=objective.dim)
    others = np.repeat((theta + 0.5)[None, :], 4000, axis=0)
    exact = _exact_overlaps(objective, theta, others[:1])[0]
    values, cost = objective.fidelity(theta, others, rng)
    standard_error = np.sqrt(exact * (1 - exact) / shots / len(values))
    assert abs(values.mean() - exact) < 3 * standard_error
    assert values.var() == pytest.approx(exact * (1 - exact) / shots, rel=0.1)
    assert cost == Cost(evaluations=4000, circuits=4000, shots=4000 * shots)


def median_errors(vqe, names):
    """Median energy error after 100 steps (3 seeds) from one start on exact TFIM-4, and the start's."""
    objective = vqe(qubits=4, backend="pennylane", shots="exact")
    x0 = objective.initial_point(np.random.default_rng(0))
    start = objective.metrics(x0)["energy_error"]
    errors = {
        name: np.median(
            [
                minimize(objective, name, Budget(steps=100), seed=s, x0=x0).metrics["energy_error"]
                for s in range(3)
            ]
        )
        for name in names
    }
    return errors, start


def test_qnspsa_more_than_halves_the_energy_error_on_exact_tfim(vqe):
    errors, start = median_errors(vqe, ["qnspsa"])
    assert errors["qnspsa"] < 0.5 * start


# Open (issue 14 §5): since SPSA's gain is calibrated from 25 directions (qiskit's way), SPSA's
# median error after 100 steps is 0.24 (seeds 0-2; 0.30 over 5) against QN-SPSA's 0.43 (0.36)
# with its gain calibrated the same way for steps of 0.3 (0.36 with the earlier fixed lr 0.2).
# At 150 steps, 5 seeds: SPSA 0.30, QN-SPSA 0.32.
# A non-strict xfail cannot fail the default suite, where it took 30-150 s: it runs in the slow
# one; test_qnspsa_more_than_halves_the_energy_error_on_exact_tfim keeps QN-SPSA checked here.
@pytest.mark.slow
@pytest.mark.xfail(reason="SPSA with 25-direction gain calibration matches QN-SPSA here", strict=False)
def test_qnspsa_beats_spsa_per_step_on_exact_tfim(vqe):
    """QN-SPSA's metric from fidelities pays for itself: from one start, the median energy
    error after 100 steps (3 seeds) is below SPSA's."""
    errors, _ = median_errors(vqe, ["qnspsa", "spsa"])
    assert errors["qnspsa"] < errors["spsa"]


def test_qnspsa_on_sampled_aer_counts_fidelity_shots(vqe):
    objective = vqe(qubits=3, reps=1, shots=100)
    result = minimize(objective, "qnspsa", Budget(steps=5), seed=0)
    # per step: 2 energy rows (2 groups each) + 4 fidelities + 1 blocking row; step 0 also the
    # gain calibration's 50 rows (25 directions, two-sided) and blocking's 25 start samples; + the
    # final row
    assert result.cost.circuits == 5 * (2 * 2 + 4 + 1 * 2) + 50 * 2 + 25 * 2 + 2
    assert result.cost.shots == 100 * result.cost.circuits


def test_gradient_methods_on_aer_say_which_settings_give_a_gradient(vqe):
    objective = vqe(qubits=3, reps=1, shots=100)
    for name in ("backprop-adam", "newton"):
        with pytest.raises(CapabilityError, match="--set backend=pennylane --set shots=exact"):
            minimize(objective, name, Budget(steps=1))
