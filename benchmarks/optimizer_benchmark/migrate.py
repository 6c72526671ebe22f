"""One-time migration of cached benchmark runs to today's directory names and configs.

``python -m benchmarks.optimizer_benchmark.migrate runs/notebooks/optimizer_benchmark/executed``

Until December 2026 a sweep directory was named ``<name>@<hash of the resolved config>``;
when the optimizer configs gained ``update.warmup`` (default 0: no warm-up, the former
behaviour) every hash changed and every cached run would have been run again. Directories are
now named by a hash of what the grid sets (:func:`harness.config_key` of the grid's ``base``,
which each ``sweep.json`` records), so this renames each sweep directory once to that name.

It also rewrites a run's ``config.json`` read with today's defaults where the only difference
is fields that did not exist when it ran (every saved value kept): the sweep engine compares
saved configs with today's resolved ones, so such a run would otherwise be refused although
today's defaults reproduce it. A run whose saved values differ from today's resolution is left
alone (the engine then refuses it, as it should). Running it again changes nothing.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from benchmarks.optimizer_benchmark.harness import config_key
from zeroth_q.atomic import write_text
from zeroth_q.runs.config import RunConfig
from zeroth_q.runs.directory import CONFIG

SWEEP = "sweep.json"


def only_added(saved: Any, resolved: Any) -> bool:
    """Whether ``resolved`` is ``saved`` with new keys added (every saved value unchanged)."""
    if isinstance(saved, Mapping) and isinstance(resolved, Mapping):
        return all(key in resolved and only_added(value, resolved[key]) for key, value in saved.items())
    return saved == resolved


def upgrade_config(path: Path) -> bool:
    """Rewrite ``path`` (a run's config.json) as today's defaults resolve it, if that only adds
    fields; return whether it was rewritten."""
    saved = json.loads(path.read_text())
    resolved = RunConfig.from_dict(saved).to_dict()
    if resolved == saved or not only_added(saved, resolved):
        return False
    write_text(path, json.dumps(resolved, indent=2) + "\n")
    return True


def sweep_directories(root: Path) -> Iterator[Path]:
    return (path.parent for path in sorted(root.glob(f"**/{SWEEP}")))


def migrate(root: Path) -> dict[str, int]:
    """Rename every sweep directory under ``root`` to its current name and upgrade its runs'
    configs; return counts of what was done."""
    counts = {"renamed": 0, "configs upgraded": 0, "kept": 0}
    for directory in list(sweep_directories(root)):
        base = json.loads((directory / SWEEP).read_text())["grid"]["base"]
        name, _, _ = directory.name.partition("@")
        target = directory.with_name(f"{name}@{config_key(base)}")
        if target != directory:
            if target.exists():
                raise FileExistsError(f"{target} exists already: move one of it and {directory} away first.")
            directory.rename(target)
            counts["renamed"] += 1
        for config in sorted(target.glob(f"*/{CONFIG}")):
            upgraded = upgrade_config(config)
            counts["configs upgraded" if upgraded else "kept"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("root", type=Path, help="a size's work directory, e.g. runs/.../executed")
    counts = migrate(parser.parse_args(argv).root)
    print(", ".join(f"{n} {what}" for what, n in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
