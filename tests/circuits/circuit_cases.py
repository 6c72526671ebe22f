"""Backend configurations every cross-backend test runs on (imported by the tests)."""

BACKENDS = [
    {"backend": "aer"},
    {"backend": "pennylane", "device": "lightning.qubit"},
    {"backend": "pennylane", "device": "default.qubit"},
]
BACKEND_IDS = ["aer", "lightning", "default.qubit"]
