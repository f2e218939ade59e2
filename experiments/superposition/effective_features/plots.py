"""Figures of ``effective_features`` (spec §5, figures 14–18), from saved results only.

Figures 17 (dictionary scaling) and 18 (SAE robustness) need the paper-only sweeps
(``PAPER_FIGURES``); the smoke profile draws them at toy size, the cpu profile skips them
(``--dict_scaling`` / ``--robustness_sweeps`` turn the sweeps on for any profile). Claims a
figure shows are marked where they failed or were not run (``shared.plot_style.mark_suffix``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from experiments.common.plotting import save_figure, skip_figure
from experiments.common.results import as_floats
from experiments.superposition.shared.plot_style import (
    colour_marked,
    legend_below,
    legend_right,
    mark_suffix,
    trim_ticks,
)

FIGURES = ("psi_validation", "psi_vs_sparsity", "dropout")
PAPER_FIGURES = ("dict_scaling", "sae_robustness")
PSI = {"psi_sae": r"$\psi_\mathrm{SAE}$", "psi_ref": r"$\psi_\mathrm{ref}$",
       "psi_frob": r"$\psi_\mathrm{Frob}$", "psi_codes": r"$\psi_\mathrm{codes}$"}


def _ci_text(c: dict[str, Any]) -> str:
    r, lo, hi = as_floats([c["r"], c["lo"], c["hi"]])
    if not np.isfinite(r):
        return "r undefined"
    return f"r = {r:.2f}" + (f" [{lo:.2f}, {hi:.2f}]" if np.isfinite(lo) else "")


def _seed_text(seeds: int, what: str = "seeds") -> str:
    """Says what the bars are: a bootstrap over seeds, or none for one seed."""
    if seeds > 1:
        return f"bars: 95 % bootstrap interval over {seeds} {what}"
    return f"one {what[:-1]}: no interval"


def _psi_validation(metrics: dict[str, Any], figure_dir: Path) -> None:
    toy = metrics["toy"]
    corr = toy["correlations"]
    ref = as_floats(toy["psi_ref"])
    fig, ax = plt.subplots(figsize=(5.6, 5.8))
    series = (("psi_sae", "o", f"{PSI['psi_sae']} = F/N (SAE codes)", "sae_vs_ref",
               mark_suffix("sae_vs_reference")),
              ("psi_frob", "s", f"{PSI['psi_frob']} = $\\|W\\|_F^2/N$ (toy weights)",
               "ref_vs_frob", mark_suffix("weights_entropy_vs_frob")),
              ("psi_frob_sae", "^", r"$\psi_\mathrm{Frob}^\mathrm{SAE}$ = $\|W_e\|_F^2/N$ "
               "(SAE dictionary)", "frob_sae_vs_ref", ""))
    for key, marker, label, ckey, mark in series:
        ax.plot(ref, as_floats(toy[key]), marker, ls="none", ms=4, alpha=0.8,
                label=f"{label}: {_ci_text(corr[ckey])}{mark}")
    top = max(float(np.nanmax(ref)), 1.0) * 1.1
    ax.plot([0, top], [0, top], "k--", lw=1, label="identity")
    ax.set_xlabel(f"{PSI['psi_ref']} = exp(H(q))/N, $q_i \\propto \\|W_i\\|^2$ (reconstructed)")
    ax.set_ylabel(r"superposition ratio $\psi$")
    ax.set_title(f"Toy models {toy['n_features']} → {toy['n_hidden']}: SAE ψ against the weight "
                 f"reference\n({len(ref)} models)")
    trim_ticks(ax)
    legend_below(ax, ncol=1, title="Pearson r with " + PSI["psi_ref"]
                 + " [95 % paired bootstrap interval over models]")
    save_figure(fig, figure_dir, "psi_validation")


def _psi_vs_sparsity(metrics: dict[str, Any], figure_dir: Path) -> None:
    toy = metrics["toy"]
    x = as_floats(toy["inv_density"])
    fig, ax = plt.subplots(figsize=(6.0, 5.4))
    marks = {"psi_sae": mark_suffix("psi_monotone", "psi_range"),
             "psi_frob": mark_suffix("psi_frob_range")}
    for key, marker, what in (("psi_sae", "o-", "SAE codes"), ("psi_ref", "s-", "weight entropy"),
                              ("psi_frob", "^-", "Frobenius norm"),
                              ("psi_codes", "x:", "toy outputs, diagnostic")):
        ax.plot(x, as_floats(toy[key]), marker, ms=3.5, lw=1,
                label=f"{PSI[key]} ({what}){marks.get(key, '')}")
    ratio = toy["n_features"] / toy["n_hidden"]
    ax.axhline(1.0, color="gray", lw=1, ls="--", label="ψ = 1 (no superposition)")
    ax.axhline(ratio, color="k", lw=1, ls="--", label=f"ψ = M/N = {ratio:g} (all features)")
    ax.set_xscale("log")
    ax.set_xlabel(r"sparsity $1/(1-S)$ (feature density $1-S$ log-spaced)")
    ax.set_ylabel(r"superposition ratio $\psi$")
    ax.set_title("ψ against sparsity")
    trim_ticks(ax)
    legend_below(ax, ncol=2, title="one toy model and one SAE per sparsity: no interval")
    save_figure(fig, figure_dir, "psi_vs_sparsity")


def _dropout(metrics: dict[str, Any], figure_dir: Path) -> None:
    drop = metrics["dropout"]
    rates = as_floats(drop["rates"])
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.9))
    widths = sorted(drop["widths"].items(), key=lambda kv: int(kv[0]))
    seeds = 1
    for j, (width, w) in enumerate(widths):
        seeds = len(w["F"][0])
        for ax, summary in ((axes[0], w["F_summary"]), (axes[1], w["test_acc_summary"])):
            mean, lo, hi = (as_floats(summary[k]) for k in ("mean", "lo", "hi"))
            err = np.clip([mean - lo, hi - mean], 0, None) if seeds > 1 else None
            mark = mark_suffix("dropout_capacity", prefix="narrow-width claim") if j == 0 \
                and len(widths) > 1 else ""
            ax.errorbar(rates, mean, yerr=err, marker="o", ms=3.5, color=f"C{j % 8}",
                        label=f"h = {width}, D = {w['dict_size']}{mark}" if ax is axes[0]
                        else None)
    axes[0].set_ylabel("effective features F = exp(H(p))")
    axes[1].set_ylabel("test accuracy (eval mode)")
    for ax in axes:
        ax.set_xlabel("dropout rate (first-layer pre-activation)")
        ax.set_xticks(rates, [f"{r:g}" for r in rates])
        if rates.size == 1:
            ax.set_xlim(rates[0] - 0.1, rates[0] + 0.1)
    axes[0].set_title("Effective features of the first hidden layer"
                      + mark_suffix("dropout_monotone", "dropout_reduction", prefix="claims:"),
                      fontsize=9)
    for ax in axes:
        trim_ticks(ax, x=False)
    axes[1].set_title(f"Sparse parity ({metrics['parity']['test_size']} test inputs)", fontsize=9)
    legend = fig.legend(loc="outside lower center", ncol=min(len(widths), 4), fontsize=7,
                        title="h: hidden units; D: SAE dictionary size; " + _seed_text(seeds),
                        title_fontsize=7)
    colour_marked(legend)
    save_figure(fig, figure_dir, "dropout")


def _dict_scaling(metrics: dict[str, Any], figure_dir: Path) -> None:
    scaling = metrics["dict_scaling"]
    if scaling is None:
        return skip_figure("dict_scaling", "dictionary scaling is off (--dict_scaling)")
    exps = as_floats(scaling["expansions"])
    mean_all = np.array([as_floats(row) for row in scaling["F_summary"]["mean"]])
    lo = np.array([as_floats(row) for row in scaling["F_summary"]["lo"]])
    hi = np.array([as_floats(row) for row in scaling["F_summary"]["hi"]])
    seeds = len(scaling["F"][0][0])
    fig, ax = plt.subplots(figsize=(6.6, 4.0))
    for i, lam in enumerate(scaling["l1s"]):
        m = mean_all[i]
        err = np.clip([m - lo[i], hi[i] - m], 0, None) if seeds > 1 else None
        ax.errorbar(exps, m, yerr=err, marker="o", ms=3.5,
                    label=f"λ = {lam:g}: G = {as_floats([scaling['growth'][i]])[0]:.2f}")
    ax.set_xscale("log", base=2)
    finite = mean_all[np.isfinite(mean_all) & (mean_all > 0)]
    if finite.size and finite.max() > 4 * finite.min():  # a wide range: log F as well
        ax.set_yscale("log", base=2)
    ax.set_xticks(exps, [f"{e:g}" for e in exps])
    ax.minorticks_off()
    ax.set_xlabel("dictionary expansion e = D/h (D = min(1024, e·h))")
    ax.set_ylabel("effective features F")
    ax.set_title(f"Dictionary scaling, h = {scaling['width']} hidden units")
    trim_ticks(ax, x=False)
    legend_right(ax, title=f"L1 coefficient λ; G = F(e = {scaling['growth_to']:g}) / "
                 f"F(e = {scaling['growth_from']:g})\n{_seed_text(seeds, 'model seeds')}"
                 + mark_suffix("dict_plateau", prefix="\nplateau claim"))
    save_figure(fig, figure_dir, "dict_scaling")


def _robustness(metrics: dict[str, Any], figure_dir: Path) -> None:
    robust = metrics["robustness"]
    if robust is None:
        return skip_figure("sae_robustness", "robustness sweeps are off (--robustness_sweeps)")
    fig, axes = plt.subplots(1, 3, figsize=(9.0, 3.6), sharey=True)
    panels = (("l1", "L1 coefficient λ", True), ("expansion", "expansion D/N", True),
              ("features", "toy input size M (N = 5)", False))
    for ax, (key, label, log) in zip(axes, panels, strict=True):
        x, r = as_floats(robust[key]["values"]), as_floats(robust[key]["r"])
        lo, hi = as_floats(robust[key]["lo"]), as_floats(robust[key]["hi"])
        ax.errorbar(x, r, yerr=np.nan_to_num(np.clip([r - lo, hi - r], 0, None)), marker="o",
                    ms=4, color="C0", label="Pearson r, 95 % paired bootstrap over models")
        if log:
            ax.set_xscale("log")
        if x.size == 1:
            ax.set_xlim(*((x[0] / 2, x[0] * 2) if log else (x[0] - 1, x[0] + 1)))
        ax.set_xticks(x, [f"{v:g}" for v in x])
        ax.minorticks_off()
        ax.set_xlabel(label)
        ax.axhline(0.85, color="gray", ls="--", lw=1, label="r = 0.85 (claim threshold)")
    axes[0].set_ylabel(r"Pearson r($\psi_\mathrm{SAE}$, $\psi_\mathrm{ref}$)")
    for ax in axes:
        trim_ticks(ax, x=False)
    fig.suptitle("SAE robustness: one setting varied at a time" + mark_suffix("robustness"),
                 fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=7)
    save_figure(fig, figure_dir, "sae_robustness")


def plot(config: Any, metrics: dict[str, Any], arrays: Any, figure_dir: Path) -> None:
    """Writes every stem of FIGURES, and of PAPER_FIGURES where those sweeps ran (skipped with
    one log line where they did not)."""
    _psi_validation(metrics, figure_dir)
    _psi_vs_sparsity(metrics, figure_dir)
    _dropout(metrics, figure_dir)
    _dict_scaling(metrics, figure_dir)
    _robustness(metrics, figure_dir)
