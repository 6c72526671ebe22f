"""The documentation site's build hooks (``docs/hooks.py``)."""

import base64
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)


def test_a_documented_function_without_a_docstring_fails_the_strict_build(tmp_path):
    (tmp_path / "demo_api.py").write_text(
        'def documented():\n    """Says why."""\n\n\ndef bare():\n    pass\n'
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# API\n\n::: demo_api.documented\n\n::: demo_api.bare\n")
    (tmp_path / "mkdocs.yml").write_text(
        textwrap.dedent(f"""\
            site_name: demo
            hooks: [{ROOT / "docs" / "hooks.py"}]
            plugins:
              - mkdocstrings:
                  handlers:
                    python:
                      paths: [{tmp_path}]
            """)
    )
    build = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")]
    proc = subprocess.run(
        build,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(tmp_path), "NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode != 0
    assert "index.md: demo_api.bare is documented but has no docstring" in proc.stderr
    assert "demo_api.documented" not in proc.stderr
    assert proc.stderr.count("WARNING") == 1  # nothing else failed the build


def test_a_notebook_page_shows_its_stored_outputs_without_running_it():
    notebook = nbformat.v4.new_notebook()
    png = b"\x89PNG\r\n\x1a\nfake"
    code = nbformat.v4.new_code_cell("print(1)\nraise SystemExit  # never run")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="\x1b[31m1\x1b[0m\n"),
        nbformat.v4.new_output(
            "display_data", data={"image/png": base64.b64encode(png).decode(), "text/plain": "fig"}
        ),
        nbformat.v4.new_output("display_data", data={"text/html": "<table></table>", "text/plain": "df"}),
    ]
    notebook.cells = [nbformat.v4.new_markdown_cell("# Study"), code]
    path = Path(__file__).parent / "_demo.ipynb"
    try:
        nbformat.write(notebook, path)
        page, images = hooks.notebook_markdown(path)
    finally:
        path.unlink()
    assert page.startswith(
        "# Study\n\n```python\nprint(1)\nraise SystemExit  # never run\n```\n\n```text\n1\n```"
    )
    assert images == {"_demo_output_0.png": png} and "![output](_demo_output_0.png)" in page
    assert '<div class="notebook-output" markdown="0">\n<table></table>\n</div>' in page


def test_field_lines_of_a_docstring_become_a_list_and_literal_blocks_stay():
    spec = importlib.util.spec_from_file_location("griffe_fields", ROOT / "docs" / "griffe_fields.py")
    fields = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fields)
    text = "Summary.\nx: the point\n    (continued)\nfun, nit: the loss\nAfter.\n\nGrid::\n\n    name: kept\n"
    assert fields.as_lists(text).splitlines() == [
        "Summary.",
        "",
        "- **x**: the point",
        "    (continued)",
        "- **fun, nit**: the loss",
        "",
        "After.",
        "",
        "Grid::",
        "",
        "    name: kept",
    ]
