"""Newton-LM, BFGS / L-BFGS and 2-SPSA against known answers."""

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der

from zeroth_q import Budget, CapabilityError, ConfigError, build_objective, get_optimizer, minimize
from zeroth_q.estimators import CurvatureSPSAGradient
from zeroth_q.loop.checkpoint import load_checkpoint, save_checkpoint
from zeroth_q.objectives.testfunctions import FunctionObjective


def test_newton_converges_in_at_most_five_steps_on_a_strongly_convex_quadratic():
    quadratic = build_objective("quadratic", {"dim": 30, "condition": 1000.0})
    result = minimize(quadratic, "newton", Budget(steps=5), metrics_every=1)
    distances = [row["distance"] for row in result.history]
    assert distances[0] > 1 and result.metrics["distance"] < 1e-8
    assert all(b <= a for a, b in zip(distances, distances[1:], strict=False))


def test_newton_forms_the_hessian_from_gradients_when_the_objective_has_none():
    objective = FunctionObjective(rosen, np.array([-1.2, 1.0]), jac=rosen_der)
    result = minimize(objective, "newton", Budget(steps=60), metrics_every=0)
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-6)


@pytest.mark.parametrize("name", ["bfgs", "lbfgs"])
def test_quasi_newton_reaches_1e_8_on_rosenbrock_from_the_standard_start(name):
    rosenbrock = build_objective("rosenbrock", {"dim": 2})
    result = minimize(rosenbrock, name, Budget(steps=100), metrics_every=0)
    assert result.fun < 1e-8 and result.metrics["distance"] < 1e-4


def test_lbfgs_with_finite_difference_gradients_and_a_short_memory():
    rosenbrock = build_objective("rosenbrock", {"dim": 6})
    optimizer = get_optimizer("lbfgs", memory=3, estimator={"kind": "coordinate", "shift": 1e-6})
    result = minimize(rosenbrock, optimizer, Budget(steps=300), metrics_every=0)
    assert result.fun < 1e-8


def test_quasi_newton_state_survives_a_checkpoint_bit_for_bit(tmp_path):
    optimizer = get_optimizer("lbfgs", memory=4)
    full = minimize(build_objective("rosenbrock", {"dim": 4}), optimizer, Budget(steps=20))

    class SaveAtTen:
        def on_start(self, run): ...
        def on_end(self, run, result): ...
        def on_step(self, run):
            if run.step == 10:
                save_checkpoint(tmp_path / "ck.npz", run, objective)

    objective = build_objective("rosenbrock", {"dim": 4})
    minimize(objective, optimizer, Budget(steps=10), callbacks=[SaveAtTen()])
    state = load_checkpoint(tmp_path / "ck.npz", objective, optimizer)
    resumed = minimize(objective, optimizer, Budget(steps=20), resume=state)
    np.testing.assert_array_equal(resumed.x, full.x)


def test_2spsa_hessian_estimate_converges_to_the_true_hessian_of_a_quadratic():
    quadratic = build_objective("quadratic", {"dim": 5, "condition": 10.0})
    x, rng = np.linspace(-1, 1, 5), np.random.default_rng(0)
    samples = np.array(
        [
            CurvatureSPSAGradient(c=0.1, gamma=0.0, c_tilde=0.1).sample(quadratic, x, 0, rng)[1]
            for _ in range(20000)
        ]
    )
    truth = quadratic.hessian(x)

    def error(n):
        return np.linalg.norm(samples[:n].mean(axis=0) - truth) / np.linalg.norm(truth)

    assert error(20000) < 0.1
    assert error(20000) < error(1250) / 2.5


def test_2spsa_beats_spsa_per_step_on_an_ill_conditioned_quadratic():
    # Medians over three seeds: one seed of either method can land far from its typical loss.
    quadratic = build_objective("quadratic", {"dim": 20, "condition": 100.0})
    spsa_params = {"target_step": 0.1, "stability": 50}  # as tuned in test_optimizers

    def median_loss(name, params):
        return np.median(
            [
                minimize(
                    quadratic, name, Budget(steps=3000), metrics_every=0, seed=s, optimizer_params=params
                ).metrics["exact_loss"]
                for s in (1, 2, 3)
            ]
        )

    assert median_loss("2spsa", {}) < median_loss("spsa", spsa_params)


def test_second_order_methods_say_what_they_need():
    plain = FunctionObjective(rosen, np.zeros(3))
    with pytest.raises(CapabilityError, match="no jac was given"):
        minimize(plain, "newton", Budget(steps=1))
    with pytest.raises(CapabilityError, match="qnspsa needs the objective.s fidelity"):
        minimize(plain, "qnspsa", Budget(steps=1))
    with pytest.raises(ConfigError, match="use L-BFGS"):
        minimize(build_objective("rosenbrock", {"dim": 6000}), "bfgs", Budget(steps=1))
    with pytest.raises(ConfigError, match="c1 < c2"):
        get_optimizer("bfgs", c1=0.9, c2=0.1)


def test_2spsa_is_the_spsa_estimator_and_an_update_rule_whose_keys_route_by_name():
    optimizer = get_optimizer("2spsa", lr=0.2, stability=10, c=0.05, regularization=0.01)
    assert (
        optimizer.update.lr == 0.2
        and optimizer.update.stability == 10
        and optimizer.update.schedule == "spall"
    )
    assert optimizer.estimator.c == 0.05 and optimizer.estimator.regularization == 0.01
    assert optimizer.to_dict()["estimator"]["kind"] == "spsa-curvature"
    with pytest.raises(ConfigError, match="needs the two-sided SPSA estimator"):
        get_optimizer("2spsa", one_sided=True)
