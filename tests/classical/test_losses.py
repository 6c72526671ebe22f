"""The cross-entropy's log-sum-exp: in-place work on its own copy, never on the caller's outputs."""

import numpy as np
import pytest

from classical.losses import LOSSES


@pytest.mark.parametrize("shape", [(1, 1, 10), (3, 1, 10), (4, 7, 10), (2, 5, 3)])
def test_cross_entropy_matches_the_definition_and_leaves_outputs_unchanged(shape):
    rng = np.random.default_rng(0)
    outputs = rng.standard_normal(shape) * 30  # large logits: the shift must prevent overflow
    labels = rng.integers(0, shape[-1], shape[1])
    before = outputs.copy()
    values = LOSSES["cross-entropy"].value(outputs, labels)
    peak = before.max(axis=-1, keepdims=True)
    log_sum_exp = np.log(np.exp(before - peak).sum(axis=-1)) + peak[..., 0]
    expected = (log_sum_exp - before[:, np.arange(shape[1]), labels]).mean(axis=-1)
    np.testing.assert_allclose(values, expected, rtol=1e-12)
    np.testing.assert_array_equal(outputs, before)
