"""Figures of ``effective_features`` (spec §5, figures 14–18), from saved results only.

Figures 17 (dictionary scaling) and 18 (SAE robustness) need the paper-only sweeps
(``PAPER_FIGURES``); the smoke profile draws them at toy size, the cpu profile skips them
(``--dict_scaling`` / ``--robustness_sweeps`` turn the sweeps on for any profile).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure
from experiments.common.results import as_floats

FIGURES = ("psi_validation", "psi_vs_sparsity", "dropout")
PAPER_FIGURES = ("dict_scaling", "sae_robustness")


def _ci_text(c: dict[str, Any]) -> str:
    r, lo, hi = as_floats([c["r"], c["lo"], c["hi"]])
    return f"r = {r:.2f} [{lo:.2f}, {hi:.2f}]"


def _psi_validation(metrics: dict[str, Any], figure_dir: Path) -> None:
    toy = metrics["toy"]
    corr = toy["correlations"]
    ref = as_floats(toy["psi_ref"])
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    series = (("psi_sae", "o", r"$\psi_{SAE}$ = F/N (SAE codes)", "sae_vs_ref"),
              ("psi_frob", "s", r"$\psi_{Frob}$ = $\|W\|_F^2/N$ (toy weights)", "ref_vs_frob"),
              ("psi_frob_sae", "^", r"$\psi_{Frob}^{SAE}$ = $\|W_e\|_F^2/N$ (SAE dictionary)",
               "frob_sae_vs_ref"))
    for key, marker, label, ckey in series:
        ax.plot(ref, as_floats(toy[key]), marker, ls="none", ms=4, alpha=0.8,
                label=f"{label}: {_ci_text(corr[ckey])}")
    top = max(np.nanmax(ref), 1.0) * 1.1
    ax.plot([0, top], [0, top], "k--", lw=1, label="identity")
    ax.set_xlabel(r"$\psi_{ref}$ = exp(H(q))/N, $q_i \propto \|W_i\|^2$ (reconstructed)")
    ax.set_ylabel(r"superposition ratio $\psi$")
    ax.set_title(f"Toy models {toy['n_features']} → {toy['n_hidden']}: SAE ψ vs weight "
                 f"reference ({len(ref)} models)")
    ax.legend(title="Pearson r [95% paired bootstrap CI, 2000 resamples]", loc="lower right",
              fontsize=7, title_fontsize=7)
    save_figure(fig, figure_dir, "psi_validation")


def _psi_vs_sparsity(metrics: dict[str, Any], figure_dir: Path) -> None:
    toy = metrics["toy"]
    x = as_floats(toy["inv_density"])
    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    for key, marker, label in (("psi_sae", "o-", r"$\psi_{SAE}$ (SAE codes)"),
                               ("psi_ref", "s-", r"$\psi_{ref}$ (weight entropy)"),
                               ("psi_frob", "^-", r"$\psi_{Frob}$ (Frobenius)"),
                               ("psi_codes", "x:", r"$\psi_{codes}$ (toy outputs, diagnostic)")):
        ax.plot(x, as_floats(toy[key]), marker, ms=3.5, lw=1, label=label)
    ratio = toy["n_features"] / toy["n_hidden"]
    ax.axhline(1.0, color="gray", lw=1, ls="--", label="ψ = 1 (no superposition)")
    ax.axhline(ratio, color="k", lw=1, ls="--", label=f"ψ = M/N = {ratio:g}")
    ax.set_xscale("log")
    ax.set_xlabel(r"sparsity $1/(1-S)$ (feature density $1-S$ log-spaced)")
    ax.set_ylabel(r"superposition ratio $\psi$")
    ax.set_title("ψ against sparsity (one model per sparsity; single SAE each)")
    ax.legend(loc="lower right", fontsize=7)
    save_figure(fig, figure_dir, "psi_vs_sparsity")


def _dropout(metrics: dict[str, Any], figure_dir: Path) -> None:
    drop = metrics["dropout"]
    rates = as_floats(drop["rates"])
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.6))
    for width, w in sorted(drop["widths"].items(), key=lambda kv: int(kv[0])):
        seeds = len(w["F"][0])
        for ax, summary in ((axes[0], w["F_summary"]), (axes[1], w["test_acc_summary"])):
            mean, lo, hi = (as_floats(summary[k]) for k in ("mean", "lo", "hi"))
            ax.errorbar(rates, mean, yerr=[mean - lo, hi - mean], marker="o", ms=3.5,
                        label=f"h = {width} (D = {w['dict_size']})")
    interval = (f"95% bootstrap CI over {seeds} seeds" if seeds > 1
                else "1 seed, no interval")
    axes[0].set_ylabel("effective features F = exp(H(p))")
    axes[1].set_ylabel("test accuracy (eval mode)")
    for ax in axes:
        ax.set_xlabel("dropout rate (fc1 pre-activation)")
    axes[0].set_title(f"F of the fc1 layer ({interval})")
    axes[1].set_title(f"Sparse parity ({metrics['parity']['test_size']} test inputs)")
    axes[0].legend(fontsize=7)
    save_figure(fig, figure_dir, "dropout")


def _dict_scaling(metrics: dict[str, Any], figure_dir: Path) -> None:
    scaling = metrics["dict_scaling"]
    if scaling is None:  # sweep off (cpu profile)
        return
    exps = as_floats(scaling["expansions"])
    mean_all = np.array([as_floats(row) for row in scaling["F_summary"]["mean"]])
    lo = np.array([as_floats(row) for row in scaling["F_summary"]["lo"]])
    hi = np.array([as_floats(row) for row in scaling["F_summary"]["hi"]])
    fig, ax = plt.subplots(figsize=(5.2, 4.0))
    for i, lam in enumerate(scaling["l1s"]):
        m = mean_all[i]
        ax.errorbar(exps, m, yerr=[m - lo[i], hi[i] - m], marker="o", ms=3.5,
                    label=f"λ = {lam:g}, G = {as_floats([scaling['growth'][i]])[0]:.2f}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("dictionary expansion e = D/h (D = min(1024, e·h))")
    ax.set_ylabel("effective features F")
    ax.set_title(f"h = {scaling['width']}; G = F(e = {scaling['growth_to']:g})"
                 f"/F(e = {scaling['growth_from']:g})")
    ax.legend(title="95% bootstrap CI over model seeds", fontsize=7, title_fontsize=7)
    save_figure(fig, figure_dir, "dict_scaling")


def _robustness(metrics: dict[str, Any], figure_dir: Path) -> None:
    robust = metrics["robustness"]
    if robust is None:  # sweep off (cpu profile)
        return
    fig, axes = plt.subplots(1, 3, figsize=(9.0, 3.2), sharey=True)
    panels = (("l1", "L1 coefficient λ", True), ("expansion", "expansion D/N", True),
              ("features", "toy input size M (N = 5)", False))
    for ax, (key, label, log) in zip(axes, panels, strict=True):
        x, r = as_floats(robust[key]["values"]), as_floats(robust[key]["r"])
        lo, hi = as_floats(robust[key]["lo"]), as_floats(robust[key]["hi"])
        ax.errorbar(x, r, yerr=[r - lo, hi - r], marker="o", ms=4)
        if log:
            ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.axhline(0.85, color="gray", ls="--", lw=1)
    axes[0].set_ylabel(r"Pearson r($\psi_{SAE}$, $\psi_{ref}$)")
    axes[0].set_title("95% paired bootstrap CI over models", fontsize=8)
    save_figure(fig, figure_dir, "sae_robustness")


def plot(config: Any, metrics: dict[str, Any], arrays: Any, figure_dir: Path) -> None:
    """Writes every stem of FIGURES, and of PAPER_FIGURES where those sweeps ran."""
    _psi_validation(metrics, figure_dir)
    _psi_vs_sparsity(metrics, figure_dir)
    _dropout(metrics, figure_dir)
    _dict_scaling(metrics, figure_dir)
    _robustness(metrics, figure_dir)
