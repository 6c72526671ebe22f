"""Update rules against hand-computed steps."""

import numpy as np
import pytest

from zeroth_q.errors import ConfigError
from zeroth_q.updates.rules import SGD, Adam, AMSGrad, SignSGD


def run(rule, grads, params=None):
    transform = rule.transform()
    params = np.zeros_like(grads[0]) if params is None else params
    state = transform.init(params)
    steps = []
    for g in grads:
        update, state = transform.update(np.asarray(g, dtype=float), state, params)
        params = params + update
        steps.append(update)
    return steps


def test_adam_matches_hand_computed_steps():
    # m1 = 0.1 g1, v1 = 0.001 g1^2 -> m̂ = g1, v̂ = g1^2 -> step -lr * sign(g1) (eps aside)
    # m2 = 0.09 g1 + 0.1 g2 ; v2 = 0.000999 g1^2 + 0.001 g2^2 ; bias factors 1-0.81, 1-0.998001
    g1, g2 = np.array([2.0, -0.5]), np.array([1.0, 1.0])
    steps = run(Adam(lr=0.1, eps=0.0), [g1, g2])
    np.testing.assert_allclose(steps[0], [-0.1, 0.1])
    m2 = (0.09 * g1 + 0.1 * g2) / 0.19
    v2 = (0.000999 * g1**2 + 0.001 * g2**2) / 0.001999
    np.testing.assert_allclose(steps[1], -0.1 * m2 / np.sqrt(v2))


def test_amsgrad_keeps_the_largest_second_moment():
    big, small = np.array([10.0]), np.array([0.1])
    adam, ams = run(Adam(lr=1.0, eps=0.0), [big, small]), run(AMSGrad(lr=1.0, eps=0.0), [big, small])
    v_hat_2 = (0.000999 * 100 + 0.001 * 0.01) / 0.001999
    m_hat_2 = (0.09 * 10 + 0.1 * 0.1) / 0.19
    np.testing.assert_allclose(adam[1], -m_hat_2 / np.sqrt(v_hat_2))
    np.testing.assert_allclose(ams[1], -m_hat_2 / np.sqrt(max(v_hat_2, 100.0)))
    assert abs(ams[1][0]) < abs(adam[1][0])


def test_sgd_with_spall_gain_and_momentum():
    steps = run(SGD(lr=0.5, schedule="spall", stability=2.0, alpha=0.602, momentum=0.9), [[1.0], [1.0]])
    np.testing.assert_allclose(steps[0], [-0.5 / 3**0.602])
    np.testing.assert_allclose(steps[1], [-0.5 / 4**0.602 * 1.9])


def test_calibrated_gain_makes_the_first_step_the_target():
    grads = [np.array([4.0, -1.0, 0.5, 2.5]), np.array([1.0, 1.0, 1.0, 1.0])]
    steps = run(SGD(lr=None, schedule="spall", stability=5.0, target_step=0.2), grads)
    assert np.mean(np.abs(steps[0])) == pytest.approx(0.2)
    gain = 0.2 * 6**0.602 / 2.0
    np.testing.assert_allclose(steps[1], -gain / 7**0.602 * grads[1])


def test_sign_sgd_steps_by_lr_in_each_coordinate():
    steps = run(SignSGD(lr=0.03), [[5.0, -1e-9, 0.0]])
    np.testing.assert_allclose(steps[0], [-0.03, 0.03, 0.0])


def test_warmup_ramps_the_step_size_linearly_then_leaves_it():
    # sign steps make the step size visible: step k is lr * min(1, (k+1)/3)
    steps = run(SignSGD(lr=0.3, warmup=3), [[1.0]] * 5)
    np.testing.assert_allclose(np.concatenate(steps), [-0.1, -0.2, -0.3, -0.3, -0.3])
    with pytest.raises(ConfigError, match="warmup must be >= 0"):
        AMSGrad(warmup=-1)
