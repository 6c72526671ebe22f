"""Adapters to other libraries' interfaces (``scipy.optimize.minimize(method=...)``)."""
