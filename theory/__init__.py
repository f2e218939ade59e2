"""Closed-form theory for the suite: pure jax.numpy functions, no I/O, no flags, x64-safe."""
