"""Initial connectivity rank decides rich vs lazy learning (Liu et al., ICLR 2024).

Paper: Liu, Baratin, Cornford, Mihalas, Shea-Brown & Lajoie, "How connectivity structure shapes
rich and lazy learning in neural circuits", ICLR 2024 (arXiv:2310.08513). Claim (abstract): with
the weight norm fixed, a high effective-rank initial connectivity changes less during learning
(lazier), a low-rank one more (richer), and a low-rank initialisation aligned with the task is
lazy again.

Two parts, each one ``jit(vmap)`` over (initial rank or aligned control) × seed lanes:
1. The two-layer linear analogue of the pillar's claims table [stand-in]: f(x) = w2ᵀ W1 x,
   W1(0) the rank-r truncation of one Gaussian draw per teacher rescaled to its Frobenius norm,
   full-batch gradient descent on the exact population loss for a teacher β; the aligned control
   is rank one along β. Claims rich_lazy_init.weight_change_decreases_with_rank,
   full_rank_smallest_kernel_change, aligned_low_rank_is_lazy, linear_reference_values.
2. The paper's own setting: a rate RNN (Flax, ``model.RateRNN``) h_{t+1} = ReLU(W_in x_t +
   W_rec h_t) with a linear read-out, trained with SGD + momentum 0.9 (lr 0.003, batch 32,
   cross-entropy at every step) on a two-alternative perceptual decision generated on device
   (fixation and two noisy evidence channels for 7 steps, coherence c ∈ ±{0.05, …, 0.5}, the
   answer sign(c) at step 8). W_rec(0) ~ N(0, 1.25²/N) truncated to rank r and rescaled; the
   aligned control is rank one with its column space along the direction in which the evidence
   enters. Measures: the change of W_rec, the alignment KA of the tangent kernel of all outputs
   with respect to W_rec (32 probe trials) and the alignment RA of the decision-step
   representations (256 trials) between the start and the end of training. Claims
   rich_lazy_init.rnn_*.

Run:  python -m experiments.sgd_noise.rich_lazy_init --profile=cpu
Runtime, 2-core machine (whole process, 2026-12-07): cpu 2.8 min (161 s of computation, nearly
all of it the RNN: 80 lanes × 2000 steps, then kernel Jacobians of 768 outputs × 10⁴ weights per
lane; the linear analogue takes seconds); smoke 13 s. paper (N = 300) is meant for a GPU and was
not run.
The cpu profile uses N = 100 units instead of the authors' 300 (kernel Jacobians of 768 outputs ×
N² weights, and 9x fewer recurrent flops); the paper profile uses N = 300.

Expected outcome (cpu, measured 2026-12-07): linear analogue (50 teachers) rel ΔW1 0.077, 0.077,
0.076, 0.074, 0.068, 0.056 for r = 1, 2, 5, 10, 25, 50 (within 1.9 combined s.e. of the reference
run's 20-teacher values; 20 teachers scatter by about 0.002 between base seeds), aligned 0.0012;
1 − KA 0.0010, 0.0017, 0.0026, 0.0027, 0.0011, 0.0003, smallest at full rank. RNN (N = 100,
16 seeds, decision accuracy ≈ 0.81 for every init): rank 1 changes W_rec more than full rank in
16 of 16 seeds (mean 0.16 against 0.076; heavy-tailed, a few rank-1 seeds change 3–10× more, so
orderings use a paired sign test); 1 − KA falls from 0.71 to 0.43 and 1 − RA from 0.34 to 0.02
from r = 1 to 100 (15 and 16 of 16 seeds); the aligned rank-1 control changes less than the
unaligned one in only 12 of 16 seeds (interval [0.48, 0.93]): that claim fails here.
"""

from __future__ import annotations

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError

