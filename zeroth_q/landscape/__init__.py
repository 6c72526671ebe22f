"""Optimizer paths on a loss landscape, ``python -m zeroth_q.landscape``.

Modules, one job each: :mod:`~zeroth_q.landscape.planes` (planes through parameter space),
:mod:`~zeroth_q.landscape.tracing` (one run per optimizer, iterates and losses),
:mod:`~zeroth_q.landscape.surface` (the loss on a grid), :mod:`~zeroth_q.landscape.view`
(axis limits, clipped excursions), :mod:`~zeroth_q.landscape.study` (options to a computed
landscape), :mod:`~zeroth_q.landscape.drawing` (PNG and GIF), :mod:`~zeroth_q.landscape.cli`.
"""
