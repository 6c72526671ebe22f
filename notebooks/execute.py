"""Execute a notebook in place (full size) or into a copy with parameters overridden (CI).

Each notebook has one code cell tagged ``parameters`` (``SMOKE``, ``FIGURES_DIR``,
``WORK_DIR`` ...). Overrides are injected as a new cell right after it, the papermill
convention, so the committed parameters cell keeps the full-size values::

    python notebooks/execute.py notebooks/shot_budgets.ipynb            # full size, in place
    python notebooks/execute.py notebooks/shot_budgets.ipynb --smoke   # into a new temporary folder
    python notebooks/execute.py notebooks/optimizer_benchmark.ipynb --set SIZE=full

The kernel is the current interpreter's (ipykernel's native ``python3``) and runs in
``notebooks/``, so relative paths in a notebook are relative to it.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

PARAMETERS_TAG = "parameters"


def inject(notebook: nbformat.NotebookNode, overrides: Mapping[str, Any]) -> None:
    """Insert ``NAME = repr(value)`` lines after the cell tagged ``parameters``."""
    tagged = [i for i, cell in enumerate(notebook.cells) if PARAMETERS_TAG in cell.metadata.get("tags", [])]
    if len(tagged) != 1:
        raise ValueError(f"expected exactly one cell tagged {PARAMETERS_TAG!r}, found {len(tagged)}.")
    source = "\n".join(f"{name} = {value!r}" for name, value in overrides.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    notebook.cells.insert(tagged[0] + 1, cell)


def execute(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    timeout: int | None = None,
) -> nbformat.NotebookNode:
    """Run every cell of ``path`` (an error in a cell raises); write the result to ``out``
    (default: back into ``path``) and return it."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    if overrides:
        inject(notebook, overrides)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    nbformat.write(notebook, Path(out) if out is not None else path)
    return notebook


def literal(text: str) -> Any:
    """``3`` -> 3, ``"x"`` -> "x", ``full`` -> "full": a Python literal, else the text itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def main(argv: list[str] | None = None) -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("notebook", type=Path)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="inject SMOKE = True (small grids, minutes); notebook, figures, runs go to a new temp folder",
    )
    parser.add_argument("--out", type=Path, help="write the executed notebook here (default: in place)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter (VALUE a Python literal, else a string), e.g. SIZE=full",
    )
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {}
    for assignment in args.set:
        name, equals, value = assignment.partition("=")
        if not equals or not name.isidentifier():
            parser.error(f"--set {assignment!r}: write NAME=VALUE, e.g. --set SIZE=full")
        overrides[name] = literal(value)
    out = args.out
    if args.smoke:
        # A smoke run never writes over the committed notebook, its figures or the full-size
        # runs, and never meets a previous smoke run's directories: all go to a new folder.
        scratch = Path(tempfile.mkdtemp(prefix=f"smoke-{args.notebook.stem}-"))
        overrides = {
            "SMOKE": True,
            "FIGURES_DIR": str(scratch / "figures"),
            "WORK_DIR": str(scratch / "runs"),
            **overrides,
        }
        out = out or scratch / args.notebook.name
        print(f"smoke run: notebook, figures and runs in {scratch}", file=sys.stderr)
    start = time.perf_counter()
    execute(args.notebook, overrides or None, out)
    print(f"executed {args.notebook} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
