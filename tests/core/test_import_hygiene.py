"""The core must not pull in the backends: they depend on it, not the other way round."""

import subprocess
import sys


def test_importing_the_core_imports_no_backend():
    code = (
        "import sys, zeroth_q, zeroth_q.run, zeroth_q.registry; zeroth_q.objective_names(); "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "zeroth_q" in loaded
    assert not loaded & {"qiskit", "qiskit_aer", "pennylane", "classical", "circuits", "torch", "jax"}
