"""COBYLA, COBYQA, Nelder-Mead and Powell: scipy's own code, run one evaluation per step.

``scipy.optimize.minimize`` owns the loop and calls ``fun`` when it wants a value; these
methods are not ask/tell. Here scipy runs in a worker thread on a ``fun`` that hands the
point it is called at to the step and waits for the value (:class:`ThreadedScipy`). So the
points evaluated are exactly the points scipy asks for, in its order (the same ``x`` after
the same number of evaluations as ``scipy.optimize.minimize(fun, x0, method=...)``), while
``minimize``'s budget, checkpoints and history stay in charge. When scipy's own run ends
(its tolerances or its default ``maxfev``) a new one starts from its result, so a budget is
always spent; the first evaluations of a run are exactly scipy's.

One step = one evaluation: these methods are sequential, so ``step_cost`` is exactly one
evaluation. The returned point is the incumbent (the point with the lowest value seen, the
first on ties), which is what the four methods return at their end; the loss in a step's
history row is that incumbent's recorded value.

Checkpoints: the state records the start point and every value scipy was given. These four
methods are deterministic (no random draws), so a fresh scipy fed the same values asks for
the same points bit for bit: resuming replays the record (:mod:`.sessions`), and a run that
continues uninterrupted reuses the live thread without replaying.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from zeroth_q.composition import Configurable
from zeroth_q.config import require
from zeroth_q.derivative_free.sessions import LiveSessions
from zeroth_q.errors import ZerothQError
from zeroth_q.objective import Allowance, Cost, Objective, evaluate, evaluation_cost
from zeroth_q.optimizer import StepOutcome

ScipyName = Literal["cobyla", "cobyqa", "nelder-mead", "powell"]
SCIPY_NAMES: dict[str, str] = {
    "cobyla": "COBYLA",
    "cobyqa": "COBYQA",
    "nelder-mead": "Nelder-Mead",
    "powell": "Powell",
}


class _Closed(Exception):
    """Raised inside scipy's ``fun`` to end an abandoned worker thread."""


class ThreadedScipy:
    """``scipy.optimize.minimize`` (restarted from its result whenever it ends) in a daemon
    thread whose ``fun`` blocks until the step tells it the value: :meth:`ask` returns the next
    point scipy wants, :meth:`tell` gives it the value (and appends it to ``values``)."""

    def __init__(self, method: str, x0: np.ndarray) -> None:
        self.values = np.zeros(0)
        self._points: queue.Queue = queue.Queue(maxsize=1)
        self._replies: queue.Queue = queue.Queue(maxsize=1)
        self._pending: np.ndarray | None = None
        self._thread = threading.Thread(target=self._run, args=(method, x0.copy()), daemon=True)
        self._thread.start()

    def _fun(self, x: np.ndarray) -> float:
        self._points.put(("point", np.array(x, dtype=float)))
        value = self._replies.get()
        if value is None:
            raise _Closed
        return value

    def _run(self, method: str, x: np.ndarray) -> None:
        from scipy.optimize import minimize as scipy_minimize  # on use: 0.9 s of every CLI start

        try:
            while True:
                x = scipy_minimize(self._fun, x, method=method).x
        except _Closed:
            pass
        except BaseException as exc:  # handed to the step, which raises it in the caller's thread
            self._points.put(("error", exc))

    def ask(self) -> np.ndarray:
        if self._pending is None:
            kind, payload = self._points.get()
            if kind == "error":
                raise ZerothQError(f"scipy stopped with {type(payload).__name__}: {payload}") from payload
            self._pending = payload
        return self._pending

    def tell(self, value: float) -> None:
        self._pending = None
        self.values = np.append(self.values, value)
        self._replies.put(value)

    def close(self) -> None:
        if self._thread.is_alive():
            try:
                self.ask()  # the thread is then waiting for a reply
            except ZerothQError:
                return  # it ended on its own
            self._replies.put(None)


class ScipyState(NamedTuple):
    """x0: the start point; values: every value scipy was told (the record replayed on
    resume); best, best_value: the incumbent (inf before the first value)."""

    x0: np.ndarray
    values: np.ndarray
    best: np.ndarray
    best_value: float


_SESSIONS: LiveSessions[ThreadedScipy] = LiveSessions()


@dataclass(frozen=True)
class ScipyMinimizer(Configurable):
    """A scipy method run one evaluation per step (module docstring); ``name`` picks it."""

    name: ScipyName = "cobyla"

    def __post_init__(self) -> None:
        require(
            self.name in SCIPY_NAMES, f"name must be one of {', '.join(SCIPY_NAMES)} (got {self.name!r})."
        )

    def init(self, x: np.ndarray) -> ScipyState:
        return ScipyState(x.copy(), np.zeros(0), x.copy(), float("inf"))

    def step_cost(self, objective: Objective, x: np.ndarray, state: ScipyState, step: int) -> Cost:
        return evaluation_cost(objective, 1)

    def replay(self, state: ScipyState) -> ThreadedScipy:
        """A fresh scipy told the recorded values: it now asks for the point the run is at."""
        session = ThreadedScipy(SCIPY_NAMES[self.name], state.x0)
        for value in state.values:
            session.ask()
            session.tell(float(value))
        return session

    def step(
        self,
        objective: Objective,
        x: np.ndarray,
        state: ScipyState,
        step: int,
        rng: np.random.Generator,
        allowance: Allowance | None = None,
    ) -> StepOutcome:
        """One evaluation, at the point scipy asks for next (exactly :meth:`step_cost`)."""
        session = _SESSIONS.take(state.values, lambda: self.replay(state))
        point = session.ask()
        evaluation = evaluate(objective, point[None, :], rng)
        value = float(evaluation.values[0])
        session.tell(value)
        _SESSIONS.keep(session)
        loss = state.best_value if np.isfinite(state.best_value) else None
        if loss is None and np.array_equal(point, x):
            loss = value
        best, best_value = state.best, state.best_value
        if value < best_value:
            best, best_value = point.copy(), value
        return StepOutcome(
            best.copy(), ScipyState(state.x0, session.values, best, best_value), loss, evaluation.cost
        )
