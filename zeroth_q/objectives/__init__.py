"""Objectives by name (entry-point registry) and the core's own analytic test functions."""
