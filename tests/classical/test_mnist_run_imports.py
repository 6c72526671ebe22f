"""The MNIST run path imports no circuit backend, no scipy.optimize and no matplotlib.

A command-line MNIST run used to spend about 1.3 s of its 5.7 s importing (issue 29): 0.9 s of
it ``scipy.optimize``, pulled in by the optimizer registry. The run below is a real one, in a
fresh interpreter, through ``zeroth_q.cli.main``; the curve's drawing records which modules
were loaded when it started. The curve is drawn with Pillow: ``import matplotlib`` alone took
0.29 s of CPU (issue 29).
"""

import json
import subprocess
import sys

HEAVY = ("qiskit", "qiskit_aer", "pennylane", "matplotlib", "scipy.optimize")

RUN = """
import json, sys
import zeroth_q.runs.directory as run_directory
from zeroth_q.cli.main import main

draw = run_directory.plot_curve
seen = {}

def plot_curve(*args, **kwargs):
    seen["before_plot"] = sorted(m for m in HEAVY if m in sys.modules)
    draw(*args, **kwargs)

run_directory.plot_curve = plot_curve
code = main(["--objective", "mnist", "--optimizer", "zo-adam", "--steps", "3", "--set", "hidden=[]",
             "--no-progress", "--out", OUT])
seen["code"] = code
seen["after_run"] = sorted(m for m in HEAVY if m in sys.modules)
print(json.dumps(seen))
"""


def test_the_mnist_run_imports_no_backend_and_no_matplotlib(tmp_path):
    code = f"HEAVY = {HEAVY!r}; OUT = {str(tmp_path / 'run')!r}\n" + RUN
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    seen = json.loads(completed.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0
    assert seen["before_plot"] == []
    assert seen["after_run"] == []
    assert (tmp_path / "run" / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
