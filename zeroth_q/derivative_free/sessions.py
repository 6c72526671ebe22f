"""Library optimizers whose state is an object, checkpointed as the values they were told.

pycma's ``CMAEvolutionStrategy`` and a running ``scipy.optimize.minimize`` hold state that is
not a few arrays (Python objects, a call stack), and a checkpoint must load with
``allow_pickle=False``. What determines them is small: the start point, a seed, and the
sequence of function values they have been given. They are deterministic given these, so
replaying the recorded values through a fresh, identically seeded object drives it through
the same points, bit for bit, to the state it had: the optimizer state stored in a checkpoint
is that record (a growing float array), and the live object is a cache of it.

:class:`LiveSessions` is that cache: the object that produced a state's record is reused as
long as the next step continues from exactly that record (the same array object, so nothing
is compared and a branch or a reloaded state is never confused with it); anything else
(a resumed run, a second run from the same state) replays. Replay costs one pass through the
library's own arithmetic without any objective evaluation; runs that alternate in one process
replay at every switch (correct, slower).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

import numpy as np


class Session(Protocol):
    """A live library object that has been told ``values`` (the state's record) so far."""

    values: np.ndarray

    def close(self) -> None: ...


S = TypeVar("S", bound=Session)


class LiveSessions(Generic[S]):
    """At most ``size`` live sessions, keyed by the identity of the record they produced."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._live: OrderedDict[int, S] = OrderedDict()

    def take(self, values: np.ndarray, replay: Callable[[], S]) -> S:
        """The session whose record is ``values`` (removed from the cache), or a replayed one."""
        session = self._live.pop(id(values), None)
        if session is not None and session.values is values:
            return session
        if session is not None:
            self._live[id(values)] = session
        self.close_all()
        return replay()

    def close_all(self) -> None:
        """End every cached session. A miss closes them all before replaying: scipy's COBYQA
        holds a process-wide lock for the whole run, so a second one would wait forever."""
        while self._live:
            self._live.popitem()[1].close()

    def keep(self, session: S) -> None:
        """Cache ``session`` under its current record, closing the oldest beyond ``size``."""
        self._live[id(session.values)] = session
        while len(self._live) > self.size:
            self._live.popitem(last=False)[1].close()
