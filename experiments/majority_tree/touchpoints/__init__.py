"""Empirical touchpoints: three mechanisms of the model against Kim et al. (qualitative).

Paper: Liu, Kong & Pei, "Phase Transition for Budgeted Multi-Agent Synergy", arXiv:2601.17311,
§6 "Empirical Touchpoints" [abstract]: the same mechanisms are said to explain the dominant
bottlenecks of large matched-budget studies of LLM agents: (A) context saturation, (B) subcritical
error cascades, (C) diminishing returns at strong baselines. The study compared with is Kim et al.,
"Towards a Science of Scaling Agent Systems", arXiv:2512.08296 **v2** (17 Dec 2025), with the v1
abstract values alongside; v3 is not used. Claims: touchpoints.context_saturation,
touchpoints.subcritical_cascade, touchpoints.strong_baseline, touchpoints.kim_record.

Everything here is **qualitative**. Model-side numbers are exact float64 recursions of
``theory.majority_tree`` (no Monte Carlo, no seed); Kim et al.'s numbers are read from
``data/kim2025_scaling_agents.json`` (resolved from the suite root) and never fitted. Their success
rates and error amplification are not the binary-vote quantities of the model. Their ≈ 45 %
capability threshold is not reproduced: in the model gains turn negative only above
p* = (1 + μ*)/2 ≥ 1/2.

  (A) W = 4096, m = 512: ⌊W/m⌋ = 8, so a star takes odd N ≤ 7 and a tree has b = 7;
      γ(m) = 1 − e^(−m/300) = 0.8185, ρ = 0.2, p0 = 0.6. Star p(N) = ρq + (1−ρ)Maj_N(q),
      q = 1/2 + γ(p0 − 1/2): 0.5819 … 0.6558 (N = 7); ceiling (N → ∞, infeasible) 0.9164.
      Tree (b = 7, N = 7^L): 0.6558, 0.7348, 0.8293, 0.9108 (L = 4), 0.9540; p* = 0.9744.
  (B) A_e = (1 − p_L)/(1 − p0) at b = 3, ρ = 0.3, p0 = 0.9, L = 4, γ = 0.5 … 1.0:
      4.227, 3.491, 2.484, 1.385, 0.495, 0.021 (α = 0.675 … 1.35). A_e > 1 iff α ≤ 1 or μ0 > μ*.
  (C) gain p_L(p0) − p0 at b = 3, γ = 0.9, L = 3, ρ = 0 / 0.2 / 0.5 on p0 = 0.501 … 1.000:
      p* = 0.9900 / 0.9721 / 0.9141, argmax p0 ≈ 0.713 / 0.723 / 0.719, maxima 0.188 / 0.138 /
      0.059 (the argmax from a dense 2^14-point evaluation: p_L is concave in p0 on [1/2, 1]).

Conventions (spec §2.2): the common shock copies the *received* (post-channel) messages, which
reproduces the published α_ρ = γ[ρ + (1−ρ) f_b'(0)] (copying before the channel would give
ρ f_b(γ) + (1−ρ) γ f_b'(0)) [reconstructed]; the channel sits on the inputs and the root is not
transmitted [convention]; ρ is a per-node common shock, not a global latent [reconstructed]; the
star uses the same shock model with one aggregator of fan-in N; γ(m) = 1 − exp(−m/m0), m0 = 300
[convention]. The spec's expected values above apply to the preset knobs; with other knobs the
claims check only the structural relations and say so.

Knobs (flags, range-checked): --window_tokens W > 0 and --message_tokens m > 0 with W ≥ 3m,
--fidelity_m0, --fidelity_family, --saturation_rho/--saturation_p0/--saturation_depth (A),
--cascade_b/--cascade_rho/--cascade_p0 (< 1)/--cascade_depth/--cascade_gammas (B),
--baseline_b/--baseline_gamma/--baseline_rhos/--baseline_depth and --p0_step (C).

Run: ``python -m experiments.majority_tree.touchpoints --profile=cpu``. Runtime measured on 2 idle
CPU cores (whole process): smoke ≈ 7 s (p0 grid step 0.01), cpu ≈ 8 s, paper ≈ 8 s (cpu and
paper are identical: the computation is exact). Expected outcome: all four claims pass on cpu
and paper; figure ``touchpoints/mechanisms`` and the table ``touchpoints/touchpoints_table.md``.
"""

from __future__ import annotations

from typing import Any

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError
from experiments.majority_tree.shared import flags
from experiments.majority_tree.touchpoints.claims import PRESET

PROFILES = {"smoke": {**PRESET, "p0_step": 0.01}, "cpu": dict(PRESET), "paper": dict(PRESET)}


def _grid_step(value: Any) -> str | None:
    step = float(value)
    if not 0 < step <= 0.5:
        return "allowed: numbers in (0, 0.5] that divide 0.5 into a whole number of steps"
    n = 0.5 / step
    if abs(n - round(n)) > 1e-9 * n:
        return "allowed: numbers in (0, 0.5] that divide 0.5 into a whole number of steps"
    return None


CHECKS = {
    "window_tokens": cfg.int_at_least(1),
    "message_tokens": cfg.int_at_least(1),
    "fidelity_m0": cfg.positive(),
    "fidelity_family": cfg.one_of("exp", "hyperbolic"),
    "saturation_rho": flags.CORRELATION,
    "saturation_p0": flags.PROBABILITY,
    "saturation_depth": flags.DEPTH,
    "cascade_b": flags.FANIN,
    "cascade_rho": flags.CORRELATION,
    "cascade_p0": cfg.float_in(0.0, 1.0, hi_open=True),  # A_e divides by 1 − p0
    "cascade_depth": flags.DEPTH,
    "cascade_gammas": cfg.each(flags.FIDELITY),
    "baseline_b": flags.FANIN,
    "baseline_gamma": flags.FIDELITY,
    "baseline_rhos": cfg.each(flags.CORRELATION),
    "baseline_depth": flags.DEPTH,
    "p0_step": _grid_step,
}


def validate(config: Config) -> None:
    if config.window_tokens < 3 * config.message_tokens:
        raise UsageError("window_tokens", config.window_tokens,
                         f"allowed: integers >= 3·message_tokens = {3 * config.message_tokens} "
                         "(a tree needs fan-in b >= 3)")


EXPERIMENT = Experiment.of(
    __name__,
    "Qualitative touchpoints with Kim et al. (arXiv:2512.08296v2): context saturation, "
    "subcritical error cascades, diminishing returns (exact recursion).",
    PROFILES, CHECKS, validate=validate, x64=True,
    data_files=("data/kim2025_scaling_agents.json",))
