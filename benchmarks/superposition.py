"""Benchmark: Liu et al.'s toy models trained as the suite's sweep vs one model at a time.

    python benchmarks/superposition.py [--steps 200] [--dense_steps 100] [--torch_steps 40]
                                       [--batch 2048] [--profile]

Trains the same set of models (n = 1000 features with p_i ∝ 1/i, widths m ∈ {10, 15, 25, 39,
63, 100}, three weight decays γ ∈ {−1, 1/9, 1}, batch 2048) and prints, one line each, model-steps
per second of (a) and (b), their ratio, and (a)'s fraction of the matmul roofline measured here:

(a) this suite's sweep (``experiments.superposition.liu_scaling.model.train_widths``, what
    ``liu_scaling`` runs): one jitted program for all widths, ``lax.scan`` over steps, the models
    vmapped, the sparse encoder (each row's few active features as slots, the decoder fused per
    256-row chunk), one word per entry drawn once per step for all 18 models;
(a0) the same program with the dense encoder (``encoder="dense"``), the formulation before;
(b) the paper's released-code pattern (PyTorch on CPU; ``benchmarks/superposition_torch.py``): a
    Python loop over models and steps, a fresh batch per model and step from two uniforms, the
    modified AdamW. Needs ``pip install -c constraints.txt -e .[bench]``; skipped without it.

Roofline: the sweep's dense arithmetic is the decoder's three products per model-step (h·Wᵀ,
gᵀ·h, g·W: 3 × 2·B·n·(m + 1) FLOP); the roofline is the rate XLA reaches here on the same
products alone, batched over the three γ per width, measured in the same run.

Both use every core (XLA's and PyTorch's thread pools; torch is told the core count). Sweeps are
timed on a second call, after a first that compiles. ``--profile`` also times the pieces of one
step (m = 39, three models) for both encoders. Run it on an otherwise idle machine.

Measured 2026-12-07 on the idle 2-core development machine (defaults): see README
"Benchmarks" and the issue-15 closing note; before this step (dense encoder, one program per
width) the sweep ran at 30.7 model-steps/s, 1.9x the PyTorch pattern.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jax
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import superposition_profile  # noqa: E402
import superposition_torch  # noqa: E402

from experiments.superposition.liu_scaling import model as liu_model  # noqa: E402
from theory.superposition import feature_probabilities, sampler_thresholds  # noqa: E402

WIDTHS = (10, 15, 25, 39, 63, 100)
GAMMAS = (-1.0, 1.0 / 9.0, 1.0)


def time_sweep(thresholds: np.ndarray, *, batch: int, steps: int, encoder: str
               ) -> tuple[float, float]:
    """(first call incl. compilation, steady second call) seconds for all widths at once."""
    def run(seed: int) -> float:
        start = time.perf_counter()
        out = liu_model.train_widths(thresholds, np.asarray(GAMMAS, np.float32),
                                     jax.random.key(seed), widths=WIDTHS, batch=batch,
                                     steps=steps, warmup=max(1, steps // 10), lr_w=1e-2,
                                     lr_b=1e-2, curve_every=steps, encoder=encoder)
        jax.block_until_ready(out)
        if not all(np.all(np.isfinite(np.asarray(o["curve"]))) for o in out):
            raise FloatingPointError(f"non-finite training loss ({encoder} encoder)")
        return time.perf_counter() - start

    first = run(0)
    return first, run(1)


def decoder_flop(batch: int, n: int) -> float:
    """FLOP of the decoder's three products for one model of each width (one step)."""
    return float(sum(3 * 2 * batch * n * (m + 1) for m in WIDTHS))


def matmul_roofline(batch: int, n: int, reps: int = 20) -> float:
    """GFLOP/s XLA reaches here on h·Wᵀ products of the sweep's shapes, three γ batched."""
    flop, seconds = 0.0, 0.0
    for m in WIDTHS:
        h = jax.random.normal(jax.random.key(m), (len(GAMMAS), batch, m + 1))
        w_t = jax.random.normal(jax.random.key(m + 1), (len(GAMMAS), m + 1, n))
        product = jax.jit(lambda a, b: a @ b)
        product(h, w_t).block_until_ready()
        start = time.perf_counter()
        for _ in range(reps):
            out = product(h, w_t)
        out.block_until_ready()
        seconds += time.perf_counter() - start
        flop += reps * len(GAMMAS) * 2 * batch * n * (m + 1)
    return flop / seconds / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=200, help="steps per model, sparse sweep")
    parser.add_argument("--dense_steps", type=int, default=100,
                        help="steps per model, dense sweep (0 skips it)")
    parser.add_argument("--torch_steps", type=int, default=40, help="steps per model, PyTorch")
    parser.add_argument("--batch", type=int, default=2048)
    parser.add_argument("--profile", action="store_true", help="also time the pieces of a step")
    args = parser.parse_args()
    if args.steps < 2 or args.torch_steps < 2 or args.batch < 1 or args.dense_steps < 0:
        parser.error("--steps and --torch_steps must be >= 2, --dense_steps >= 0, --batch >= 1")

    n = 1000
    p = feature_probabilities(n, alpha=1.0)
    thresholds = np.broadcast_to(sampler_thresholds(p), (len(GAMMAS), n)).copy()
    models = len(WIDTHS) * len(GAMMAS)
    print(f"{models} models (n = {n}, m in {WIDTHS}, gamma in (-1, 1/9, 1)), batch {args.batch};"
          f" {os.cpu_count()} cores; jax {jax.__version__} on {jax.devices()[0].platform}")

    first, steady = time_sweep(thresholds, batch=args.batch, steps=args.steps, encoder="sparse")
    sweep_rate = models * args.steps / steady
    if args.dense_steps:
        _, dense = time_sweep(thresholds, batch=args.batch, steps=args.dense_steps,
                              encoder="dense")
        dense_rate = models * args.dense_steps / dense
        print(f"(a0) dense-encoder sweep: {dense_rate:.1f} model-steps/s "
              f"(the sparse step is {sweep_rate / dense_rate:.2f}x faster)")
    print(f"(a) sweep: {sweep_rate:.1f} model-steps/s ({models * args.steps} model-steps in "
          f"{steady:.1f} s; first call incl. compilation {first:.1f} s)")
    if superposition_torch.torch_available():
        seconds, done = superposition_torch.time_models(
            p, list(WIDTHS), list(GAMMAS), batch=args.batch, steps=args.torch_steps,
            warmup=max(1, args.torch_steps // 10), threads=os.cpu_count() or 1)
        torch_rate = done / seconds
        print(f"(b) authors' pattern (PyTorch, one model at a time): {torch_rate:.1f} "
              "model-steps/s")
        print(f"ratio (a)/(b): {sweep_rate / torch_rate:.2f}x model-steps per second")
    else:
        print("(b) skipped: PyTorch is not installed "
              "(pip install -c constraints.txt -e '.[bench]' adds it)")
    roofline = matmul_roofline(args.batch, n)
    achieved = decoder_flop(args.batch, n) * len(GAMMAS) * args.steps / steady / 1e9
    print(f"roofline: the sweep's decoder arithmetic runs at {achieved:.1f} GFLOP/s = "
          f"{100 * achieved / roofline:.0f} % of the {roofline:.1f} GFLOP/s XLA's matmuls reach "
          "on these shapes here")
    if args.profile:
        superposition_profile.report(args.batch, n, m=39, models=len(GAMMAS))


if __name__ == "__main__":
    main()
