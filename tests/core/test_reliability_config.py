"""Values that passed validation and then crashed inside NumPy, Aer or PennyLane (issue 12):
each is now refused up front with a ConfigError that names the fix."""

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from circuits.config import VQEConfig, pennylane_devices
from classical.specs import XorConfig
from zeroth_q.config import MAX_INT, available_memory, from_dict, require_memory
from zeroth_q.errors import ConfigError
from zeroth_q.loop.budget import Budget
from zeroth_q.objectives.registry import get_objective_spec
from zeroth_q.runs.config import RunConfig


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    ("objective", "optimizer", "key"),
    [
        ("vqe", None, "h"),
        ("quadratic", None, "noise"),
        ("quadratic", None, "condition"),
        ("quadratic", "spsa", "c"),
        ("quadratic", "zo-adam", "lr"),
        ("quadratic", "spsa", "alpha"),
    ],
)
def test_non_finite_floats_are_refused_in_every_section(objective, optimizer, key, value):
    data = {"objective": {"name": objective}}
    if optimizer is None:
        data["objective"][key] = value
    else:
        data["optimizer"] = {"name": optimizer, key: value}
    with pytest.raises(ConfigError, match=f"{key} must be a finite number"):
        RunConfig.from_dict(data)


@given(st.floats(allow_nan=True, allow_infinity=True))
@example(math.inf)
@example(math.nan)
@example(-math.inf)
def test_budget_seconds_accept_exactly_the_positive_finite_numbers(value):
    if math.isfinite(value) and value > 0:
        assert Budget(seconds=value).seconds == value
    else:
        with pytest.raises(ConfigError, match="finite|must be > 0"):
            Budget(seconds=value)


@pytest.mark.parametrize("steps", [1.5, "5", True, [5]])
def test_budget_steps_must_be_an_integer(steps):
    with pytest.raises(ConfigError, match="budget steps must be an integer"):
        Budget(steps=steps)


def test_budget_takes_an_integral_float_as_the_integer():
    assert Budget(steps=5.0).steps == 5 and isinstance(Budget(steps=5.0).steps, int)


def test_integers_beyond_64_bits_are_refused():
    with pytest.raises(ConfigError, match="at most"):
        from_dict(VQEConfig, {"reps": MAX_INT + 1})


@pytest.mark.parametrize("shots", ["exactly", "1000", True])
def test_shots_names_the_valid_choices(shots):
    with pytest.raises(ConfigError, match="shots must be an integer or 'exact'"):
        from_dict(VQEConfig, {"shots": shots})


@pytest.mark.parametrize("shots", [1e20, 2**60])
def test_shots_beyond_what_a_simulator_counts_are_refused(shots):
    with pytest.raises(ConfigError, match="shots must be at most"):
        from_dict(VQEConfig, {"shots": shots})


def test_sampling_more_shots_than_memory_holds_is_refused_before_allocating():
    spec = get_objective_spec("vqe")
    with pytest.raises(ConfigError, match="needs about .* of memory .* sampler=counts"):
        spec.build(VQEConfig(shots=2**52, qubits=8, sampler="primitive"))


@pytest.mark.parametrize("device", ["default.qutrit", "default.gaussian", "default.mixed", "null.qubit"])
def test_pennylane_devices_that_cannot_run_the_ansatz_are_not_offered(device):
    assert device not in pennylane_devices()
    with pytest.raises(ConfigError, match="cannot run the ansatz|unknown device"):
        VQEConfig(backend="pennylane", device=device)


def test_xor_batch_size_zero_is_refused_like_mnist():
    with pytest.raises(ConfigError, match="batch_size must be between 1"):
        XorConfig(batch_size=0)
    with pytest.raises(ConfigError, match="batch_size must be between 1"):
        get_objective_spec("mnist").make_config({"batch_size": 0})


def test_negative_seeds_are_refused():
    with pytest.raises(ConfigError, match="seed must be >= 0"):
        RunConfig.from_dict({"objective": {"name": "quadratic", "seed": -1}})
    with pytest.raises(ConfigError, match="seed must be >= 0"):
        RunConfig.from_dict({"objective": {"name": "quadratic"}, "seed": -1})


@pytest.mark.parametrize(
    ("objective", "params"),
    [("quadratic", {"dim": 10**7}), ("xor", {"hidden": [10**6, 10**6]}), ("mnist", {"hidden": [10**9]})],
)
def test_sizes_beyond_memory_are_refused_naming_the_memory_needed(objective, params):
    spec = get_objective_spec(objective)
    with pytest.raises(ConfigError, match=r"needs about [\d.]+ [TP]B of memory but .* is available; lower"):
        spec.build(spec.make_config(params))


def test_require_memory_passes_what_fits_and_refuses_what_does_not():
    available = available_memory()
    assert available is not None and available > 2**20  # this machine's MemAvailable is read
    require_memory(available // 2, "half of what is free", "never")  # raises if it refuses
    with pytest.raises(ConfigError, match=r"^twice what is free needs about .* is available; lower it\.$"):
        require_memory(2 * available, "twice what is free", "lower it.")


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_the_python_api_refuses_a_seed_numpy_cannot_take(seed):
    from zeroth_q import build_objective, minimize

    with pytest.raises(ConfigError, match="seed must be an integer >= 0"):
        minimize(build_objective("quadratic"), "zo-sgd", seed=seed)
