"""Every Python example in the documentation (``docs/**/*.md``) runs, page by page.

The blocks of one page run in order in one namespace, as a reader would type them, in a
fresh directory. A block preceded by ``<!-- no-test: REASON -->`` is skipped; only blocks
that need quantum hardware (an IBM account) may be, and the reason must say so.
"""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(
    r"^(?:<!-- no-test: (?P<skip>.+?) -->\n)?```python\n(?P<code>.*?)^```", re.MULTILINE | re.DOTALL
)


def blocks(page: Path) -> list[tuple[int, str, str | None]]:
    """(line, code, skip reason) of every ``python`` block of ``page``."""
    text = page.read_text()
    return [(text.count("\n", 0, m.start("code")) + 1, m["code"], m["skip"]) for m in BLOCK.finditer(text)]


PAGES = [page for page in sorted(DOCS.rglob("*.md")) if blocks(page)]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_every_example_of_the_page_runs(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    for line, code, skip in blocks(page):
        if skip is None:
            # padded to its line, so a traceback points into the page
            exec(compile("\n" * (line - 1) + code, str(page), "exec"), namespace)


def test_the_guides_have_examples_and_skip_only_what_needs_hardware():
    found = {str(p.relative_to(DOCS)): blocks(p) for p in PAGES}
    for guide in ("index.md", "guides/qiskit.md", "guides/pennylane.md", "guides/budgets.md"):
        assert any(skip is None for _, _, skip in found[guide]), guide
    for guide in (
        "guides/shot-frugal.md",
        "guides/extending.md",
        "guides/sweeps.md",
        "guides/optimizers.md",
        "guides/circuits.md",
    ):
        assert any(skip is None for _, _, skip in found[guide]), guide
    skips = [skip for page in found.values() for _, _, skip in page if skip is not None]
    assert skips and all("hardware" in skip for skip in skips), skips
