"""The run loop: ``minimize``, budgets, results, callbacks and checkpoints.

It runs any :class:`~zeroth_q.optimizer.Optimizer` object and never imports the catalogue of
named optimizers; names are resolved in :mod:`zeroth_q` and the CLI.
"""
