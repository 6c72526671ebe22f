"""A registry of named builders with typed parameters: what problems and ansätze have in common.

Each entry is a :class:`Registered`: a name, a one-line description, a frozen dataclass of its
own parameters (validated in its ``__post_init__``) and a builder. A flat configuration (such as
:class:`circuits.config.VQEConfig`, whose ``--set`` keys every entry shares) hands an entry the
fields its parameter class names (:meth:`Registered.parameters_from`). An unknown name is refused
with the valid choices, never replaced by a default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

from zeroth_q.errors import ConfigError, unknown

Builder = TypeVar("Builder", bound=Callable[..., Any])


@dataclass(frozen=True)
class Registered(Generic[Builder]):
    name: str
    description: str
    parameters: type
    build: Builder

    def parameters_from(self, config: Any) -> Any:
        """This entry's parameters, read from the same-named fields of ``config``."""
        missing = [f.name for f in fields(self.parameters) if not hasattr(config, f.name)]
        if missing:
            raise ConfigError(
                f"{self.name!r} reads {', '.join(missing)}, which {type(config).__name__} lacks; add these "
                f"fields to it (with defaults) when registering {self.name!r}."
            )
        return self.parameters(**{f.name: getattr(config, f.name) for f in fields(self.parameters)})


class Registry(Generic[Builder]):
    """Entries by name, of one ``kind`` ("problem", "ansatz")."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Registered[Builder]] = {}

    def register(self, name: str, description: str, parameters: type, build: Builder) -> Registered[Builder]:
        if name in self._entries:
            raise ConfigError(f"{self.kind} {name!r} is already registered; choose another name.")
        entry = Registered(name, description, parameters, build)
        self._entries[name] = entry
        return entry

    def unregister(self, name: str) -> None:
        """Remove ``name`` (a test's or a session's temporary entry); unknown names are refused."""
        self[name]
        del self._entries[name]

    def __getitem__(self, name: str) -> Registered[Builder]:
        if name not in self._entries:
            raise unknown(self.kind, name, self._entries)
        return self._entries[name]

    def names(self) -> list[str]:
        return sorted(self._entries)
