"""Optimizer paths on a 2-D slice of a loss landscape: ``python -m zeroth_q.landscape``."""