COHERENCES = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]
_TASK = {"coherences": COHERENCES, "stimulus_steps": 7, "evidence_noise": 0.5, "batch": 32,
         "rnn_lr": 0.003, "rnn_momentum": 0.9, "rnn_leak": 1.0, "rnn_gain": 1.25,
         "linear_lr": 0.01}
PROFILES = {
    "smoke": {**_TASK, "linear_dim": 10, "linear_hidden": 20, "linear_ranks": [1, 10],
              "linear_seeds": 3, "linear_steps": 300, "linear_probe": 32,
              "rnn_hidden": 16, "rnn_ranks": [1, 16], "rnn_seeds": 2, "rnn_steps": 40,
              "record_every": 10, "eval_trials": 64, "probe_trials": 4,
              "representation_trials": 16},
    "cpu": {**_TASK, "linear_dim": 50, "linear_hidden": 100,
            "linear_ranks": [1, 2, 5, 10, 25, 50], "linear_seeds": 50, "linear_steps": 4000,
            "linear_probe": 256, "rnn_hidden": 100, "rnn_ranks": [1, 10, 30, 100],
            "rnn_seeds": 16, "rnn_steps": 2000, "record_every": 50, "eval_trials": 1024,
            "probe_trials": 32, "representation_trials": 256},
    "paper": {**_TASK, "linear_dim": 100, "linear_hidden": 300,
              "linear_ranks": [1, 3, 10, 30, 100], "linear_seeds": 50, "linear_steps": 10_000,
              "linear_probe": 256, "rnn_hidden": 300, "rnn_ranks": [1, 30, 100, 300],
              "rnn_seeds": 16, "rnn_steps": 10_000, "record_every": 100, "eval_trials": 4096,
              "probe_trials": 32, "representation_trials": 256},
}
CHECKS = {
    "coherences": cfg.each(cfg.float_in(0.0, 1.0, lo_open=True)),
    "stimulus_steps": cfg.int_at_least(1), "evidence_noise": cfg.non_negative(),
    "batch": cfg.int_at_least(1), "rnn_lr": cfg.positive(),
    "rnn_momentum": cfg.float_in(0.0, 1.0, hi_open=True),
    "rnn_leak": cfg.float_in(0.0, 1.0, lo_open=True), "rnn_gain": cfg.positive(),
    "linear_lr": cfg.positive(), "linear_dim": cfg.int_at_least(2),
    "linear_hidden": cfg.int_at_least(2), "linear_ranks": cfg.each(cfg.int_at_least(1)),
    "linear_seeds": cfg.int_at_least(2), "linear_steps": cfg.int_at_least(1),
    "linear_probe": cfg.int_at_least(2), "rnn_hidden": cfg.int_at_least(2),
    "rnn_ranks": cfg.each(cfg.int_at_least(1)), "rnn_seeds": cfg.int_at_least(2),
    "rnn_steps": cfg.int_at_least(1), "record_every": cfg.int_at_least(1),
    "eval_trials": cfg.int_at_least(1), "probe_trials": cfg.int_at_least(1),
    "representation_trials": cfg.int_at_least(2),
}


def validate(config: Config) -> None:
    """Cross-field checks (one UsageError line, exit status 2)."""
    for field, top in (("linear_ranks", min(config.linear_dim, config.linear_hidden)),
                       ("rnn_ranks", config.rnn_hidden)):
        ranks = list(config[field])
        if ranks != sorted(set(ranks)) or len(ranks) < 2 or ranks[-1] != top:
            raise UsageError(field, ranks, f"allowed: at least two increasing ranks ending at "
                                           f"full rank {top}")
    if config.rnn_steps % config.record_every:
        raise UsageError("rnn_steps", config.rnn_steps,
                         f"allowed: a multiple of record_every = {config.record_every}")


EXPERIMENT = Experiment.of(
    __name__,
    "Initial connectivity rank and rich vs lazy learning: linear analogue and RNN (Liu et al., "
    "ICLR 2024).",
    PROFILES, CHECKS, validate=validate)
