"""Benchmark: Liu et al.'s toy models trained as one vmapped sweep vs one model at a time.

    python benchmarks/superposition.py [--steps 300] [--torch_steps 100] [--batch 2048]

Trains the same set of models (n = 1000 features with p_i ∝ 1/i, widths m ∈ {10, 15, 25, 39,
63, 100}, three weight decays γ ∈ {−1, 1/9, 1}, batch 2048) two ways and prints model-steps per
second of each and their ratio:

(a) this suite's sweep (``experiments.superposition.liu_scaling.model.train_sweep``): per width
    one jitted program, ``lax.scan`` over steps, ``vmap`` over the three γ, data drawn on device
    with one 32-bit word per entry and shared by the models of a step (common random numbers);
(b) the paper's released-code pattern (PyTorch on CPU; ``benchmarks/superposition_torch.py``): a
    Python loop over models and steps, a fresh batch per model and step from two uniforms, the
    modified AdamW. Needs the optional extra: ``pip install -c constraints.txt -e .[bench]``;
    skipped with a message when PyTorch is missing.

Both use every core of the machine (XLA's and PyTorch's default thread pools; torch is told the
core count explicitly). (a) is timed after a warm-up call that compiles; compile time is printed
separately. (b) runs fewer steps per model (``--torch_steps``) because its rate is constant per
step. Run it on an otherwise idle machine.

Measured 2026-11-26 on the idle 2-core development machine (``--steps 200 --torch_steps 40``):
(a) 30.7 model-steps/s (117 s steady; first call with compilation 139 s), (b) 16.6 model-steps/s:
ratio 1.9x. Bound: a model-step is ≈ 1.0 GFLOP of dense matmuls (average m = 42), so (a) runs at
≈ 32 GFLOP/s and (b) at ≈ 17 GFLOP/s against ≈ 78 GFLOP/s measured for XLA matmuls of these
shapes here; shared data draws remove the sampling cost, not the arithmetic of separate models.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import superposition_torch  # noqa: E402

from experiments.superposition.liu_scaling import model as liu_model  # noqa: E402
from experiments.superposition.shared.sampler import thresholds_to_device  # noqa: E402
from theory.superposition import feature_probabilities  # noqa: E402

WIDTHS = (10, 15, 25, 39, 63, 100)
GAMMAS = (-1.0, 1.0 / 9.0, 1.0)


def time_sweep(p: np.ndarray, *, batch: int, steps: int, warmup: int) -> tuple[float, float]:
    """(compile-and-run seconds of a first call, steady seconds of a second call) for all
    widths; each width is one jitted program over the γ axis."""
    thresholds = jnp.broadcast_to(thresholds_to_device(p), (len(GAMMAS), p.size))
    gammas = jnp.asarray(GAMMAS, jnp.float32)

    def run_all(seed: int) -> float:
        start = time.perf_counter()
        for m in WIDTHS:
            out = liu_model.train_sweep(thresholds, gammas, jax.random.key(seed), m=m, batch=batch,
                                   steps=steps, warmup=warmup, lr_w=1e-2, lr_b=1e-2,
                                   curve_every=steps)
            out["W"].block_until_ready()
            if not np.all(np.isfinite(np.asarray(out["curve"]))):
                raise FloatingPointError(f"non-finite training loss at m = {m}")
        return time.perf_counter() - start

    first = run_all(0)
    return first, run_all(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=300, help="steps per model, JAX sweep")
    parser.add_argument("--torch_steps", type=int, default=100, help="steps per model, PyTorch")
    parser.add_argument("--batch", type=int, default=2048)
    args = parser.parse_args()
    if args.steps < 2 or args.torch_steps < 2 or args.batch < 1:
        parser.error("--steps and --torch_steps must be >= 2 and --batch >= 1")

    p = feature_probabilities(1000, alpha=1.0)
    models = len(WIDTHS) * len(GAMMAS)
    cores = os.cpu_count() or 1
    print(f"{models} models (n = 1000, m in {WIDTHS}, gamma in (-1, 1/9, 1)), batch {args.batch};"
          f" {cores} cores; jax {jax.__version__} on {jax.devices()[0].platform}")

    first, steady = time_sweep(p, batch=args.batch, steps=args.steps,
                               warmup=max(1, args.steps // 10))
    jax_rate = models * args.steps / steady
    print(f"(a) vmapped sweep: {steady:.2f} s for {models * args.steps} model-steps "
          f"-> {jax_rate:.1f} model-steps/s (first call incl. compilation {first:.2f} s)")

    if not superposition_torch.torch_available():
        print("(b) skipped: PyTorch is not installed "
              "(pip install -c constraints.txt -e '.[bench]' adds it)")
        return
    seconds, done = superposition_torch.time_models(
        p, list(WIDTHS), list(GAMMAS), batch=args.batch, steps=args.torch_steps,
        warmup=max(1, args.torch_steps // 10), threads=cores)
    torch_rate = done / seconds
    print(f"(b) PyTorch, one model at a time: {seconds:.2f} s for {done} model-steps "
          f"-> {torch_rate:.1f} model-steps/s")
    print(f"ratio (a)/(b): {jax_rate / torch_rate:.1f}x model-steps per second")


if __name__ == "__main__":
    main()
