"""Checkpoints: a :class:`~zeroth_q.loop.result.RunState` in one ``.npz`` file, written atomically.

The optimizer state is a tree of NamedTuples/tuples whose leaves are arrays and numbers.
It is stored leaf by leaf; on load the tree's structure comes from ``optimizer.init(x)``
of the same configuration, so no pickling is needed and a checkpoint is plain data.
The generator's ``bit_generator.state``, the cumulative cost and the history go in a JSON
string inside the same file (Python's JSON writes floats with ``repr``, so they round-trip
exactly); objectives with internal state (:class:`~zeroth_q.objective.SupportsState`)
add their arrays under ``objective.<name>``. Loading changes nothing in the objective: the
state goes into the returned run, and ``minimize`` installs it when the run resumes.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from zeroth_q.atomic import atomic_open
from zeroth_q.errors import ConfigError
from zeroth_q.loop.result import RunState
from zeroth_q.objective import Cost, Objective, SupportsState
from zeroth_q.optimizer import Optimizer

FORMAT_VERSION = 1


def tree_leaves(tree: Any) -> list[Any]:
    if isinstance(tree, tuple | list):
        return [leaf for child in tree for leaf in tree_leaves(child)]
    return [tree]


def tree_unflatten(template: Any, leaves: list[Any]) -> Any:
    """Rebuild a tree shaped like ``template`` from ``leaves`` (consumed in order)."""
    iterator = iter(leaves)

    def build(node: Any) -> Any:
        if isinstance(node, tuple | list):
            children = [build(child) for child in node]
            return type(node)(*children) if hasattr(node, "_fields") else type(node)(children)
        leaf = next(iterator)
        if isinstance(node, np.ndarray):
            return np.array(leaf, dtype=node.dtype)
        return type(node)(leaf.item() if isinstance(leaf, np.ndarray) else leaf)

    tree = build(template)
    if next(iterator, None) is not None:
        raise ConfigError("checkpoint does not match the optimizer's state; was the config changed?")
    return tree


def save_checkpoint(path: str | os.PathLike, run: RunState, objective: Objective) -> None:
    leaves = tree_leaves(run.opt_state)
    meta = {
        "format": FORMAT_VERSION,
        "step": run.step,
        "rng": run.rng.bit_generator.state,
        "cost": run.cost.as_dict(),
        "elapsed": run.elapsed,
        "history": run.history,
        "status": run.status,
        "message": run.message,
        "leaves": len(leaves),
    }
    arrays = {f"leaf{i}": np.asarray(leaf) for i, leaf in enumerate(leaves)}
    if isinstance(objective, SupportsState):
        arrays.update({f"objective.{k}": np.asarray(v) for k, v in objective.get_state().items()})
    with atomic_open(path, "wb") as handle:
        np.savez(handle, x=run.x, meta=np.array(json.dumps(meta)), **arrays)


def load_checkpoint(path: str | os.PathLike, objective: Objective, optimizer: Optimizer) -> RunState:
    """The run saved at ``path``, with the objective's internal state it had there."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            x = data["x"].copy()
            leaves = [data[f"leaf{i}"] for i in range(meta["leaves"])]
            objective_state = {
                k.split(".", 1)[1]: data[k].copy() for k in data.files if k.startswith("objective.")
            }
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(
            f"cannot read checkpoint {path}: {exc}; the run cannot be resumed from it."
        ) from None
    if meta.get("format") != FORMAT_VERSION:
        raise ConfigError(f"checkpoint {path} has format {meta.get('format')}, expected {FORMAT_VERSION}.")
    if isinstance(objective, SupportsState) and not objective_state:
        raise ConfigError(
            f"checkpoint {path} holds no state for {type(objective).__name__} (e.g. its mini-batch "
            f"order); it was saved with another objective, so the run cannot be resumed from it."
        )
    rng = np.random.default_rng()
    rng.bit_generator.state = meta["rng"]
    return RunState(
        step=meta["step"],
        x=x,
        opt_state=tree_unflatten(optimizer.init(x), leaves),
        rng=rng,
        cost=Cost(**meta["cost"]),
        elapsed=meta["elapsed"],
        history=meta["history"],
        status=meta["status"],
        message=meta["message"],
        objective_state=objective_state,
    )
