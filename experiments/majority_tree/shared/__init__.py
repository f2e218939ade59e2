"""Code shared by the majority-tree experiments: provenance, statistics, flags, MC, plot style."""
