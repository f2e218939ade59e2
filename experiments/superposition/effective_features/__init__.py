"""Effective features measured with sparse autoencoders (Bereska et al., spec §2.3).

Paper: Bereska, Tzifa-Kratira, Samavi & Gavves, "Superposition as Lossy Compression: Measure
with Sparse Autoencoders and Connect to Adversarial Vulnerability", TMLR 2025
(arXiv:2512.13568); code leonardbereska/superposition-measurement. Claims (spec §6.3): ψ = F/N
from SAE codes (F = exp(H(p)), p_i = an atom's share of the L1 code mass) recovers a weight-based
reference on Elhage 20 → 5 toy models (r = 0.94 ± 0.02; the weight entropy and the Frobenius
baseline ‖W‖_F^2/N correlate at 0.99 ± 0.01), grows with sparsity and stays in 1 ≲ ψ ≲ M/N;
on multi-task sparse parity, dropout on the pre-activation reduces F (up to about 50 %), most
for narrow networks; F plateaus with dictionary size for λ ≥ 0.1 (paper profile).

Run:  python -m experiments.superposition.effective_features --profile=cpu
Runtime, measured on 2 idle CPU cores (whole process, 2026-11-26): cpu 242 s (spec estimate
1.9 min; the three dropout width buckets and the SAEs dominate). smoke 25 s alone
(5 compilations; 227 s for cpu in the run of 2026-11-26).
paper (100 toy models at B 1024, robustness sweeps, 4 widths ×
10 rates × 5 seeds × 300 epochs, dictionary scaling) is meant for a GPU and was not run here.

Deviation from the spec's cpu table: 5 dropout seeds (spec: 3, the paper's own count is 5);
with 3, the drop of F at h = 64 was 2.4 seed standard errors, too few to check the dropout
monotonicity claim (claims audit, 2026-12-07).

Expected outcome (cpu): ψ_Frob runs from ≈ 1 (densest) to ≈ 3 (sparsest) and tracks ψ_ref
(r = 0.994 measured); ψ_SAE correlates with ψ_ref (r = 0.853 [0.76, 0.91]) but plateaus at
≈ 1.9–2.0 beyond 1/(1 − S) ≈ 20 while ψ_ref rises to ≈ 2.9, so Spearman ρ(1/(1 − S), ψ_SAE) =
0.725 fails the provisional 0.8; F falls with the dropout rate at every width (F(0.8)/F(0) =
0.56, 0.58, 0.84 at h = 16, 32, 64).

Conventions [labelled in the claims]:
- Reconstructed (trap 14): ψ_ref = exp(H(q))/N with q_i ∝ ‖W_i‖^2; 1 − S log-spaced from 0.999 to
  0.001; toy training = TMS defaults; N fixed at 5 in the M sweep; SAE loss reduction ``mean``
  (authors' code) by default, ``--sae_loss_reduction=sum`` for the paper's equation (the same
  objective only with λ_sum = λ N / D).
- Code conventions (trap 15): part A uses the paper's tied SAE without decoder bias
  (``--sae_tied``); part B the authors' untied SAE with biases on pre-ReLU fc1 outputs of 1 024
  training inputs drawn at random (``--activation_subset=first_block`` reproduces the authors'
  first 1 024 rows of the stratum-ordered train set: all task 0, label 0). Fixed-shape batches
  drop the last partial batch (the authors' loaders keep it). Train and test accuracies are
  eval-mode accuracies of the final model (the authors log the train accuracy during training).
- Early stopping (trap 16) is emulated per instance (see ``model.sae``): frozen updates after the
  patience, the best epoch's parameters returned, the stop epoch recorded.
- Entropy edge cases (trap 17): 0 log 0 = 0; dead atoms contribute nothing; all-zero codes give
  F = 0 and are flagged in metrics (``all_zero_codes``), never dropped.
"""

from __future__ import annotations

