"""One-time migration of cached benchmark runs to today's sweep directory names.

``python -m benchmarks.optimizer_benchmark.migrate runs/notebooks/optimizer_benchmark/executed``

Until December 2026 a sweep directory was named ``<name>@<hash of the resolved config>``;
when the optimizer configs gained ``update.warmup`` (default 0: no warm-up, the former
behaviour) every hash changed and every cached run would have been run again. Directories are
now named by a hash of what the grid sets (:func:`harness.config_key` of the grid's ``base``,
which each ``sweep.json`` records), so this renames each sweep directory once to that name.
The runs inside are kept as they are: the sweep engine reads a saved ``config.json`` with
today's defaults before comparing it (:func:`zeroth_q.sweep.sweepdir.same_config`), and
refuses a run whose saved values differ. Running it again changes nothing.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

from benchmarks.optimizer_benchmark.harness import config_key

SWEEP = "sweep.json"


def sweep_directories(root: Path) -> Iterator[Path]:
    return (path.parent for path in sorted(root.glob(f"**/{SWEEP}")))


def migrate(root: Path) -> dict[str, int]:
    """Rename every sweep directory under ``root`` to its current name; return how many were
    renamed and kept."""
    counts = {"renamed": 0, "kept": 0}
    for directory in list(sweep_directories(root)):
        base = json.loads((directory / SWEEP).read_text())["grid"]["base"]
        name, _, _ = directory.name.partition("@")
        target = directory.with_name(f"{name}@{config_key(base)}")
        if target == directory:
            counts["kept"] += 1
            continue
        if target.exists():
            raise FileExistsError(f"{target} exists already: move one of it and {directory} away first.")
        directory.rename(target)
        counts["renamed"] += 1
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
