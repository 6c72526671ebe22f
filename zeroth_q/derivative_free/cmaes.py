r"""CMA-ES on pycma (Hansen's reference implementation), one generation per step.

Each step asks pycma's ``CMAEvolutionStrategy`` for a population, evaluates it in ONE
batched ``evaluate`` (one shot draw / mini-batch for the whole generation: the ranking
compares values on common random numbers) and tells pycma the values. The point a step
returns is the distribution mean (pycma's ``xfavorite``, the better estimate under noise);
the loss in its history row is the least value of the generation.

``noise_handling=m`` (> 0) adds pycma's uncertainty handling (``NoiseHandler``, Hansen et al.,
IEEE TEC 13, 180 (2009)), as in its documented ask/tell loop with ``maxevals=[1, 1, m]``: after
each generation a few solutions are re-evaluated (one more step, one batch), and where the
ranking proves noisy σ grows and each solution gets up to ``m`` evaluations (their median).

Restarts (``restarts`` > 0), as pycma's ``fmin`` does them when the strategy meets one of its
stop criteria: ``ipop`` (Auger & Hansen, CEC 2005) restarts from ``x0`` with the population
doubled; ``bipop`` (Hansen, GECCO 2009) alternates that regime with small populations and
step sizes drawn at random, giving each regime about the same evaluations. After the last
restart the strategy keeps sampling.

Checkpoints: the state holds ``x0``, the seed (drawn from the run's generator at the first
step) and every value the strategy was told. pycma draws from NumPy's global generator, which
it seeds from the seed; here every pycma call runs with that global generator swapped for
the session's own, so nothing else in the process moves it. The strategy is then a
deterministic function of (x0, seed, values): a resume builds a fresh, identically seeded
strategy and tells it the recorded values generation by generation, which makes it ask for
the same populations bit for bit and reach the state it had (:mod:`.sessions`). The
population size of the next generation is part of the state, so ``step_cost`` is exact.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from zeroth_q.composition import Configurable
from zeroth_q.config import require
from zeroth_q.derivative_free.sessions import LiveSessions
from zeroth_q.objective import Allowance, Cost, Objective, evaluate, evaluation_cost
from zeroth_q.optimizer import StepOutcome

if TYPE_CHECKING:
    import cma

Restarts = Literal["ipop", "bipop"]
SEED_RANGE = 2**30  # pycma treats seed 0 as "seed from the clock": seeds are drawn from 1..2^30


def default_popsize(dim: int) -> int:
    """pycma's default λ = 4 + ⌊3 ln n⌋."""
    return int(4 + 3 * math.log(dim))


class CMAState(NamedTuple):
    """x0: the start point; seed: pycma's seed (0 until drawn at the first step); values:
    every value told so far; rows: the points the next step evaluates."""

    x0: np.ndarray
    seed: int
    values: np.ndarray
    rows: int


class CMASession:
    """A live pycma strategy (with its restarts and noise handler) that has been told ``values``.

    A generation is one step, or two with noise handling: the population (each solution
    ``noise.evaluations`` times, aggregated by their median, as pycma's ``fmin`` does), then
    the re-evaluation of a few of them that pycma's ``NoiseHandler`` draws after ``tell``
    (its ``reeval`` with ``parallel=True``, batched here), which sets σ's factor."""

    def __init__(self, config: CMAES, x0: np.ndarray, seed: int) -> None:
        self.config, self.x0, self.seed = config, x0, seed
        self.values = np.zeros(0)
        self.random = np.random.RandomState(seed).get_state()
        self.base_popsize = config.popsize or default_popsize(x0.size)
        self.runs = 0  # strategies started
        self.large_runs = 0  # restarts in the large-population regime
        self.evaluations = {"large": 0, "small": 0}
        self.regime = "large"
        self.pending: np.ndarray | None = None
        self.population: list[np.ndarray] = []
        self.reevaluated = np.zeros(0, dtype=np.int64)  # NoiseHandler.idx awaiting values
        self.strategy, self.noise = self.start(self.base_popsize, config.sigma0)

    @contextlib.contextmanager
    def own_random(self) -> Iterator[None]:
        """Run pycma with NumPy's global generator set to this session's (pycma draws from the
        global one, so it is swapped in here and nowhere else)."""
        saved = np.random.get_state()  # noqa: NPY002
        np.random.set_state(self.random)  # noqa: NPY002
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield
        finally:
            self.random = np.random.get_state()  # noqa: NPY002
            np.random.set_state(saved)  # noqa: NPY002

    def start(self, popsize: int, sigma: float) -> tuple[cma.CMAEvolutionStrategy, cma.NoiseHandler | None]:
        import cma  # on use: pycma imports matplotlib and scipy.optimize (0.5-1 s of every CLI start)

        options = {"seed": self.seed + self.runs, "popsize": popsize, "verbose": -9, "verb_log": 0}
        maxevals = self.config.noise_handling
        if maxevals:
            options["tolfacupx"] = np.inf  # as pycma's fmin with a noise handler
        self.runs += 1
        with self.own_random():
            strategy = cma.CMAEvolutionStrategy(self.x0, sigma, options)
        noise = cma.NoiseHandler(self.x0.size, maxevals=[1, 1, maxevals]) if maxevals else None
        return strategy, noise

    @property
    def repeats(self) -> int:
        """Evaluations per solution (the noise handler's ``evaluations``)."""
        return int(self.noise.evaluations) if self.noise else 1

    @property
    def rows(self) -> int:
        """How many points the next step evaluates."""
        if self.reevaluated.size:
            return self.reevaluated.size * self.repeats
        return int(self.strategy.popsize) * self.repeats

    def ask(self) -> np.ndarray:
        if self.pending is None:
            with self.own_random():
                if self.reevaluated.size:
                    assert self.noise is not None
                    points = [
                        self.strategy.ask(self.repeats, self.population[i], self.noise.epsilon)
                        for i in self.reevaluated
                    ]
                    self.pending = np.concatenate([np.array(p) for p in points])
                else:
                    self.population = self.strategy.ask()
                    self.pending = np.repeat(np.array(self.population), self.repeats, axis=0)
        return self.pending

    def tell(self, values: np.ndarray) -> None:
        assert self.pending is not None and len(values) == len(self.pending)
        medians = np.median(np.reshape(values, (-1, self.repeats)), axis=1)
        self.pending = None
        self.values = np.concatenate([self.values, values])
        self.evaluations[self.regime] += len(values)
        with self.own_random():
            if self.reevaluated.size:
                assert self.noise is not None
                self.noise.fitre = list(self.noise.fit)
                self.noise.idx = self.reevaluated
                for i, value in zip(self.reevaluated, medians, strict=True):
                    self.noise.fitre[i] = value
                self.noise.evaluations_just_done = len(values)
                self.strategy.countevals += len(values)
                self.noise.update_measure()
                self.strategy.sigma *= self.noise.treat()
                self.reevaluated = np.zeros(0, dtype=np.int64)
            else:
                self.strategy.tell(self.population, list(medians))
                if self.noise is not None:
                    self.noise.fit = list(medians)
                    self.reevaluated = np.asarray(self.noise.indices(medians), dtype=np.int64)
                    if self.reevaluated.size:
                        return
            stopped = bool(self.strategy.stop())
        if stopped and self.runs <= self.config.restarts:
            self.restart()

    def restart(self) -> None:
        """IPOP doubles λ; BIPOP (as pycma's ``fmin``) picks the regime that has spent less."""
        sigma = self.config.sigma0
        small = self.config.restart_strategy == "bipop" and self.runs > 1
        small = small and self.evaluations["small"] < self.evaluations["large"]
        if small:
            with self.own_random():
                sigma *= 0.01 ** np.random.uniform()  # noqa: NPY002 (the session's, as pycma's fmin)
                growth = (2.0**self.large_runs) ** (np.random.uniform() ** 2)  # noqa: NPY002
                popsize = int(self.base_popsize * growth)
            self.regime = "small"
        else:
            self.large_runs += 1
            popsize, self.regime = self.base_popsize * 2**self.large_runs, "large"
        self.strategy, self.noise = self.start(popsize, sigma)

    def close(self) -> None:
        pass


