"""Errors that name the problem and the fix.

Every user-facing mistake (unknown name, bad value, wrong shape, missing capability)
raises a subclass of :class:`ZerothQError`; the command-line tools turn these into a
one-line message and exit code 2 instead of a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ZerothQError(Exception):
    """Base class of the errors this library raises on purpose."""


class ConfigError(ZerothQError, ValueError):
    """A configuration key, value or name is invalid."""


class CapabilityError(ZerothQError, TypeError):
    """An optimizer needs something the objective does not provide (e.g. a gradient)."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """The sentence appended to an 'unknown name' error: the closest valid names, then all."""
    choices = sorted(choices)
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"{hint} Valid choices: {', '.join(choices)}."


def unknown(kind: str, name: str, choices: Iterable[str]) -> ConfigError:
    """A ConfigError for an unknown ``kind`` called ``name``, with suggestions."""
    if not isinstance(name, str):
        return ConfigError(
            f"{kind} must be given by name (a string), got {type(name).__name__} {name!r}; valid names: "
            f"{', '.join(sorted(choices))}."
        )
    return ConfigError(f"unknown {kind} {name!r}.{did_you_mean(name, choices)}")


def missing_capability(
    objective: object, capability: str, needed_by: str, alternatives: str
) -> CapabilityError:
    """A CapabilityError for ``needed_by``, which calls ``objective.<capability>()``.

    The fix is the objective's own advice when it has some (an optional
    ``capability_hint(capability) -> str | None``: a VQE on Aer says which settings give it
    a gradient), else ``alternatives``.
    """
    hint = getattr(objective, "capability_hint", None)
    advice = (hint(capability) if callable(hint) else None) or alternatives
    return CapabilityError(
        f"{needed_by} needs the objective's {capability}(), which {type(objective).__name__} "
        f"does not provide; {advice}"
    )
