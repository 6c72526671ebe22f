"""Checkpoints: a :class:`~zeroth_q.loop.result.RunState` in one ``.npz`` file, written atomically.

The optimizer state is a tree of NamedTuples/tuples whose leaves are arrays and numbers.
It is stored leaf by leaf; on load the tree's structure comes from ``optimizer.init(x)``
of the same configuration, so no pickling is needed and a checkpoint is plain data.
The generator's ``bit_generator.state`` and the cumulative cost go in a JSON string inside
the same file (Python's JSON writes floats with ``repr``, so they round-trip exactly);
objectives with internal state (:class:`~zeroth_q.objective.SupportsState`) add their
arrays under ``objective.<name>``. Loading changes nothing in the objective: the state goes
into the returned run, and ``minimize`` installs it when the run resumes.

The history is stored in the file too, unless the caller keeps it apart
(``history_apart``): rewriting a growing history at every checkpoint makes a long run
quadratic, so a run directory appends it to its own file and the checkpoint records only
how many of those rows belong to it. A ``fingerprint`` (the configuration that produced
the run) is stored and checked on load, so a checkpoint never continues a changed run.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from zeroth_q.atomic import atomic_open
from zeroth_q.errors import ConfigError
from zeroth_q.loop.result import RunState
from zeroth_q.objective import Cost, Objective, SupportsState
from zeroth_q.optimizer import Optimizer

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1: before fingerprints and history apart; it reads the same way


def tree_leaves(tree: Any) -> list[Any]:
    if isinstance(tree, tuple | list):
        return [leaf for child in tree for leaf in tree_leaves(child)]
    return [tree]


def tree_unflatten(template: Any, leaves: list[Any]) -> Any:
    """Rebuild a tree shaped like ``template`` from ``leaves`` (consumed in order)."""
    iterator = iter(leaves)
    mismatch = ConfigError("checkpoint does not match the optimizer's state; was the config changed?")

    def build(node: Any) -> Any:
        if isinstance(node, tuple | list):
            children = [build(child) for child in node]
            return type(node)(*children) if hasattr(node, "_fields") else type(node)(children)
        leaf = next(iterator, None)
        if leaf is None:
            raise mismatch
        if isinstance(node, np.ndarray):
            # No shape check: some states grow from a placeholder (K-FAC's factors).
            return np.array(leaf, dtype=node.dtype)
        if np.ndim(leaf) != 0:
            raise mismatch
        return type(node)(leaf.item() if isinstance(leaf, np.ndarray) else leaf)

    tree = build(template)
    if next(iterator, None) is not None:
        raise mismatch
    return tree


def save_checkpoint(
    path: str | os.PathLike,
    run: RunState,
    objective: Objective,
    *,
    fingerprint: Mapping[str, Any] | None = None,
    history_apart: bool = False,
) -> None:
    """Write ``run`` to ``path``; with ``history_apart`` only the number of history rows
    (the caller stores the rows), and ``fingerprint`` to be checked by :func:`load_checkpoint`."""
    leaves = tree_leaves(run.opt_state)
    meta = {
        "format": FORMAT_VERSION,
        "step": run.step,
        "rng": run.rng.bit_generator.state,
        "cost": run.cost.as_dict(),
        "elapsed": run.elapsed,
        "history": None if history_apart else list(run.history),
        "history_rows": len(run.history),
        "status": run.status,
        "message": run.message,
        "leaves": len(leaves),
        "fingerprint": fingerprint,
    }
    arrays = {f"leaf{i}": np.asarray(leaf) for i, leaf in enumerate(leaves)}
    if isinstance(objective, SupportsState):
        arrays.update({f"objective.{k}": np.asarray(v) for k, v in objective.get_state().items()})
    with atomic_open(path, "wb") as handle:
        np.savez(handle, x=run.x, meta=np.array(json.dumps(meta)), **arrays)


def load_checkpoint(
    path: str | os.PathLike,
    objective: Objective,
    optimizer: Optimizer,
    *,
    history: Sequence[dict[str, float]] | None = None,
    fingerprint: Mapping[str, Any] | None = None,
    resolve: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> RunState:
    """The run saved at ``path``, with the objective's internal state it had there.

    history: the rows kept apart from the checkpoint (its first ``history_rows`` are the
        run's; later ones were written after the checkpoint and are dropped).
    fingerprint: must equal the one saved, when both exist.
    resolve: how the saved fingerprint reads with this version's defaults (a setting added
        since, e.g. a learning-rate warm-up of 0, is filled in as ``fingerprint`` has it), so
        a run started by an earlier version resumes when nothing it ran with has changed.
    Raises ConfigError naming the file for anything unreadable, truncated or mismatched.
    """
    fail = "the run cannot be resumed from it: start it again with a new --out (or --overwrite)"
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            x = data["x"].copy()
            leaves = [data[f"leaf{i}"] for i in range(meta["leaves"])]
            objective_state = {
                k.split(".", 1)[1]: data[k].copy() for k in data.files if k.startswith("objective.")
            }
        step, status = int(meta["step"]), meta["status"]
    except Exception as exc:  # a damaged file fails in zipfile, zlib, numpy or json alike
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise ConfigError(
            f"checkpoint {path} is unreadable (corrupt, truncated or empty: {reason}); {fail}."
        ) from None
    if meta.get("format") not in READABLE_VERSIONS:
        raise ConfigError(
            f"checkpoint {path} has format {meta.get('format')}, expected {FORMAT_VERSION}; {fail}."
        )
    saved = meta.get("fingerprint")
    if isinstance(saved, dict) and resolve is not None:
        with contextlib.suppress(ConfigError):  # unreadable now: compared as it was saved
            saved = resolve(saved)
    if saved is not None and fingerprint is not None and saved != dict(fingerprint):
        changed = sorted(k for k in {*saved, *fingerprint} if saved.get(k) != fingerprint.get(k))
        raise ConfigError(
            f"checkpoint {path} was written by a run with another {' and '.join(changed)} than its "
            f"config.json now gives; {fail}."
        )
    if x.shape != (objective.dim,):
        raise ConfigError(
            f"checkpoint {path} holds a point of shape {x.shape}, the objective has {objective.dim} "
            f"parameters; {fail}."
        )
    try:
        opt_state = tree_unflatten(optimizer.init(x), leaves)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc} {fail}.") from None
    rows = meta["history"]
    if rows is None:
        wanted = meta["history_rows"]
        if history is None or len(history) < wanted:
            have = 0 if history is None else len(history)
            raise ConfigError(
                f"checkpoint {path} needs {wanted} history rows, its history holds {have}; {fail}."
            )
        rows = [dict(row) for row in history[:wanted]]
    if isinstance(objective, SupportsState) and not objective_state:
        raise ConfigError(
            f"checkpoint {path} holds no state for {type(objective).__name__} (e.g. its mini-batch "
            f"order); it was saved with another objective; {fail}."
        )
    rng = np.random.default_rng()
    rng.bit_generator.state = meta["rng"]
    return RunState(
        step=step,
        x=x,
        opt_state=opt_state,
        rng=rng,
        cost=Cost(**meta["cost"]),
        elapsed=meta["elapsed"],
        history=rows,
        status=status,
        message=meta["message"],
        objective_state=objective_state,
    )
