"""Every named optimizer (and the safeguard variants) reproduces its recorded history exactly."""

import json

import numpy as np
import pytest

from tests.core.golden_histories import COLUMNS, GOLDEN, OBJECTIVES, VARIANTS, run
from zeroth_q import optimizer_names

STORED = json.loads(GOLDEN.read_text())
CASES = [f"{o}/{n}" for o in OBJECTIVES for n in [*optimizer_names(), *VARIANTS]]


@pytest.mark.parametrize("case", CASES)
def test_history_is_the_recorded_one(case: str) -> None:
    objective, name = case.split("/")
    history = run(objective, name)
    if case not in STORED:
        assert history is None, f"{case} now runs: record it (python -m tests.core.golden_histories)"
        return
    assert history is not None, f"{case} no longer runs"
    for column in (*COLUMNS, "x"):
        np.testing.assert_array_equal(history[column], STORED[case][column], err_msg=f"{case}: {column}")
