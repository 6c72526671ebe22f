"""A run's history, one row per step, held compactly: blocks of columns and a short tail.

A list of dicts costs about 0.45 KB a row (a dict and a boxed number per cell), so a run of
10^7 steps needed gigabytes for its history alone. Here the newest rows stay dicts (the
*tail*, at most :data:`BLOCK` of them: what callbacks read as ``history[-1]``, at no cost),
and every full tail is packed into one block of NumPy columns: 8 bytes per cell, plus a
mask for a column that some rows lack (the metrics, recorded every few steps).

:class:`History` is a sequence of row dicts, so everything written against the list of
dicts (``history[-1]["loss"]``, slices, iteration, ``pd.DataFrame(history)``) reads the
same rows back, with the same keys and Python types; :meth:`History.column` gives a whole
column as an array.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

import numpy as np

BLOCK = 1024  # rows per packed block, and the most the tail holds as dicts
INT64 = np.iinfo(np.int64)
LAST = "wall_time"  # rows list their keys in first-seen order, with this one last


class _Block:
    """``BLOCK`` rows as columns: ``values[key]`` an int64, float64 or object array,
    ``missing[key]`` a bool mask of the rows without that key (absent: none lack it)."""

    __slots__ = ("count", "missing", "values")

    def __init__(self, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> None:
        self.count = len(rows)
        self.values: dict[str, np.ndarray] = {}
        self.missing: dict[str, np.ndarray] = {}
        for key in keys:
            cells = [row.get(key, _ABSENT) for row in rows]
            absent = np.array([cell is _ABSENT for cell in cells])
            present = [cell for cell in cells if cell is not _ABSENT]
            if not present:
                continue
            self.values[key] = _column(cells, present)
            if absent.any():
                self.missing[key] = absent

    def rows(self) -> list[dict[str, Any]]:
        columns = {key: values.tolist() for key, values in self.values.items()}
        missing = {key: mask.tolist() for key, mask in self.missing.items()}
        return [
            {key: column[i] for key, column in columns.items() if key not in missing or not missing[key][i]}
            for i in range(self.count)
        ]

    def row(self, i: int) -> dict[str, Any]:
        return {
            key: values[i] if values.dtype == object else values[i].item()
            for key, values in self.values.items()
            if key not in self.missing or not self.missing[key][i]
        }


class _Absent:
    __slots__ = ()


_ABSENT = _Absent()


def _column(cells: list[Any], present: list[Any]) -> np.ndarray:
    """The cells as the narrowest exact array: int64 if all are ints in range, float64 if all
    are floats, else objects (a cost beyond 64 bits, a user's own values)."""
    kinds = {type(cell) for cell in present}
    if kinds == {int} and INT64.min <= min(present) and max(present) <= INT64.max:
        return np.array([0 if cell is _ABSENT else cell for cell in cells], dtype=np.int64)
    if all(issubclass(kind, float) for kind in kinds):
        return np.array([np.nan if cell is _ABSENT else cell for cell in cells], dtype=np.float64)
    column = np.empty(len(cells), dtype=object)
    column[:] = [None if cell is _ABSENT else cell for cell in cells]
    return column


class History(Sequence[dict[str, Any]]):
    """The rows of a run (step, cumulative costs, loss, metrics, wall time), in order."""

    def __init__(self, rows: Iterable[Mapping[str, Any]] = ()) -> None:
        self._blocks: list[_Block] = []
        self._tail: list[dict[str, Any]] = []
        self._keys: list[str] = []
        for row in rows:
            self.append(dict(row))

    def append(self, row: dict[str, Any]) -> None:
        """Add ``row`` (kept as given until its block is packed)."""
        self._tail.append(row)
        if len(self._tail) == BLOCK:
            self._pack()

    def _pack(self) -> None:
        known = set(self._keys)
        for row in self._tail:
            for key in row:
                if key not in known:
                    known.add(key)
                    self._keys.append(key)
        if LAST in self._keys:
            self._keys.remove(LAST)
            self._keys.append(LAST)
        self._blocks.append(_Block(self._tail, self._keys))
        self._tail = []

    def __len__(self) -> int:
        return BLOCK * len(self._blocks) + len(self._tail)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            raise IndexError(f"history index {index} out of range for {size} rows")
        block, offset = divmod(position, BLOCK)
        if block == len(self._blocks):
            return self._tail[offset]
        return self._blocks[block].row(offset)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for block in self._blocks:
            yield from block.rows()
        yield from self._tail

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"History({len(self)} rows, last {self[-1] if len(self) else None})"

    def column(self, key: str) -> np.ndarray:
        """Column ``key`` of every row as floats, NaN where a row lacks it."""
        parts = []
        for block in self._blocks:
            values = block.values.get(key)
            part = np.full(block.count, np.nan) if values is None else values.astype(float)
            if key in block.missing:
                part[block.missing[key]] = np.nan
            parts.append(part)
        parts.append(np.array([row.get(key, np.nan) for row in self._tail], dtype=float))
        return np.concatenate(parts)
