"""Epochs: every example once per pass, and a restored state draws the same batches."""

from __future__ import annotations

import numpy as np
import pytest

from classical.epochs import EpochSampler


def test_each_epoch_visits_every_example_once_except_the_remainder():
    sampler = EpochSampler(size=103, batch_size=10)
    rng = np.random.default_rng(0)
    assert sampler.steps_per_epoch == 10
    epochs = [np.concatenate([sampler.next_batch(rng) for _ in range(10)]) for _ in range(2)]
    for seen in epochs:
        assert len(seen) == 100 and len(np.unique(seen)) == 100
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled


def test_restored_state_reproduces_the_batches_of_an_uninterrupted_run():
    rng = np.random.default_rng(5)
    sampler = EpochSampler(size=50, batch_size=8)
    for _ in range(9):  # into the second epoch
        sampler.next_batch(rng)
    state, rng_state = sampler.get_state(), rng.bit_generator.state
    expected = [sampler.next_batch(rng).tolist() for _ in range(12)]

    resumed = EpochSampler(size=50, batch_size=8)
    resumed.set_state({k: v.copy() for k, v in state.items()})
    rng.bit_generator.state = rng_state
    assert [resumed.next_batch(rng).tolist() for _ in range(12)] == expected


def test_full_batch_is_deterministic_and_does_not_touch_the_generator():
    sampler = EpochSampler(size=16, batch_size=16)
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    assert sampler.next_batch(rng) == slice(None)
    assert rng.bit_generator.state == before


def test_state_of_another_data_set_is_rejected():
    sampler = EpochSampler(size=50, batch_size=8)
    with pytest.raises(ValueError, match="does not fit 50 examples"):
        sampler.set_state({"epoch_order": np.arange(60), "epoch_position": np.array(0)})
