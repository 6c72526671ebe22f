"""``python -m zeroth_q.run``: run configuration, run directory, plots and the command line."""
