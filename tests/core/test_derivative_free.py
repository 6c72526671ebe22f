"""The derivative-free contenders against the libraries they reproduce, and their checkpoints.

scipy's COBYLA, COBYQA, Nelder-Mead and Powell: the points evaluated are the points scipy's own
``minimize`` evaluates, in order, bit for bit, and the returned point is scipy's ``res.x``.
CMA-ES: the populations are pycma's for the same seed. Rotosolve/NFT: the Fourier
reconstruction finds the global minimum of any trigonometric polynomial of the spectrum.
All of them: a run resumed from a checkpoint (which replays the recorded values into a fresh
library object) equals the uninterrupted run.
"""

import csv
import os
import signal
import subprocess
import sys
import time

import cma
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize as scipy_minimize
from scipy.optimize import rosen

from zeroth_q import (
    Budget,
    Callback,
    CapabilityError,
    Cost,
    Evaluation,
    build_objective,
    get_optimizer,
    minimize,
)
from zeroth_q.derivative_free.cmaes import SEED_RANGE
from zeroth_q.derivative_free.fourier import TrigPolynomial, reconstruct, spectrum
from zeroth_q.derivative_free.scipy_methods import SCIPY_NAMES

from .test_stochastic_resume import assert_resume_is_bit_for_bit

X0 = np.array([-1.2, 1.0])


class Recorded:
    """Rosenbrock that records every row it evaluates."""

    dim = 2

    def __init__(self):
        self.rows: list[np.ndarray] = []

    def initial_point(self, rng):
        return X0.copy()

    def evaluate(self, thetas, rng):
        self.rows.extend(row.copy() for row in thetas)
        return Evaluation(np.array([rosen(row) for row in thetas]), self.cost(len(thetas)))

    def cost(self, rows):
        return Cost(evaluations=rows)


# COBYLA spends its whole default budget (1000 evaluations at ~3 ms each) from X0: scipy stopped
# by maxiter=200 (COBYLA's evaluation limit, which only ends its loop) is compared with our first 200.
SCIPY_EVALUATIONS = {"cobyla": 200, "cobyqa": None, "nelder-mead": None, "powell": None}


@pytest.mark.parametrize("name", sorted(SCIPY_NAMES))
def test_scipy_methods_evaluate_exactly_scipys_points_and_return_its_result(name):
    calls = []
    options = {"maxiter": SCIPY_EVALUATIONS[name]} if SCIPY_EVALUATIONS[name] else {}
    res = scipy_minimize(
        lambda x: calls.append(x.copy()) or rosen(x), X0, method=SCIPY_NAMES[name], options=options
    )
    evaluations = int(res.nfev)
    objective = Recorded()
    result = minimize(objective, name, Budget(steps=evaluations), metrics_every=0)
    evaluated = objective.rows[:-1]  # the last row is the loop's final evaluation of result.x
    assert len(evaluated) == evaluations == len(calls)
    assert all(np.array_equal(ours, theirs) for ours, theirs in zip(evaluated, calls, strict=False))
    if SCIPY_EVALUATIONS[name] is None:
        np.testing.assert_array_equal(result.x, res.x)
        assert result.fun == res.fun


def test_cmaes_asks_for_pycmas_populations_for_the_same_seed():
    objective = Recorded()
    result = minimize(objective, "cmaes", Budget(steps=15), seed=5, x0=X0, optimizer_params={"sigma0": 0.3})
    seed = int(np.random.default_rng(5).integers(1, SEED_RANGE))
    strategy = cma.CMAEvolutionStrategy(X0, 0.3, {"seed": seed, "verbose": -9, "verb_log": 0})
    theirs = []
    for _ in range(15):
        population = strategy.ask()
        theirs.extend(population)
        strategy.tell(population, [rosen(x) for x in population])
    assert len(objective.rows) - 1 == len(theirs) == 15 * 6
    assert all(np.array_equal(a, b) for a, b in zip(objective.rows, theirs, strict=False))
    np.testing.assert_array_equal(result.x, strategy.mean)


def rugged(x: np.ndarray) -> float:
    """A sphere with noise that is a function of the point's bits (both runs see the same values;
    a re-evaluation 1e-7 away sees fresh noise, as pycma's noise handler expects)."""
    return float(x @ x + 0.3 * np.random.default_rng(np.frombuffer(x.tobytes(), dtype=np.uint32)).normal())


class RecordedRugged(Recorded):
    dim = 3

    def initial_point(self, rng):
        return np.ones(3)

    def evaluate(self, thetas, rng):
        self.rows.extend(row.copy() for row in thetas)
        return Evaluation(np.array([rugged(row) for row in thetas]), self.cost(len(thetas)))


