"""A user's circuit named on the command line: ``--set source=package.module:function``.

``function()`` returns ``(circuit, observable)`` (a Qiskit ``QuantumCircuit`` with unbound
parameters and a ``SparsePauliOp``) or a PennyLane triple ``(f, observable, shape)`` with
``shape = {"wires": ..., "num_params": ...}``. Everything that can go wrong (the module does not
import, the function is missing or raises, it returns something else) is one ConfigError naming
the problem and the fix, raised before any run directory is written.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

from zeroth_q.errors import ConfigError

RETURNS = (
    '(QuantumCircuit, SparsePauliOp) or a PennyLane triple (f, observable, {"wires": ..., "num_params": ...})'
)


class UserCircuit(NamedTuple):
    """What ``function()`` returned: the circuit, its observable and (PennyLane) its shape."""

    circuit: Any
    observable: Any
    shape: dict[str, Any]

    @property
    def backend(self) -> str:
        return "aer" if type(self.circuit).__module__.startswith("qiskit.") else "pennylane"


def load_source(source: str) -> UserCircuit:
    """Import ``module``, call ``function()`` and check the kinds of what it returned."""
    module_name, _, function_name = source.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise ConfigError(
            f"source {source!r}: module {module_name!r} does not import ({type(error).__name__}: {error}); "
            f"make it importable from the working directory or PYTHONPATH."
        ) from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ConfigError(
            f"source {source!r}: module {module_name!r} has no function {function_name!r}; "
            f"name a function that returns {RETURNS}."
        )
    try:
        built = function()
    except Exception as error:
        raise ConfigError(
            f"source {source!r}: {function_name}() raised {type(error).__name__}: {error}; fix the function."
        ) from None
    return _check(source, built)


def _check(source: str, built: Any) -> UserCircuit:
    if isinstance(built, tuple) and len(built) == 2 and type(built[0]).__name__ == "QuantumCircuit":
        return UserCircuit(built[0], built[1], {})
    if isinstance(built, tuple) and len(built) == 3 and callable(built[0]) and isinstance(built[2], dict):
        shape = built[2]
        if set(shape) == {"wires", "num_params"}:
            return UserCircuit(built[0], built[1], shape)
    kinds = ", ".join(type(b).__name__ for b in built) if isinstance(built, tuple) else type(built).__name__
    raise ConfigError(f"source {source!r} returned ({kinds}); it must return {RETURNS}.")
