"""A griffe extension for the zeroth-q site: the docstrings' field paragraphs as lists.

The docstrings describe fields and parameters as ``name: text`` lines, continued by
indented lines (``Result``, ``GradientEstimator``, ``run_sweep``...). In Markdown such lines
run together into one paragraph; as list items (``- **name**: text``) each stays on its own
line. Lines inside literal blocks (after ``::``) are indented, so they never match.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

FIELD = re.compile(r"^((?:[A-Za-z_][\w.]*)(?:, [A-Za-z_][\w.]*)*): (\S.*)$")


def as_lists(text: str) -> str:
    """``name: text`` lines at the left margin (and their indented continuations) as a
    Markdown list, separated from the paragraph before it by a blank line."""
    out: list[str] = []
    in_list = False
    for line in text.splitlines():
        field = FIELD.match(line)
        if field:
            if out and out[-1].strip() and not in_list:
                out.append("")
            out.append(f"- **{field[1]}**: {field[2]}")
            in_list = True
        elif in_list and line.startswith((" ", "\t")) and line.strip():
            out.append("    " + line.strip())
        else:
            if in_list and line.strip():
                out.append("")
            in_list = False
            out.append(line)
    return "\n".join(out)


class FieldLists(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = as_lists(obj.docstring.value)