def test_cmaes_noise_handling_is_pycmas_noise_handler_in_its_ask_tell_loop():
    objective = RecordedRugged()
    params = {"sigma0": 0.5, "noise_handling": 5}
    minimize(objective, "cmaes", Budget(steps=60), seed=2, optimizer_params=params, metrics_every=0)
    repeats = []
    seed = int(np.random.default_rng(2).integers(1, SEED_RANGE))
    options = {"seed": seed, "verbose": -9, "verb_log": 0, "tolfacupx": np.inf}
    strategy = cma.CMAEvolutionStrategy(np.ones(3), 0.5, options)
    handler = cma.NoiseHandler(3, maxevals=[1, 1, 5], parallel=True)
    theirs = []

    def batch(points):
        theirs.extend(points)
        return [rugged(x) for x in points]

    while len(theirs) < len(objective.rows) - 1:
        population = strategy.ask()
        repeats.append(int(handler.evaluations))
        fit = [np.median(batch([x] * repeats[-1])) for x in population]
        strategy.tell(population, fit)
        strategy.sigma *= handler(population, fit, batch, strategy.ask)
        strategy.countevals += handler.evaluations_just_done
    assert max(repeats) > 1, "the noise was never detected: the test would be vacuous"
    ours = objective.rows[:-1]
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=False))


@pytest.mark.parametrize(
    ("objective", "params"),
    [
        ({"dim": 4, "noise": 2.0, "shots": 1}, {"noise_handling": 5}),
        ({"dim": 4}, {"restarts": 3, "restart_strategy": "bipop"}),
    ],
    ids=["noise-handling", "bipop"],
)
def test_cmaes_states_each_steps_cost_exactly(objective, params):
    problem = build_objective("quadratic", objective)
    stated, spent = [8], []  # λ = 8 for n = 4

    class Costs(Callback):
        def on_step(self, run):
            stated.append(run.opt_state.rows)
            spent.append(
                run.history[-1]["evaluations"] - (run.history[-2]["evaluations"] if run.step > 1 else 0)
            )

    params = {"sigma0": 1.0, **params}
    minimize(problem, "cmaes", Budget(steps=400), optimizer_params=params, callbacks=[Costs()], seed=1)
    assert spent == stated[:-1]
    assert len(set(spent)) > 2  # re-evaluations, more repeats / restarts: the cost did vary


def test_cmaes_ipop_doubles_the_population_at_each_restart():
    quadratic = build_objective("quadratic", {"dim": 4})
    sizes = []

    class Sizes(Callback):
        def on_step(self, run):
            sizes.append(run.opt_state.rows)

    params = {"restarts": 2, "sigma0": 1.0}
    minimize(quadratic, "cmaes", Budget(steps=400), optimizer_params=params, callbacks=[Sizes()], seed=0)
    assert sorted(set(sizes)) == [8, 16, 32]  # λ = 4 + ⌊3 ln 4⌋ = 8, then 2λ, 4λ


