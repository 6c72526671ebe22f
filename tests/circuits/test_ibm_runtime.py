"""Hardware is just another primitive: IBM Runtime's V2 primitives in local testing mode.

A fake backend of ``qiskit-ibm-runtime`` simulates the device's snapshot noise with Aer
(no network). The VQE objective runs on its ``EstimatorV2``/``SamplerV2`` with circuits
transpiled for it, costs counted as for Aer, and measures what ``noise="fake_<name>"``
predicts from the same snapshot. Skipped without the ``[ibm]`` extra.
"""

import warnings

import numpy as np
import pytest

from circuits.specs import VQEConfig
from circuits.vqe import build_vqe
from zeroth_q import Cost

runtime = pytest.importorskip("qiskit_ibm_runtime")
fake_provider = pytest.importorskip("qiskit_ibm_runtime.fake_provider")


def test_vqe_runs_on_runtime_primitives_and_measures_the_fake_noise_model():
    from qiskit.transpiler import generate_preset_pass_manager

    device = fake_provider.FakeManilaV2()
    seeded = {"simulator": {"seed_simulator": 1}}  # a user sampler draws its own randomness
    config = {"qubits": 3, "reps": 1, "shots": 1000}
    with warnings.catch_warnings():  # local testing mode warns that options are ignored
        warnings.simplefilter("ignore")
        objective = build_vqe(
            VQEConfig(**config, sampler="primitive"),
            estimator=runtime.EstimatorV2(mode=device, options=seeded),
            sampler=runtime.SamplerV2(mode=device, options=seeded),
            pass_manager=generate_preset_pass_manager(optimization_level=1, backend=device),
        )
        rng = np.random.default_rng(0)
        theta = rng.normal(size=objective.dim)
        rows = 100
        evaluation = objective.evaluate(np.tile(theta, (rows, 1)), rng)
    assert evaluation.cost == Cost(evaluations=rows, circuits=2 * rows, shots=2 * rows * 1000)
    predicted = build_vqe(VQEConfig(**config, noise="fake_manila")).metrics(theta)
    standard_error = evaluation.values.std(ddof=1) / np.sqrt(rows)
    assert abs(evaluation.values.mean() - predicted["noisy_energy"]) < 3 * standard_error