_SESSIONS: LiveSessions[CMASession] = LiveSessions()


@dataclass(frozen=True)
class CMAES(Configurable):
    """CMA-ES (Hansen & Ostermeier 2001) via pycma; module docstring.

    sigma0: initial step size (pycma's σ0; angles: 0.5). popsize: λ (None: pycma's
    4 + 3 ln n). restarts: how many restarts, ``restart_strategy`` "ipop" or "bipop".
    noise_handling: 0 (off) or the most evaluations per solution pycma's noise handler may use.
    """

    name: str = "cmaes"
    sigma0: float = 0.5
    popsize: int | None = None
    restarts: int = 0
    restart_strategy: Restarts = "ipop"
    noise_handling: int = 0

    def __post_init__(self) -> None:
        require(self.sigma0 > 0, f"sigma0 must be > 0 (got {self.sigma0}).")
        require(self.popsize is None or self.popsize >= 2, f"popsize must be >= 2 (got {self.popsize}).")
        require(self.restarts >= 0, f"restarts must be >= 0 (got {self.restarts}).")
        require(self.noise_handling >= 0, f"noise_handling must be >= 0 (got {self.noise_handling}).")
        require(
            self.restart_strategy in ("ipop", "bipop"),
            f"restart_strategy must be 'ipop' or 'bipop' (got {self.restart_strategy!r}).",
        )

    def init(self, x: np.ndarray) -> CMAState:
        require(
            x.size >= 2,
            (
                "pycma's CMA-ES needs at least 2 parameters; for one, use a one-dimensional method "
                "(Powell, Nelder-Mead)."
            ),
        )
        return CMAState(x.copy(), 0, np.zeros(0), self.popsize or default_popsize(x.size))

    def step_cost(self, objective: Objective, x: np.ndarray, state: CMAState, step: int) -> Cost:
        return evaluation_cost(objective, state.rows)

    def replay(self, state: CMAState) -> CMASession:
        """A fresh strategy with the state's seed, told its recorded values (module docstring)."""
        session = CMASession(self, state.x0, state.seed)
        told = 0
        while told < state.values.size:
            size = len(session.ask())
            session.tell(state.values[told : told + size])
            told += size
        return session

    def step(
        self,
        objective: Objective,
        x: np.ndarray,
        state: CMAState,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None = None,
    ) -> StepOutcome:
        """One generation (or, with noise handling, its re-evaluations): ``state.rows`` points in
        one evaluation (exactly :meth:`step_cost`)."""
        if state.seed == 0:
            state = state._replace(seed=int(rng.integers(1, SEED_RANGE)))
        session = _SESSIONS.take(state.values, lambda: self.replay(state))
        population_phase = session.reevaluated.size == 0
        population = session.ask()
        evaluation = evaluate(objective, population, rng)
        session.tell(evaluation.values)
        _SESSIONS.keep(session)
        mean = np.array(session.strategy.mean, dtype=float)
        new_state = CMAState(state.x0, state.seed, session.values, session.rows)
        loss = float(np.min(evaluation.values)) if population_phase else None
        return StepOutcome(mean, new_state, loss, evaluation.cost)
