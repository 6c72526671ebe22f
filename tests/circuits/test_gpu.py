"""GPU by name: Aer's device=GPU and PennyLane's lightning.gpu run where a GPU is, and are refused
with the missing GPU and the fix named where none is (this project's machines: the refusal runs,
the GPU comparison is skipped)."""

import numpy as np
import pytest

from circuits.config import VQEConfig
from circuits.gpu import gpu_available
from circuits.vqe import build_vqe
from zeroth_q import ConfigError

BACKENDS = {
    "aer": {"backend": "aer", "device": "GPU"},
    "pennylane": {"backend": "pennylane", "device": "lightning.gpu"},
}
CPU = {
    "aer": {"backend": "aer", "device": "CPU"},
    "pennylane": {"backend": "pennylane", "device": "lightning.qubit"},
}


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_gpu_run_matches_the_cpu_where_a_gpu_is_present(backend):
    if not gpu_available(backend):
        pytest.skip(f"no GPU for {backend} on this machine")
    config = {"problem": "tfim", "qubits": 6, "shots": "exact"}
    gpu, cpu = (build_vqe(VQEConfig(**config, **d[backend])) for d in (BACKENDS, CPU))
    thetas = np.random.default_rng(0).normal(size=(5, cpu.dim))
    rng = np.random.default_rng(1)
    np.testing.assert_allclose(gpu.evaluate(thetas, rng).values, cpu.evaluate(thetas, rng).values, atol=1e-9)


@pytest.mark.parametrize(
    ("backend", "message"),
    [
        ("aer", "device=GPU: Aer finds no GPU on this machine .*pip install qiskit-aer-gpu"),
        ("pennylane", "lightning.gpu.* NVIDIA GPU .*lightning.qubit"),
    ],
)
def test_a_missing_gpu_is_refused_naming_the_gpu_and_the_fix(backend, message):
    if gpu_available(backend):
        pytest.skip(f"{backend} has a GPU here")
    with pytest.raises(ConfigError, match=message):
        build_vqe(VQEConfig(problem="tfim", qubits=4, **BACKENDS[backend]))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"backend": "aer", "device": "GPU0"},
            "not an Aer device; on backend=aer use device=CPU or device=GPU",
        ),
        ({"backend": "pennylane", "device": "GPU"}, "the GPU device is lightning.gpu"),
    ],
)
def test_device_names_of_the_other_backend_are_refused(params, message):
    with pytest.raises(ConfigError, match=message):
        VQEConfig(**params)
