"""Code shared by the SGD-noise pillar's experiments: SGD machinery, FC network, data, figures."""
