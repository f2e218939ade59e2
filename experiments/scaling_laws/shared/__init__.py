"""Code shared by the experiments of the scaling-law pillar (fits, provenance, figure style)."""
