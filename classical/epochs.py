"""Mini-batches that visit every training example once per epoch, in a shuffled order.

Sampling without replacement (the usual "epoch" of SGD; Bottou 2009, "Curiously fast
convergence of some stochastic gradient descent algorithms") rather than i.i.d. batches,
so that ``--epochs E`` means E passes over the data. The order of an epoch is drawn from
the ``rng`` handed in when the previous epoch is used up; the order and the position in it
are the sampler's state. That state belongs to the run: ``minimize`` starts every run from
:meth:`EpochSampler.initial_state` (no epoch drawn yet), so the batches a run sees follow
from its seed alone, and checkpoints carry it so that a resumed run draws the same batches.
The last ``N mod batch_size`` examples of each shuffled order are skipped, so every step
sees a full batch and ``steps_per_epoch = N // batch_size``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


class EpochSampler:
    """Index batches of ``batch_size`` out of ``size`` examples.

    With ``batch_size == size`` every batch is the whole set in its stored order and
    ``rng`` is not used, so a full-batch objective is deterministic.
    """

    def __init__(self, size: int, batch_size: int) -> None:
        if not 1 <= batch_size <= size:
            raise ValueError(f"batch size must be in 1..{size}, got {batch_size}.")
        self.size = size
        self.batch_size = batch_size
        self.set_state(self.initial_state())

    @property
    def steps_per_epoch(self) -> int:
        return self.size // self.batch_size

    def next_batch(self, rng: np.random.Generator) -> slice | np.ndarray:
        if self.batch_size == self.size:
            return slice(None)
        if self.position + self.batch_size > self.order.size:
            self.order = rng.permutation(self.size)
            self.position = 0
        batch = self.order[self.position : self.position + self.batch_size]
        self.position += self.batch_size
        return batch

    @staticmethod
    def initial_state() -> dict[str, np.ndarray]:
        """Before the first batch: no epoch order drawn yet, so the first batch draws one."""
        return {"epoch_order": np.arange(0, dtype=np.int64), "epoch_position": np.array(0)}

    def get_state(self) -> dict[str, np.ndarray]:
        return {"epoch_order": self.order.copy(), "epoch_position": np.array(self.position)}

    def set_state(self, state: Mapping[str, np.ndarray]) -> None:
        order = np.asarray(state["epoch_order"], dtype=np.int64)
        position = int(state["epoch_position"])
        if order.size not in (0, self.size) or not 0 <= position <= order.size:
            raise ValueError(
                f"epoch state does not fit {self.size} examples (order of {order.size}, position {position})."
            )
        self.order, self.position = order.copy(), position
