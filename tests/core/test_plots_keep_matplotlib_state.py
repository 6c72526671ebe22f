"""Plots are drawn on bare Figures: a user's backend and open pyplot figures survive every tool.

Run in a fresh interpreter whose backend is ``svg`` (non-interactive, so no display is
needed, and not Agg, so that a stray ``matplotlib.use("Agg")`` would show): the user opens a
pyplot figure, then a run (curve.png), a sweep (comparison.png, through a thread pool so it
stays in this process) and a landscape (paths.png, journey.gif) each draw their plots.
"""

import json
import subprocess
import sys

SCRIPT = """
import json, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib
matplotlib.use("svg")
import matplotlib.pyplot as plt

from zeroth_q import RunConfig
from zeroth_q.runs.execute import execute
from zeroth_q.landscape.cli import main as landscape
from zeroth_q.sweep import run_sweep

out = Path(sys.argv[1])
mine = plt.figure()
plt.plot([0, 1], [1, 0])
base = {"objective": {"name": "quadratic", "dim": 2, "noise": 0.1}, "budget": {"steps": 5}}
execute(RunConfig.from_dict({**base, "optimizer": {"name": "zo-adam"}}), out / "run", progress=False)
grid = {"base": base, "axes": {"optimizer.name": ["zo-sgd", "zo-adam"]}}
with ThreadPoolExecutor(1) as pool:
    run_sweep(grid, out / "sweep", executor=pool, progress=False)
code = landscape(["--objective", "rosenbrock", "--train", "0,1", "--optimizers", "adam", "--steps", "5",
                  "--resolution", "8", "--size", "200x150", "--out", str(out / "landscape")])
print(json.dumps({
    "backend": matplotlib.get_backend(),
    "figures": plt.get_fignums(),
    "mine_open": plt.fignum_exists(mine.number),
    "landscape_exit": code,
    "files": sorted(p.name for p in out.rglob("*.png")) + sorted(p.name for p in out.rglob("*.gif")),
}))
"""


def test_run_sweep_and_landscape_leave_the_backend_and_user_figures_alone(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["landscape_exit"] == 0
    assert report["backend"] == "svg"
    assert report["figures"] == [1] and report["mine_open"]
    assert {"curve.png", "comparison.png", "paths.png", "journey.gif"} <= set(report["files"])
