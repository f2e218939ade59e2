"""Benchmark: Chinchilla Approach-3 multi-start fit, vmapped JAX L-BFGS vs SciPy in a loop.

    python benchmarks/scaling_fit.py [--quick] [--steps 500]

Runs Hoffmann's full 4500-point grid of initialisations (``--quick``: 256 of them) on Epoch's
240 points: (1) all starts at once with ``experiments.scaling_laws.shared.fit.lbfgs_fit`` (one
``jit(vmap)`` of the one-evaluation-per-step L-BFGS under ``lax.scan``, closed-form gradient),
(2) the same starts one at a time with ``scipy.optimize.minimize(method="L-BFGS-B")`` and the
exact gradient (jitted ``jax.value_and_grad``), as per-start research code does. Prints both
wall times (compile time of (1) reported separately), their ratio, the best objective and the
fraction of starts that reach it. Do not run it beside other heavy jobs; print the load.
"""

from __future__ import annotations

import argparse
import os
import time

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

from experiments.scaling_laws.chinchilla_fit.compute import load_data  # noqa: E402
from experiments.scaling_laws.shared import fit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="256 random grid starts")
    parser.add_argument("--steps", type=int, default=500, help="evaluations per start (JAX)")
    args = parser.parse_args()
    raw = load_data()
    keep = raw["keep"]
    data = fit.make_data(raw["N"][keep], raw["D"][keep], raw["loss"][keep])
    starts = (fit.chinchilla_grid(256, jax.random.key(0)) if args.quick
              else fit.chinchilla_grid("full"))
    print(f"load average before: {os.getloadavg()}; starts: {len(starts)}")

    def objective(p, logN, logD, logL):
        return fit.huber_objective(p, logN, logD, logL)

    # Compile once on a 1-row call of the same shape class, then time the full batch. The
    # batch shape differs, so a second full call is timed to separate compile from run.
    t0 = time.perf_counter()
    out = fit.lbfgs_fit(objective, starts, data, args.steps, closed_form_grad=True)
    first = time.perf_counter() - t0
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    out = fit.lbfgs_fit(objective, starts, data, args.steps, closed_form_grad=True)
    jax_time = time.perf_counter() - t0
    jax_cpu = time.process_time() - cpu0
    best = float(np.min(out["objective"]))
    frac = float(np.mean(out["objective"] <= best * (1 + 1e-6)))
    print(f"JAX vmapped L-BFGS: {jax_time:.1f} s wall ({jax_cpu:.1f} s CPU; first call incl. "
          f"compile {first:.1f} s); best J {best:.10e}; reached by {frac:.3f}")

    cpu0 = time.process_time()
    t0 = time.perf_counter()
    scipy_j = []
    for start in starts:  # the baseline: one start at a time
        scipy_j.append(fit.scipy_lbfgsb_fit(start, data, "sum")["j_sum"])
    scipy_time = time.perf_counter() - t0
    scipy_cpu = time.process_time() - cpu0
    scipy_j = np.where(np.isfinite(scipy_j), scipy_j, np.inf)
    s_best = float(np.min(scipy_j))
    s_frac = float(np.mean(scipy_j <= s_best * (1 + 1e-6)))
    print(f"SciPy L-BFGS-B loop: {scipy_time:.1f} s wall ({scipy_cpu:.1f} s CPU); best J "
          f"{s_best:.10e}; reached by {s_frac:.3f}")
    print(f"ratio (SciPy loop / JAX vmapped, wall): {scipy_time / jax_time:.2f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
