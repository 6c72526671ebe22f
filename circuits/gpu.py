"""GPU simulation by name: Aer's ``device="GPU"`` and PennyLane's ``lightning.gpu``.

Nothing else changes on a GPU: the same circuits, the same batches (Aer runs the bound rows of a
batch on the GPU; lightning.gpu runs PennyLane's tapes with cuStateVec). What is checked here is
only that the GPU exists, before anything runs, so a missing GPU is one clear error and not a
simulator's traceback. Tested on: the refusal and the skip on this project's CPU-only machines
(``tests/circuits/test_gpu.py`` runs the GPU-against-CPU comparison where a GPU is present).
"""

from __future__ import annotations

from circuits.config import GPU_DEVICES
from zeroth_q.errors import ConfigError


def gpu_available(backend: str) -> bool:
    """Whether ``backend`` (``aer`` or ``pennylane``) finds a GPU to simulate on."""
    if backend == "aer":
        from qiskit_aer import AerSimulator

        return "GPU" in AerSimulator().available_devices()
    try:
        import pennylane as qml

        qml.device(GPU_DEVICES["pennylane"], wires=1)
    except Exception:  # not installed, no CUDA device, no driver: each raises its own type
        return False
    return True


def require_gpu(backend: str, device: str) -> None:
    """Refuse a GPU ``device`` that this machine cannot run, naming the GPU and the fix."""
    if device != GPU_DEVICES[backend] or gpu_available(backend):
        return
    if backend == "aer":
        raise ConfigError(
            "device=GPU: Aer finds no GPU on this machine (it has only 'CPU'); Aer simulates on an "
            "NVIDIA GPU with CUDA through the qiskit-aer-gpu package (pip install qiskit-aer-gpu in "
            "place of qiskit-aer); or remove device=GPU."
        )
    raise ConfigError(
        "device=lightning.gpu: PennyLane finds no usable NVIDIA GPU (CUDA) on this machine; run "
        "where one is, or use device=lightning.qubit (CPU)."
    )
