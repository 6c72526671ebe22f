"""The core must not pull in the backends, and inside the core imports only go down a layer.

Layers, bottom to top (a module may import its own layer and those below):
0 ``errors, config, atomic, objective``; 1 ``estimators, updates, objectives``;
2 ``optimizer, composition``; 3 ``second_order, loop, stochastic, derivative_free``;
4 ``optimizers`` (the catalogue); 5 ``interop, cli``; 6 ``sweep, landscape``;
7 the public API (``__init__``, ``run``).
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "zeroth_q"
LAYERS = {
    "errors": 0,
    "config": 0,
    "atomic": 0,
    "objective": 0,
    "estimators": 1,
    "updates": 1,
    "objectives": 1,
    "optimizer": 2,
    "composition": 2,
    "second_order": 3,
    "loop": 3,
    "stochastic": 3,
    "derivative_free": 3,
    "optimizers": 4,
    "interop": 5,
    "cli": 5,
    "sweep": 6,
    "landscape": 6,
    "__init__": 7,
    "run": 7,
}


def layer_of(module: str) -> int:
    """The layer of ``zeroth_q.<top>...``; the package itself is the public API."""
    parts = module.split(".")
    return LAYERS["__init__"] if len(parts) == 1 else LAYERS[parts[1]]


def core_imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "zeroth_q":
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names if a.name.split(".")[0] == "zeroth_q"]
    return names


MODULES = sorted(CORE.rglob("*.py"))


def test_every_core_module_has_a_layer():
    tops = {p.relative_to(CORE).parts[0].removesuffix(".py") for p in MODULES}
    assert tops <= set(LAYERS), f"modules without a layer: {tops - set(LAYERS)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CORE)))
def test_imports_never_go_up_a_layer(path):
    own = LAYERS[path.relative_to(CORE).parts[0].removesuffix(".py")]
    upward = [m for m in core_imports(path) if layer_of(m) > own]
    assert not upward, f"{path.relative_to(CORE)} (layer {own}) imports from a higher layer: {upward}"


def test_importing_the_core_imports_no_backend():
    code = (
        "import sys, zeroth_q, zeroth_q.run, zeroth_q.objectives.registry; zeroth_q.objective_names(); "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "zeroth_q" in loaded
    assert not loaded & {"qiskit", "qiskit_aer", "pennylane", "classical", "circuits", "torch", "jax"}
