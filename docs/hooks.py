"""MkDocs hooks for the zeroth-q site (``hooks:`` in ``mkdocs.yml``), one job each.

* Pages from outside ``docs/``: the notebooks, converted to Markdown from their stored
  outputs (never re-executed: the studies take hours; ``make notebooks`` re-runs them),
  ``benchmarks/results/*.md`` and ``notebooks/figures/*.png``, so the site shows the files
  the repository holds, with no copies to keep in step.
* ``<!-- benchmark-results -->`` in a page becomes a list of every benchmark result.
* A documented object without a docstring is a warning (so ``mkdocs build --strict`` fails):
  mkdocstrings itself renders such an object silently, with its signature only.
* The docstrings' ``:math:`` roles and ``.. math::`` blocks are typeset by MathJax; their other Sphinx roles
  (``:func:`x```, ``:class:`~a.b.C```) become links where the target is documented on the
  site, and code where it is not.
"""

from __future__ import annotations

import base64
import functools
import logging
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.zeroth_q")
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS, FIGURES, RESULTS = (
    ROOT / "notebooks",
    ROOT / "notebooks" / "figures",
    ROOT / "benchmarks" / "results",
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
DIRECTIVE = re.compile(r"^::: *([\w.]+)\n((?:[ \t]+\S.*\n)*)", re.MULTILINE)  # the object and its options
MEMBERS = re.compile(r"^\s+members:\s*(.+)$", re.MULTILINE)
MATH = re.compile(r":math:<code>(.*?)</code>", re.DOTALL)
DISPLAY_MATH = re.compile(r"<p>\.\. math::\s*(.*?)</p>", re.DOTALL)
ROLE = re.compile(r":(?:func|class|mod|meth|data|attr|exc|obj):<code>(~?)([\w.]+)(\(\))?</code>")


def on_files(files: Files, config: Any) -> Files:
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        page, images = notebook_markdown(notebook)
        files.append(File.generated(config, f"notebooks/{notebook.stem}.md", content=page))
        for name, data in images.items():
            files.append(File.generated(config, f"notebooks/{name}", content=data))
    for result in sorted(RESULTS.glob("*.md")):
        files.append(File.generated(config, f"results/{result.name}", abs_src_path=str(result)))
    for figure in sorted(FIGURES.glob("*.png")):
        files.append(File.generated(config, f"figures/{figure.name}", abs_src_path=str(figure)))
    return files


def notebook_markdown(path: Path) -> tuple[str, dict[str, bytes]]:
    """The notebook as Markdown with its stored outputs, and its output images by file name."""
    notebook = nbformat.read(path, as_version=4)
    parts: list[str] = []
    images: dict[str, bytes] = {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        elif cell.cell_type == "code" and cell.source.strip():
            parts.append(f"```python\n{cell.source}\n```")
            for output in cell.get("outputs", []):
                parts.append(output_markdown(output, f"{path.stem}_output_{len(images)}.png", images))
    footer = f"*Source: `notebooks/{path.name}`, shown as last executed; `make notebooks` re-runs it.*"
    return "\n\n".join([*parts, "---", footer]) + "\n", images


def output_markdown(output: Any, image_name: str, images: dict[str, bytes]) -> str:
    """One stored output: an image, Markdown, an HTML table or text, in that preference."""
    if output.output_type == "stream":
        return fenced_text(output.text)
    if output.output_type == "error":
        return fenced_text(ANSI.sub("", "\n".join(output.traceback)))
    data = output.get("data", {})
    if "image/png" in data:
        images[image_name] = base64.b64decode(data["image/png"])
        return f"![output]({image_name})"
    if "text/markdown" in data:
        return data["text/markdown"]
    if "text/html" in data:
        return f'<div class="notebook-output" markdown="0">\n{data["text/html"]}\n</div>'
    return fenced_text(data.get("text/plain", ""))


def fenced_text(text: str) -> str:
    return f"```text\n{ANSI.sub('', text).rstrip()}\n```"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    for identifier, options in DIRECTIVE.findall(markdown):
        members = MEMBERS.search(options)
        shown = None if members is None else re.findall(r"\w+", members[1].replace("false", ""))
        for problem in missing_docstrings(identifier, shown):
            log.warning("%s: %s", page.file.src_uri, problem)
    if "<!-- benchmark-results -->" in markdown:
        markdown = markdown.replace("<!-- benchmark-results -->", benchmark_list(page))
    return markdown


def benchmark_list(page: Any) -> str:
    """One line per ``benchmarks/results/*.md``: its title, linked."""
    lines = []
    for result in sorted(RESULTS.glob("*.md")):
        title = next(
            (line[2:] for line in result.read_text().splitlines() if line.startswith("# ")), result.stem
        )
        lines.append(f"- [{title}](results/{result.name}) (`{result.name}`)")
    return "\n".join(lines)


@functools.cache
def package(name: str) -> Any:
    import griffe

    return griffe.load(
        name, search_paths=[str(ROOT), *sys.path], resolve_aliases=True, resolve_external=False
    )


def missing_docstrings(identifier: str, members: list[str] | None = None) -> list[str]:
    """Problems with a ``::: identifier`` directive's object: no docstring on it, or (for a
    module) on one of the public functions and classes it shows (``members``, default its
    ``__all__`` or public names)."""
    obj = (
        package(identifier.split(".")[0])[identifier.split(".", 1)[1]]
        if "." in identifier
        else package(identifier)
    )
    obj = obj.final_target if obj.is_alias else obj
    problems = [] if obj.docstring else [f"{identifier} is documented but has no docstring"]
    if obj.is_module:
        public = obj.exports if obj.exports is not None else [n for n in obj.members if not n.startswith("_")]
        for name in public if members is None else members:
            member = obj.members[name]
            target = member.final_target if member.is_alias else member
            if (target.is_function or target.is_class) and not target.docstring:
                problems.append(f"{identifier}.{name} is documented but has no docstring")
    return problems


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    # MathJax typesets these (docs/javascripts/mathjax.js)
    html = DISPLAY_MATH.sub(lambda m: f'<div class="arithmatex">\\[{m[1]}\\]</div>', html)
    html = MATH.sub(lambda m: f'<span class="arithmatex">\\({m[1]}\\)</span>', html)
    return ROLE.sub(role_reference, html)


def role_reference(match: re.Match) -> str:
    """A Sphinx role as an optional cross-reference: a link where the target is documented,
    its code text otherwise. ``~`` shows the last name only, as in Sphinx."""
    short, target, call = match.groups()
    text = (target.rsplit(".", 1)[-1] if short else target) + (call or "")
    return f'<autoref identifier="{target}" optional><code>{text}</code></autoref>'
