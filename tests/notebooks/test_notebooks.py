"""The notebooks run end to end at SMOKE size (as CI's test command) and draw every
figure that the committed full-size run drew, as readable images."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
from pathlib import Path

import matplotlib.image
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
_spec = importlib.util.spec_from_file_location("notebook_execute", NOTEBOOKS / "execute.py")
notebook_execute = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notebook_execute)

# notebook -> prefix of the figures it saves in FIGURES_DIR
FIGURE_PREFIXES = {
    "shot_budgets": "shot_budgets_",
    "classical_validation": "classical_",
    "zo_scaling": "zo_scaling_",
    "optimizer_benchmark": "optimizer_benchmark_",
}


# The smoke runs are in the slow suite (`make test-slow`): shot_budgets takes minutes (80
# sampled-VQE runs), classical_validation and zo_scaling about 20 s each, which kept a fresh
# clone's default suite above 6 minutes on 2 cores (6:16). In the default suite
# test_notebook_code_compiles_and_names_what_exists checks every notebook's code, imports and
# the optimizer/objective names its configs use. optimizer_benchmark's smoke size (tuning,
# evaluation and a MaxCut reference, 64 runs) took 3 to 6 minutes on this box under load.
SLOW = {"shot_budgets", "classical_validation", "zo_scaling", "optimizer_benchmark"}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=[pytest.mark.slow] * (n in SLOW)) for n in sorted(FIGURE_PREFIXES)]
)
def test_notebook_runs_at_smoke_size_and_draws_its_figures(name: str, tmp_path: Path) -> None:
    figures = tmp_path / "figures"
    overrides = {"SMOKE": True, "FIGURES_DIR": str(figures), "WORK_DIR": str(tmp_path / "work")}
    out = tmp_path / f"{name}.ipynb"
    notebook_execute.execute(NOTEBOOKS / f"{name}.ipynb", overrides, out=out, timeout=900)

    drawn = {p.name for p in figures.glob("*.png")}
    committed = {p.name for p in (NOTEBOOKS / "figures").glob(f"{FIGURE_PREFIXES[name]}*.png")}
    assert committed, f"no committed figures notebooks/figures/{FIGURE_PREFIXES[name]}*.png"
    assert drawn == committed
    for png in sorted(figures.glob("*.png")):
        height, width = matplotlib.image.imread(png).shape[:2]
        assert height >= 200 and width >= 200, f"{png.name} is {width}x{height}"


def code_cells(name: str) -> list[str]:
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    return ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]


@pytest.mark.parametrize("name", sorted(FIGURE_PREFIXES))
def test_notebook_code_compiles_and_names_what_exists(name: str) -> None:
    """Without running a notebook: its cells compile, what it imports from the project exists,
    and every ``"name": "..."`` in its configs is a registered optimizer or objective."""
    from zeroth_q import objective_names, optimizer_names

    registered = {*optimizer_names(), *objective_names()}
    for source in code_cells(name):
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module.split(".")[0] in PROJECT:
                module = importlib.import_module(node.module)
                for alias in node.names:
                    assert hasattr(module, alias.name), f"{name}: {node.module} has no {alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in PROJECT:
                        importlib.import_module(alias.name)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if _constant(key) == "name" and isinstance(_constant(value), str):
                        assert _constant(value) in registered, f"{name}: unknown name {_constant(value)!r}"


PROJECT = {"zeroth_q", "circuits", "classical"}


def _constant(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


@pytest.mark.parametrize("path", sorted((NOTEBOOKS / "grids").rglob("*.json")), ids=lambda p: p.stem)
def test_every_grid_file_a_notebook_runs_is_a_valid_sweep(path: Path) -> None:
    """The grid files are the notebooks' run definitions (and cache keys): each validates in full,
    and its runs' names are distinct, so no two runs share a run directory."""
    from zeroth_q.sweep import read_grid

    members = read_grid(path).members(progress=False)
    assert members and len({m.name for m in members}) == len(members)


def test_a_smoke_run_from_the_command_line_writes_nothing_beside_the_notebook(tmp_path, monkeypatch) -> None:
    """``execute.py NB --smoke`` without ``--out``: the executed notebook, its figures and its
    runs all go to a new temporary folder; the notebook's own file and folders are untouched
    (before, it wrote the SMOKE outputs over the committed notebook and its figures)."""
    import nbformat

    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    monkeypatch.setattr(notebook_execute.tempfile, "tempdir", None)  # re-read TMPDIR
    home = tmp_path / "notebooks"
    home.mkdir()
    parameters = nbformat.v4.new_code_cell(
        'SMOKE = False\nFIGURES_DIR = "figures"\nWORK_DIR = "../runs"', metadata={"tags": ["parameters"]}
    )
    body = nbformat.v4.new_code_cell(
        "from pathlib import Path\n"
        "Path(FIGURES_DIR).mkdir(parents=True)\n"
        "(Path(FIGURES_DIR) / 'drawn.png').write_bytes(b'png')\n"
        "Path(WORK_DIR).mkdir(parents=True)\n"
        "print(SMOKE)"
    )
    path = home / "tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[parameters, body]), path)
    committed = path.read_bytes()

    assert notebook_execute.main([str(path), "--smoke"]) == 0

    assert path.read_bytes() == committed
    assert sorted(p.name for p in home.iterdir()) == ["tiny.ipynb"]
    assert not (tmp_path / "runs").exists()
    (scratch,) = (tmp_path / "scratch").iterdir()
    assert (scratch / "figures" / "drawn.png").is_file() and (scratch / "runs").is_dir()
    executed = nbformat.read(scratch / "tiny.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "True\n"
