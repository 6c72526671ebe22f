"""A grid file: a base run config and the axes whose product gives a sweep's runs.

A grid is validated before anything runs: its own keys strictly, then each axis value
once, through :meth:`RunConfig.from_dict` of the grid's first run with that one value
changed, so a typo in an axis key or a bad value fails at once with the offending run's
axis values in the message, not an hour into the sweep on some worker. Validating each
value once, not each run, keeps a 100 x 100 grid at 200 validations (it was 10^4, at
~8 ms each); a run whose values are each valid but not together (``min_shots`` on one
axis above ``max_shots`` on another) fails alone, as a failed run of the sweep.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from zeroth_q.config import field_names, from_dict, to_dict
from zeroth_q.errors import ConfigError, did_you_mean
from zeroth_q.runs.config import RunConfig, RunFile
from zeroth_q.runs.directory import read_json_object

SECTIONS = ("objective", "optimizer", "budget")
# A run directory's name must be one path component on every common filesystem.
_UNSAFE = re.compile(r"[^A-Za-z0-9._=+,@-]")
_MAX_NAME = 120


@dataclass(frozen=True)
class Member:
    """One run of a sweep: its directory name, its axis values, its config as the file
    would hold it (the base with the values set), and :attr:`config` built on first use."""

    name: str
    values: dict[str, Any]
    data: dict[str, Any]

    @functools.cached_property
    def config(self) -> RunConfig:
        try:
            return RunConfig.from_dict(self.data)
        except ConfigError as exc:
            raise ConfigError(f"grid run {self.name}: {exc}") from None


@dataclass(frozen=True)
class Grid:
    """``base`` with every combination of ``axes`` (and of ``zip`` groups) applied.

    name: the sweep's name (the CLI's default directory is ``sweeps/<name>``).
    base: a run config, possibly partial (the format of ``zeroth_q.run --config``).
    axes: dotted config path -> list of values; the runs are their cartesian product.
    zip: groups of paths whose value lists have one length and advance together, each
        group one more factor of the product.
    metric: the summary field the comparison plot shows (default: the objective's
        main metric, else ``final_loss``).
    """

    base: dict[str, Any]
    axes: dict[str, Any] = field(default_factory=dict)
    zip: tuple[dict[str, Any], ...] = ()
    name: str | None = None
    metric: str | None = None

    def __post_init__(self) -> None:
        for group in self.zip:
            lengths = {key: _values(key, values) for key, values in group.items()}
            if not group or len(set(map(len, lengths.values()))) > 1:
                sizes = ", ".join(f"{k}: {len(v)}" for k, v in lengths.items()) or "no keys"
                raise ConfigError(f"a grid zip group needs value lists of one length ({sizes}).")
        for key, values in self.axes.items():
            _values(key, values)
        keys = self.keys
        if not keys:
            raise ConfigError("a grid needs at least one axis (in 'axes' or 'zip').")
        for key in keys:
            check_path(key)
            if keys.count(key) > 1:
                raise ConfigError(f"grid key {key!r} appears in more than one axis or zip group.")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Grid:
        if isinstance(data, Mapping) and "base" not in data:
            raise ConfigError(
                'a grid needs a \'base\' run config, e.g. {"objective": {"name": "quadratic"}}.'
            )
        return from_dict(cls, data, where="grid")

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @property
    def dimensions(self) -> list[tuple[str, ...]]:
        """The factors of the product: one key per axis, several per zip group."""
        return [(key,) for key in self.axes] + [tuple(group) for group in self.zip]

    @property
    def keys(self) -> list[str]:
        return [key for dimension in self.dimensions for key in dimension]

    def members(self, progress: bool = False) -> list[Member]:
        """Every run of the grid, each axis value validated once (raises ConfigError naming
        a run that has the bad value); ``progress``: a bar where expanding takes seconds."""
        settings = [self._settings(dimension) for dimension in self.dimensions]
        first = [options[0] for options in settings]
        for index, options in enumerate(settings):
            for option in options[1:] if index else options:  # the first run once, then one change each
                self._member([*first[:index], option, *first[index + 1 :]]).config  # noqa: B018
        total = math.prod(map(len, settings))
        combinations = itertools.product(*settings)
        bar = tqdm(combinations, total=total, unit="run", desc="grid", disable=not progress, delay=2)
        members = [self._member(combination) for combination in bar]
        names = {m.name for m in members}
        if len(names) < len(members):
            seen: set[str] = set()
            twice = next(m.name for m in members if m.name in seen or seen.add(m.name))
            raise ConfigError(
                f"two runs of the grid get the directory name {twice!r}; make axis values distinct."
            )
        return members

    def _member(self, combination: Sequence[Mapping[str, Any]]) -> Member:
        values = {k: v for part in combination for k, v in part.items()}
        data = copy.deepcopy(self.base)
        for key, value in values.items():
            set_path(data, key, value)
        return Member(run_name(values), values, data)

    def _settings(self, dimension: tuple[str, ...]) -> list[dict[str, Any]]:
        """The values one factor of the product takes, in order, as ``{key: value}``."""
        source = self.axes if dimension[0] in self.axes else next(g for g in self.zip if dimension[0] in g)
        rows = zip(*(source[key] for key in dimension), strict=True)
        return [dict(zip(dimension, row, strict=True)) for row in rows]


def _values(key: str, values: Any) -> Any:
    if not isinstance(values, list | tuple):
        raise ConfigError(f"grid axis {key!r} must be a list of values, got {values!r}.")
    if not values:
        raise ConfigError(f"grid axis {key!r} is empty; give it at least one value.")
    return values


def check_path(key: str) -> None:
    """Accept ``seed``-like top-level fields and ``section.key...`` paths into a section."""
    head, dot, rest = key.partition(".")
    names = field_names(RunFile)
    if head not in names:
        raise ConfigError(f"grid axis {key!r}: unknown config key {head!r}.{did_you_mean(head, names)}")
    if head in SECTIONS and not rest:
        raise ConfigError(f"grid axis {key!r} needs a key inside {head!r}, e.g. {head}.name.")
    if head not in SECTIONS and dot:
        raise ConfigError(f"grid axis {key!r}: {head!r} is a single value; write just {head!r}.")


def set_path(data: dict[str, Any], key: str, value: Any) -> None:
    """``data[a][b][c] = value`` for ``key = "a.b.c"``, creating dicts on the way."""
    *parents, last = key.split(".")
    node = data
    for part in parents:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise ConfigError(f"grid axis {key!r}: {part!r} in the base config is {child!r}, not an object.")
        node = child
    node[last] = value


def format_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def run_name(values: Mapping[str, Any]) -> str:
    """``optimizer.name=spsa,seed=0``: readable, one path component, stable across re-runs.

    Unsafe characters become ``_``; an over-long name keeps its start and gets a hash of
    the whole, so that names stay unique and within filesystem limits.
    """
    name = _UNSAFE.sub("_", ",".join(f"{k}={format_value(v)}" for k, v in values.items()))
    if len(name) > _MAX_NAME:
        digest = hashlib.sha1(name.encode()).hexdigest()[:12]
        name = f"{name[: _MAX_NAME - 13]}~{digest}"
    return name


def read_grid(path: str | Path) -> Grid:
    """The grid in a JSON file, validated (members are expanded by :meth:`Grid.members`)."""
    path = Path(path)
    grid = Grid.from_dict(read_json_object(path, "grid"))
    return grid if grid.name else Grid(grid.base, grid.axes, grid.zip, path.stem, grid.metric)
