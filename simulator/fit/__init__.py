"""Observed durations -> the scenario's latency settings: censored samples (`sample`),
maximum-likelihood fits of the positive families the scenario format has (`families`),
and their check and intervals by a parametric bootstrap (`goodness`).

A layer of its own beside `analysis`: it may import `engine.distributions` (whose
parameterisations its fits are written in), numpy, SciPy and pandas, never SimPy.
"""
