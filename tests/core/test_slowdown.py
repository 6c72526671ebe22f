"""The one slowdown definition (zeroth_q.sweep.slowdown), on curves worked out by hand."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zeroth_q.errors import ConfigError
from zeroth_q.sweep.slowdown import power_law_fit, slowdown, target_at_horizon, time_to_target

T = [0, 10, 20, 30]


@pytest.mark.parametrize(
    ("loss", "target", "expected"),
    [
        ([4, 3, 2, 1], 2.5, 15.0),  # halfway from 3 (t=10) to 2 (t=20)
        ([4, 3, 2, 1], 2.0, 20.0),  # met exactly at a recorded point
        ([4, 2, 3, 1], 2.5, 7.5),  # the first crossing, not a later one: 4 -> 2 crosses 2.5 at 3/4
        ([4, 3, 2, 1], 5.0, 0.0),  # starts below
    ],
)
def test_time_to_target_interpolates_the_first_crossing(loss, target, expected):
    assert time_to_target(T, loss, target) == pytest.approx(expected)


def test_a_curve_that_never_reaches_the_target_has_no_time():
    assert math.isnan(time_to_target(T, [4, 3, float("nan"), 2], 1.0))


def test_target_at_horizon_is_the_lowest_loss_recorded_by_then():
    assert target_at_horizon(T, [4, 2, 3, 1], 25) == 2
    assert target_at_horizon(T, [4, 2, 3, 1], 30) == 1


def test_slowdown_is_the_ratio_of_the_times_to_one_target():
    zo = ([0, 100, 200], [3, 2, 1])
    fo = ([0, 1, 2, 4], [3, 2.5, 1.5, 1])
    result = slowdown(zo, fo, 1.5)
    assert (result.t_zo, result.t_fo, result.undefined) == (150, 2, None)
    assert result.ratio == 75


def test_an_unreached_or_trivial_target_is_reported_not_dropped():
    zo = ([0, 100, 200], [3, 2, 1])
    unreached = slowdown(zo, ([0, 1, 2], [3, 2.5, 1.8]), 1.5)
    assert math.isnan(unreached.ratio) and unreached.undefined.startswith("FO never reached 1.5 in 2")
    assert unreached.t_zo == 150  # ZO's time is still reported
    above_start = slowdown(zo, ([0, 1], [2.9, 1.0]), 2.95)
    assert math.isnan(above_start.ratio) and above_start.undefined == "FO started at or below 2.95"


@given(
    drops=st.lists(st.floats(0.01, 1.0), min_size=2, max_size=8),
    scale=st.floats(1.5, 1000.0),
    fraction=st.floats(0.05, 0.95),
)
def test_a_zo_curve_that_is_the_fo_curve_slowed_k_times_has_slowdown_k(drops, scale, fraction):
    loss = 10 - np.concatenate([[0.0], np.cumsum(drops)])
    t = np.arange(loss.size, dtype=float)
    target = loss[0] - fraction * (loss[0] - loss[-1])
    assert slowdown((scale * t, loss), (t, loss), target).ratio == pytest.approx(scale)


def test_power_law_fit_matches_the_hand_computed_line():
    # log x = 0, 1, 2 and log y = 0, 1, 1: slope 1/2, intercept 1/6, residuals -1/6, 1/3, -1/6,
    # s^2 = (1/6)/1, SE = sqrt(s^2 / 2) = sqrt(1/12).
    fit = power_law_fit(np.exp([0, 1, 2]), np.exp([0, 1, 1]))
    assert (fit.alpha, fit.log_c, fit.se, fit.points) == pytest.approx((0.5, 1 / 6, math.sqrt(1 / 12), 3))


def test_power_law_fit_skips_undefined_ratios_and_needs_two_points():
    fit = power_law_fit([1, 10, 100], [2, float("nan"), 200])
    assert (fit.alpha, fit.points) == pytest.approx((1.0, 2)) and math.isnan(fit.se)
    with pytest.raises(ConfigError, match="two or more distinct x"):
        power_law_fit([1, 10], [2, float("nan")])


def test_times_that_do_not_increase_are_refused_with_the_fix():
    with pytest.raises(ConfigError, match="sort the history by step"):
        time_to_target([0, 2, 1], [3, 2, 1], 1.5)