@settings(max_examples=30, deadline=None)
@given(
    frequencies=st.sampled_from([(1.0,), (1.0, 2.0), (0.5, 1.0), (1.0, 3.0), (2.0,)]),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_reconstruction_is_exact_and_its_minimum_global(frequencies, seed):
    rng = np.random.default_rng(seed)
    fit_spectrum = spectrum(frequencies, 0)
    truth = TrigPolynomial(
        rng.normal(),
        rng.normal(size=fit_spectrum.degree),
        rng.normal(size=fit_spectrum.degree),
        fit_spectrum.base,
    )
    fitted = reconstruct(truth(fit_spectrum.shifts()), fit_spectrum)
    np.testing.assert_allclose(
        np.concatenate([fitted.a, fitted.b]), np.concatenate([truth.a, truth.b]), atol=1e-12
    )
    t, value = fitted.minimum()
    grid = np.linspace(-np.pi, np.pi, 20001) / fit_spectrum.base
    assert value <= truth(grid).min() + 1e-12
    assert value == pytest.approx(float(truth(np.array([t]))[0]), abs=1e-12)


@pytest.mark.parametrize("name", ["rotosolve", "nft"])
def test_rotosolve_and_nft_refuse_an_objective_without_frequencies(name):
    with pytest.raises(CapabilityError, match="rotation gates.*'cmaes'"):
        minimize(build_objective("quadratic", {"dim": 3}), name, Budget(steps=2))


RESUMED = [
    ("cmaes", lambda: build_objective("quadratic", {"dim": 4, "noise": 0.5, "shots": 5}), {"restarts": 1}),
    (
        "cmaes",
        lambda: build_objective("quadratic", {"dim": 4, "noise": 0.5, "shots": 5}),
        {"noise_handling": 5},
    ),
    *[
        (name, lambda: build_objective("rosenbrock", {"dim": 3, "noise": 0.1}), {})
        for name in sorted(SCIPY_NAMES)
    ],
]


@pytest.mark.parametrize(("name", "make", "params"), RESUMED, ids=[case[0] for case in RESUMED])
def test_resume_replays_to_the_same_history_bit_for_bit(tmp_path, name, make, params):
    checkpoint_round_trip(tmp_path, name, make, params)


def checkpoint_round_trip(tmp_path, name, make, params):
    """A resumed run equals an uninterrupted one; the loaded checkpoint's recorded values are a
    new array, so the library object is rebuilt by replay."""
    assert_resume_is_bit_for_bit(tmp_path, get_optimizer(name, params), make)


class SharedAngles:
    """``Σ_i cos(θ_i + φ_i) + ½ cos(2θ_i + ψ_i)``: each parameter as if shared by two gates,
    spectrum (1, 2); separable, so one sweep of exact coordinate minima reaches the minimum."""

    def __init__(self, dim: int = 3):
        rng = np.random.default_rng(7)
        self.phi, self.psi = rng.uniform(-np.pi, np.pi, (2, dim))
        self.dim = dim

    def initial_point(self, rng):
        return np.zeros(self.dim)

    def terms(self, thetas):
        return np.cos(thetas + self.phi) + 0.5 * np.cos(2 * thetas + self.psi)

    def evaluate(self, thetas, rng):
        return Evaluation(self.terms(thetas).sum(axis=1), self.cost(len(thetas)))

    def cost(self, rows):
        return Cost(evaluations=rows)

    def frequencies(self):
        return ((1.0, 2.0),) * self.dim


@pytest.mark.parametrize("name", ["rotosolve", "nft"])
def test_one_sweep_over_two_frequency_parameters_reaches_the_global_minimum(name):
    objective = SharedAngles()
    result = minimize(objective, name, Budget(steps=objective.dim), metrics_every=0)
    grid = np.linspace(-np.pi, np.pi, 200001)
    exact = sum(objective.terms(np.outer(grid, np.ones(objective.dim))).min(axis=0))
    assert result.fun == pytest.approx(exact, abs=1e-9)
    assert result.cost.evaluations == objective.dim * 5 - (objective.dim - 1) * (name == "nft") + 1


@pytest.mark.slow  # three CLI processes, ~10 s each; the in-process resume tests above run by default
@pytest.mark.parametrize(
    ("optimizer", "steps", "dim"),
    [("cmaes", 600, 10), ("nelder-mead", 3000, 20)],
    ids=["cmaes", "nelder-mead"],
)
def test_a_killed_cli_run_resumes_to_the_same_history_bit_for_bit(tmp_path, optimizer, steps, dim):
    """A new process has no live pycma / scipy: ``--resume`` rebuilds them by replay."""
    run = [sys.executable, "-m", "zeroth_q.run", "--no-progress"]
    args = ["--objective", "quadratic", "--optimizer", optimizer, "--steps", str(steps), "--seed", "7"]
    args += ["--checkpoint-every", "50", "--set", f"dim={dim}", "--set", "noise=0.5", "--set", "shots=10"]
    killed, reference = tmp_path / "killed", tmp_path / "reference"
    proc = subprocess.Popen(
        [*run, *args, "--out", str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    history = killed / "history.csv"
    deadline = time.time() + 120
    while time.time() < deadline and not (history.exists() and len(history.read_text().splitlines()) > 100):
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / "summary.json").exists(), "the run finished before it could be killed"
    for out in ([*run, "--resume", str(killed)], [*run, *args, "--out", str(reference)]):
        assert subprocess.run(out, capture_output=True, timeout=300).returncode == 0
    rows = history_without_wall_time(killed / "history.csv")
    assert len(rows) == steps + 1 and rows == history_without_wall_time(reference / "history.csv")
    assert (killed / "parameters.npy").read_bytes() == (reference / "parameters.npy").read_bytes()


def history_without_wall_time(path) -> list[dict[str, str]]:
    """The rows as written (strings: NaN metrics compare equal), without the wall time."""
    with open(path, newline="") as handle:
        return [{k: v for k, v in row.items() if k != "wall_time"} for row in csv.DictReader(handle)]