import numpy as np

from experiments.common import config as cfg
from experiments.common.app import Experiment
from experiments.common.config import Config, UsageError

_COMMON = {
    "toy_features": 20, "toy_hidden": 5, "toy_lr": 1e-3, "toy_weight_decay": 0.01,
    "density_max": 0.999, "density_min": 0.001,
    "sae_dict_size": 40, "sae_l1": 0.1, "sae_batch": 128, "sae_patience": 10, "sae_lr": 1e-3,
    "sae_loss_reduction": "mean", "sae_tied": True,
    "parity_tasks": 3, "parity_bits": 4, "data_seed": 42, "mlp_batch": 64, "mlp_lr": 1e-3,
    "activation_samples": 1024, "activation_subset": "random", "dropout_sae_expansion": 4.0,
    "sae_max_dict": 1024,
}
_PAPER_AXES = {"robust_l1s": [1e-3, 1e-2, 1e-1, 1.0, 10.0], "robust_expansions": [2, 4, 8, 16, 32],
               "robust_features": [8, 16, 20, 32]}
_PAPER_DICT = {"dict_width": 64,
               "dict_expansions": [0.5, 1.0, 2.0, 4.0, 8.0, 16.0],
               "dict_l1s": [0.01, 0.1, 1.0, 10.0], "dict_sae_seeds": 3, "dict_sae_epochs": 300,
               "dict_growth_from": 4.0}
PROFILES = {
    "smoke": {**_COMMON, "toy_models": 6, "toy_batch": 128, "toy_steps": 300,
              "sae_samples": 1000, "sae_max_epochs": 5,
              "robustness_sweeps": True, "robust_l1s": [0.01], "robust_expansions": [8],
              "robust_features": [20],
              "mlp_widths": [8], "dropout_rates": [0.0, 0.5], "dropout_seeds": 1,
              "mlp_epochs": 2, "dropout_sae_epochs": 5,
              "dict_scaling": True, "dict_width": 8,
              "dict_expansions": [1.0, 2.0], "dict_l1s": [0.1], "dict_sae_seeds": 1,
              "dict_sae_epochs": 2, "dict_growth_from": 1.0},
    "cpu": {**_COMMON, "toy_models": 48, "toy_batch": 256, "toy_steps": 10_000,
            "sae_samples": 10_000, "sae_max_epochs": 200,
            "robustness_sweeps": False, **_PAPER_AXES,
            "mlp_widths": [16, 32, 64], "dropout_rates": [0.0, 0.2, 0.4, 0.6, 0.8],
            "dropout_seeds": 5, "mlp_epochs": 100, "dropout_sae_epochs": 300,
            "dict_scaling": False, **_PAPER_DICT},
    "paper": {**_COMMON, "toy_models": 100, "toy_batch": 1024, "toy_steps": 10_000,
              "sae_samples": 10_000, "sae_max_epochs": 800,
              "robustness_sweeps": True, **_PAPER_AXES,
              "mlp_widths": [16, 32, 64, 128],
              "dropout_rates": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
              "dropout_seeds": 5, "mlp_epochs": 300, "dropout_sae_epochs": 300,
              "dict_scaling": True, **_PAPER_DICT},
}

