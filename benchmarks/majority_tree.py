"""Benchmark: vmapped JAX Monte Carlo of explicit majority trees vs the straightforward NumPy
alternative (one configuration at a time in a Python loop, as per-configuration research code
does), on the same sweep.

    python benchmarks/majority_tree.py [--configs 16] [--trials 4000] [--fanin 3] [--depth 7]

Prints the wall time of each, their ratio, the leaves simulated per second, and the engine's
rate of random words against drawing the same words alone (the engine is bound by random-number
generation, not arithmetic, so that is its yardstick rather than matmul FLOP/s; the matmul rate
is printed for context only). Do not run it beside other heavy jobs.
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)

from experiments.majority_tree.shared import binary_monte_carlo as mc_binary  # noqa: E402
from theory.superposition import sampler_thresholds  # noqa: E402


def numpy_one_config(rng: np.random.Generator, p0: float, gamma: float, rho: float, *, b: int,
                     depth: int, trials: int, t_chunk: int) -> np.ndarray:
    """The same generative model, one configuration, plain NumPy (the baseline)."""
    t_leaf, t_flip, t_shock = (sampler_thresholds(v) for v in (p0, (1 - gamma) / 2, rho))
    counts = np.zeros(depth + 1, np.int64)
    for _ in range(trials // t_chunk):
        x = rng.integers(0, 2**32, (t_chunk, b**depth), dtype=np.uint32) < t_leaf
        counts[0] += x.sum()
        for level in range(depth):
            parents = b ** (depth - level - 1)
            flips = rng.integers(0, 2**32, (t_chunk, parents, b), dtype=np.uint32) < t_flip
            shock = rng.integers(0, 2**32, (t_chunk, parents), dtype=np.uint32) < t_shock
            received = x.reshape(t_chunk, parents, b) ^ flips
            x = np.where(shock, received[..., 0], received.sum(-1) > b // 2)
            counts[level + 1] += x.sum()
    return counts


def bits_per_second(words_per_chunk: int, configs: int, chunks: int = 64) -> float:
    """Threefry words/s drawn exactly as the engine draws them (same chunk, vmapped configs,
    non-partitionable layout) and only compared with a threshold: the engine's roofline."""

    def one_config(key):
        def body(i, total):
            with jax.threefry_partitionable(False):
                words = jax.random.bits(jax.random.fold_in(key, i), (words_per_chunk,),
                                        jnp.uint32)
            return total + (words < 7).sum(dtype=jnp.int64)

        return jax.lax.fori_loop(0, chunks, body, jnp.int64(0))

    draw = jax.jit(jax.vmap(one_config))
    keys = jax.vmap(jax.random.key)(jnp.arange(configs))
    draw(keys).block_until_ready()
    start = time.perf_counter()
    draw(keys).block_until_ready()
    return configs * chunks * words_per_chunk / (time.perf_counter() - start)


def matmul_flops(n: int = 1024) -> float:
    a = jnp.ones((n, n), jnp.float32)
    mm = jax.jit(lambda x: x @ x)
    mm(a).block_until_ready()
    start = time.perf_counter()
    for _ in range(5):
        mm(a).block_until_ready()
    return 5 * 2 * n**3 / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=16)
    parser.add_argument("--trials", type=int, default=4000)
    parser.add_argument("--fanin", type=int, default=3)
    parser.add_argument("--depth", type=int, default=7)
    parser.add_argument("--chunk_elems", type=int, default=2**15,
                        help="leaves per chunk of the JAX engine (its CPU default)")
    parser.add_argument("--numpy_chunk_elems", type=int, default=2**20,
                        help="leaves per chunk of the NumPy loop (large: fewer Python steps)")
    args = parser.parse_args()
    b, depth, n = args.fanin, args.depth, args.configs
    rng = np.random.default_rng(0)
    p0 = rng.uniform(0.45, 0.55, n)
    gamma = rng.uniform(0.6, 1.0, n)
    rho = rng.uniform(0.0, 0.5, n)
    kwargs = dict(b=b, depth=depth, trials=args.trials, streams=1, seed=0,
                  chunk_elems=args.chunk_elems, config_batch=n)
    t_chunk = mc_binary.trees_per_chunk(b, depth, args.chunk_elems, args.trials)
    trials = mc_binary.stream_trials(args.trials, 1, t_chunk)
    leaves = n * trials * b**depth

    start = time.perf_counter()
    mc_binary.simulate_group(p0, gamma, rho, np.arange(n), **kwargs)
    first = time.perf_counter() - start
    start = time.perf_counter()
    mc_binary.simulate_group(p0, gamma, rho, np.arange(n, 2 * n), **kwargs)
    steady = time.perf_counter() - start

    numpy_chunk = mc_binary.trees_per_chunk(b, depth, args.numpy_chunk_elems, trials)
    numpy_trials = -(-trials // numpy_chunk) * numpy_chunk
    start = time.perf_counter()
    for i in range(n):
        numpy_one_config(rng, p0[i], gamma[i], rho[i], b=b, depth=depth, trials=numpy_trials,
                         t_chunk=numpy_chunk)
    baseline = (time.perf_counter() - start) * trials / numpy_trials  # same number of trees

    words_per_leaf = mc_binary.words_per_tree(b, depth) / b**depth
    bit_rate = bits_per_second(t_chunk * mc_binary.words_per_tree(b, depth), n)
    print(f"sweep: {n} configurations, b = {b}, L = {depth}, T = {trials} trees each "
          f"({leaves:.3g} leaves); devices: {jax.device_count()} {jax.default_backend()}")
    print(f"numpy loop (one configuration at a time): {baseline:8.2f} s  "
          f"({leaves / baseline:.3g} leaves/s)")
    print(f"jax jit(vmap), steady state:              {steady:8.2f} s  "
          f"({leaves / steady:.3g} leaves/s)")
    print(f"jax jit(vmap), first call incl. compile:  {first:8.2f} s")
    print(f"speed-up vs numpy: {baseline / steady:.1f}x steady state, "
          f"{baseline / first:.1f}x including compilation")
    engine_words = leaves * words_per_leaf / steady
    print(f"random words: the engine consumes {engine_words:.3g} words/s ({words_per_leaf:.2f} per "
          f"leaf); drawing and thresholding the same chunks alone runs at {bit_rate:.3g} words/s "
          f"(ratio {engine_words / bit_rate:.2f}): the engine runs at the speed of its RNG")
    print(f"matmul (context): {matmul_flops() / 1e9:.1f} GFLOP/s float32 on this machine")


if __name__ == "__main__":
    main()
