"""Code the superposition experiments share: feature sampler, TMS toy model, figure style."""