_POS_INT = cfg.int_at_least(1)
CHECKS = {
    "toy_models": cfg.int_at_least(3), "toy_features": cfg.int_at_least(2),
    "toy_hidden": _POS_INT, "toy_batch": _POS_INT,
    "toy_steps": lambda v: None if isinstance(v, int) and v >= 100 and v % 100 == 0
    else "allowed: positive multiples of 100",
    "toy_lr": cfg.positive(), "toy_weight_decay": cfg.non_negative(),
    "density_max": cfg.float_in(0.0, 1.0, lo_open=True),
    "density_min": cfg.float_in(0.0, 1.0, lo_open=True),
    "sae_samples": _POS_INT, "sae_dict_size": _POS_INT, "sae_l1": cfg.non_negative(),
    "sae_batch": _POS_INT, "sae_max_epochs": _POS_INT, "sae_patience": cfg.int_at_least(0),
    "sae_lr": cfg.positive(), "sae_loss_reduction": cfg.one_of("mean", "sum"),
    "robust_l1s": cfg.each(cfg.non_negative()), "robust_expansions": cfg.each(_POS_INT),
    "robust_features": cfg.each(cfg.int_at_least(2)),
    "parity_tasks": cfg.int_at_least(1), "parity_bits": cfg.int_at_least(1),
    "data_seed": cfg.int_at_least(0), "mlp_widths": cfg.each(_POS_INT),
    "dropout_rates": cfg.each(cfg.float_in(0.0, 1.0, hi_open=True)),
    "dropout_seeds": _POS_INT, "mlp_epochs": _POS_INT, "mlp_batch": _POS_INT,
    "mlp_lr": cfg.positive(), "dropout_sae_epochs": _POS_INT,
    "dropout_sae_expansion": cfg.positive(), "sae_max_dict": _POS_INT,
    "activation_samples": _POS_INT, "activation_subset": cfg.one_of("random", "first_block"),
    "dict_width": _POS_INT,
    "dict_expansions": cfg.each(cfg.positive()), "dict_l1s": cfg.each(cfg.non_negative()),
    "dict_sae_seeds": _POS_INT, "dict_sae_epochs": _POS_INT, "dict_growth_from": cfg.positive(),
}


def validate(config: Config) -> None:
    """Checks across fields (exit status 2 through UsageError)."""
    n, m = config.toy_hidden, config.toy_features
    if n >= m:
        raise UsageError("toy_hidden", n, f"allowed: integers < --toy_features = {m}")
    if config.density_min >= config.density_max:
        raise UsageError("density_min", config.density_min,
                         f"allowed: numbers < --density_max = {config.density_max}")
    if config.sae_tied and config.sae_dict_size < n:
        raise UsageError("sae_dict_size", config.sae_dict_size,
                         f"allowed: integers >= N = --toy_hidden = {n} for the tied SAE "
                         "(--sae_tied); use --nosae_tied for an undercomplete dictionary")
    if config.robustness_sweeps and any(f <= n for f in config.robust_features):
        raise UsageError("robust_features", config.robust_features,
                         f"allowed: integers > N = --toy_hidden = {n}")
    if config.sae_samples < config.sae_batch:
        raise UsageError("sae_samples", config.sae_samples,
                         f"allowed: integers >= --sae_batch = {config.sae_batch}")
    train_size = config.parity_tasks * 2 * int(
        np.floor(0.8 * 2 ** (config.parity_tasks * config.parity_bits - 1)))
    if config.activation_samples > train_size:
        raise UsageError("activation_samples", config.activation_samples,
                         f"allowed: integers <= the train-set size {train_size}")
    if config.activation_samples < config.sae_batch:
        raise UsageError("activation_samples", config.activation_samples,
                         f"allowed: integers >= --sae_batch = {config.sae_batch}")
    if config.dict_scaling and config.dict_growth_from not in config.dict_expansions:
        raise UsageError("dict_growth_from", config.dict_growth_from,
                         "allowed: one of --dict_expansions")
    if config.dict_scaling and config.dict_width not in config.mlp_widths:
        raise UsageError("dict_width", config.dict_width,
                         "allowed: one of --mlp_widths (dictionary scaling reuses those models)")
    if config.dict_scaling and 0.0 not in config.dropout_rates:
        raise UsageError("dropout_rates", config.dropout_rates,
                         "allowed: lists containing 0.0 when --dict_scaling is on")


EXPERIMENT = Experiment.of(
    __name__, "Bereska et al.: SAE effective features on toy models and dropout MLPs.",
    PROFILES, CHECKS, validate=validate)
