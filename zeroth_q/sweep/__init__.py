"""Sweeps: grids of runs (optimizer × hyper-parameters × seeds × shot budgets) on all cores
or a Dask cluster, fault-tolerant and resumable.

Command line::

    python -m zeroth_q.sweep GRID.json                          # a process pool on all cores
    python -m zeroth_q.sweep GRID.json --workers 4 --out sweeps/lr
    python -m zeroth_q.sweep GRID.json --scheduler local-dask   # a Dask LocalCluster
    python -m zeroth_q.sweep GRID.json --scheduler tcp://head:8786
    python -m zeroth_q.sweep GRID.json --resume                 # continue interrupted runs

From Python (a notebook)::

    from zeroth_q.sweep import run_sweep, load
    outcome = run_sweep(grid_dict, "sweeps/lr", workers=2)
    table = load("sweeps/lr")                  # pandas DataFrame (list of dicts without pandas)

The grid file (JSON)::

    {
      "name": "lr-vs-optimizer",                        optional; default: the file's stem
      "base": {"objective": {"name": "quadratic", "dim": 10},
               "budget": {"steps": 200}},               a run config, as zeroth_q.run --config
      "axes": {"optimizer.name": ["spsa", "zo-adam"],   dotted path -> list of values;
               "seed": [0, 1, 2]},                      the runs are the cartesian product
      "zip": [{"optimizer.lr": [0.1, 0.01],             optional: keys whose lists advance
               "optimizer.perturbations": [1, 10]}],    together, one more factor each group
      "metric": "exact_loss"                            optional: the comparison plot's y;
    }                                                   default the objective's main metric

Axis keys are paths into the run config: ``seed``, ``metrics_every``, ``objective.KEY``,
``optimizer.name``, ``optimizer.KEY`` (any parameter the optimizer accepts: ``lr``,
``perturbations``, ``estimator.c``), ``budget.steps``, ``budget.shots``... Every run's
config is validated before anything runs.

The sweep directory holds one run directory per run (as ``zeroth_q.run`` writes it, plus
``traceback.txt`` if it raised), named from its axis values (``optimizer.name=spsa,seed=0``);
``sweep.json`` (the grid and each run's status, rewritten as runs end); and at the end
``results.csv`` (one row per run: axis values, status, error, summary fields),
``comparison.png`` (each setting's final metric, :mod:`zeroth_q.sweep.comparison`) and
``cost_curves.png`` (its metric against the cost spent, :mod:`zeroth_q.sweep.cost_curves`).

Comparing two runs' loss curves, the zeroth-order slowdown (steps to one absolute target loss,
ZO over first-order) and its power law in the parameter count are
:mod:`zeroth_q.sweep.slowdown`.

Dask is optional (``pip install 'zeroth-q[dask]'``); this package imports it only when a
scheduler is asked for, and pandas only in :func:`load`.
"""

from zeroth_q.sweep.engine import SweepOutcome, run_sweep
from zeroth_q.sweep.grid import Grid, Member, read_grid
from zeroth_q.sweep.slowdown import PowerLaw, Slowdown, power_law_fit, slowdown, target_at_horizon
from zeroth_q.sweep.sweepdir import load

__all__ = [
    "Grid",
    "Member",
    "PowerLaw",
    "Slowdown",
    "SweepOutcome",
    "load",
    "power_law_fit",
    "read_grid",
    "run_sweep",
    "slowdown",
    "target_at_horizon",
]
