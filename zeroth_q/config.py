"""Frozen-dataclass configurations that round-trip through JSON, strictly.

``from_dict(cls, data)`` is the one door through which user input (a JSON file, a
``--set key=value`` flag, a sweep grid) becomes a configuration. It rejects unknown keys
with a did-you-mean, and checks every value against the field's annotation, so a typo
never silently falls back to a default. ``to_dict`` is its inverse:
``from_dict(cls, to_dict(c)) == c`` for every config ``c``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np

from zeroth_q.errors import ConfigError, did_you_mean

C = TypeVar("C")
MAX_INT = 2**63 - 1


def to_dict(config: Any) -> dict[str, Any]:
    """A JSON-ready dict of a dataclass config (tuples become lists)."""
    out = {}
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        out[f.name] = to_dict(value) if dataclasses.is_dataclass(value) else _plain(value)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):  # np.float32(0.1) in a user's rule: json.dumps refuses it
        return value.item()
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.init]


def from_dict(cls: type[C], data: Mapping[str, Any], *, where: str = "") -> C:
    """Build ``cls`` from ``data``; missing keys take the field defaults.

    ``where`` names the config section in error messages (e.g. ``"objective 'vqe'"``).
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where or cls.__name__} must be a JSON object, got {type(data).__name__}.")
    names = field_names(cls)
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for key, value in data.items():
        if key not in names:
            raise ConfigError(f"unknown key {key!r} in {where or cls.__name__}.{did_you_mean(key, names)}")
        kwargs[key] = coerce(value, hints[key], f"{where or cls.__name__}: {key}")
    try:
        return cls(**kwargs)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where or cls.__name__}: {exc}") from None


def coerce(value: Any, annotation: Any, what: str) -> Any:
    """Check ``value`` against a type annotation, converting JSON forms (list → tuple,
    int → float). Raises ConfigError naming ``what`` and the expected type."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is Any:
        return value
    if origin is typing.Union or origin is types.UnionType:
        if value is None and type(None) in args:
            return None
        others = [arg for arg in args if arg is not type(None)]
        if len(others) == 1:
            return coerce(value, others[0], what)
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        for arg in (int, float):
            if numeric and arg in others:
                # A number for a number-or-name field: the number's own error says more.
                return coerce(value, arg, what)
        for arg in others:
            try:
                return coerce(value, arg, what)
            except ConfigError:
                continue
        raise ConfigError(f"{what} must be {_describe(annotation)}, got {value!r}.")
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(f"{what} must be one of {', '.join(map(repr, args))}, got {value!r}.")
        return value
    if annotation is type(None):
        if value is not None:
            raise ConfigError(f"{what} must be null, got {value!r}.")
        return None
    if origin in (tuple, list):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{what} must be a list, got {value!r}.")
        item = args[0] if args else Any
        return tuple(coerce(v, item, what) for v in value)
    if origin in (dict, Mapping) or annotation in (dict, Mapping):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{what} must be an object, got {value!r}.")
        return dict(value)
    if dataclasses.is_dataclass(annotation):
        return value if isinstance(value, annotation) else from_dict(annotation, value, where=what)
    if annotation is bool:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        raise ConfigError(f"{what} must be true or false, got {value!r}.")
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        value = value.item()  # NumPy's integers and floats are integers and numbers
    if annotation is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            # NumPy, Aer and PennyLane take 64-bit integers: a larger one would pass here and
            # overflow deep inside them.
            if abs(value) > MAX_INT:
                raise ConfigError(f"{what} must be at most {MAX_INT:,} in magnitude, got {value!r}.")
            return value
        raise ConfigError(f"{what} must be an integer, got {value!r}.")
    if annotation is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                # JSON's NaN/Infinity pass every comparison check (NaN > 0 is False, inf > 0
                # True) and only fail later, inside the simulator or the optimizer.
                raise ConfigError(f"{what} must be a finite number, got {value!r}.")
            return float(value)
        raise ConfigError(f"{what} must be a number, got {value!r}.")
    if annotation is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"{what} must be a string, got {value!r}.")
    return value


_KINDS = {type(None): "null", int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _describe(annotation: Any) -> str:
    """The valid values of a union, e.g. ``an integer or 'exact'``."""
    names = []
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Literal:
            names += [repr(v) for v in typing.get_args(arg)]
        else:
            names.append(_KINDS.get(arg, getattr(arg, "__name__", str(arg))))
    return " or ".join(names)


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse a ``--set key=value`` flag. The value is read as JSON when it parses
    (``3``, ``0.1``, ``true``, ``[128, 64]``, ``null``), else kept as a string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set expects key=value, got {text!r} (e.g. --set lr=0.01).")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value


def register_kind(registry: dict[str, type], cls: type, what: str, members: tuple[str, ...]) -> type:
    """Add ``cls`` to ``registry`` under its ``kind``, so that ``{"kind": ...}`` in a JSON
    config builds it and ``to_dict`` writes it back; returns ``cls`` (usable as a decorator).

    The class must be a dataclass (that is what makes it round-trip through JSON) with a
    string ``kind`` and the ``members`` its role calls. Registering a class again under its
    kind, or a redefinition of it (same module and name, as when a notebook cell re-runs),
    replaces the entry; another class may not take a kind that is in use.
    """
    kind = getattr(cls, "kind", None)
    require(
        isinstance(cls, type) and dataclasses.is_dataclass(cls),
        f"a registered {what} must be a dataclass (its fields are its JSON config), got {cls!r}.",
    )
    require(
        isinstance(kind, str) and bool(kind),
        f"{what} class {cls.__name__} needs a class attribute kind: ClassVar[str] = '<its name in configs>'.",
    )
    missing = [name for name in members if not hasattr(cls, name)]
    require(
        not missing,
        f"{what} class {cls.__name__} lacks {', '.join(missing)} (a {what} has {', '.join(members)}).",
    )
    taken = registry.get(kind)
    require(
        taken is None or (taken.__module__, taken.__qualname__) == (cls.__module__, cls.__qualname__),
        f"{what} kind {kind!r} is already registered by {getattr(taken, '__qualname__', taken)}; "
        f"give {cls.__name__} another kind.",
    )
    registry[kind] = cls
    return cls


def require(condition: bool, message: str) -> None:
    """Raise ConfigError(message) unless ``condition``: the one-liner for ``__post_init__``."""
    if not condition:
        raise ConfigError(message)


def available_memory() -> int | None:
    """Bytes this machine can still allocate without swapping (``MemAvailable`` of Linux),
    else its physical memory, or None where neither is known."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def format_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size < 1024 or unit == "PB":
            break
        size /= 1024
    return f"{size:.3g} {unit}"


def require_memory(nbytes: float, what: str, fix: str) -> None:
    """Refuse, before allocating, something that cannot fit in this machine's memory:
    a ConfigError saying how much ``what`` needs, how much is available, and ``fix``."""
    available = available_memory()
    if available is not None and nbytes > available:
        raise ConfigError(
            f"{what} needs about {format_bytes(nbytes)} of memory but {format_bytes(available)} "
            f"is available; {fix.rstrip('.')}."
        )
