"""Machinery shared by every experiment: flags, results store, sweeps, plots, stats, claims."""
