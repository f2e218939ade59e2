"""Experiments of the ML-theory validation suite: one package per pillar, one module per experiment.

Every experiment is an absl program run as ``python -m experiments.<pillar>.<experiment>``; the
shared machinery (flags, results store, sweeps, plotting, statistics, claims, report) lives in
``experiments.common``. ``experiments.registry`` lists what ``run_all.sh`` runs.
"""
