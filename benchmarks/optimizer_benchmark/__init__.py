"""The optimizer benchmark of issue 30: every method tuned with equal effort, then run on paired
seeds over the field's problems, all through the sweep engine (whose run directories, keyed by
the full config and the library version, are the cache and make every stage resumable).

* :mod:`.suite`: the problems (with their targets), the methods (with their search spaces), and
  the sizes (``full``: the issue's; ``executed``: what the committed notebook ran; ``smoke``).
* :mod:`.harness`: tuning (Optuna's seeded TPE over sweeps), evaluation (one sweep per
  problem, method and variant over the evaluation seeds) and the anchors' stage.
* :mod:`.anchors`: the anchors' own implementations (qiskit-algorithms, PennyLane, pycma) run
  on our objective with our start points and shot accounting, as extra rows.
* :mod:`.analysis`: readings at shot budgets, bootstrap intervals, paired Wilcoxon tests with
  Holm's correction, shots to target, data and performance profiles.
* :mod:`.migrate`: the one-time renaming of run directories cached before December 2026.

Run a size from the repository's root (a killed run continues where it stopped)::

    python -m benchmarks.optimizer_benchmark --size full --workers 2
"""
