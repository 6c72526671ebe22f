"""The notebooks run end to end at SMOKE size (as CI's test command) and draw every
figure that the committed full-size run drew, as readable images."""

from __future__ import annotations

import importlib.util
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
}


@pytest.mark.parametrize("name", sorted(FIGURE_PREFIXES))
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
