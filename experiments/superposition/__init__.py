"""Pillar: superposition (Liu, Liu & Gore 2025; Elhage et al. 2022; Bereska et al. 2025).

Three experiments (liu_scaling, toy_models, effective_features); see
``../shared/specs/superposition.md`` and each module's docstring.
"""

REPORT_PREAMBLE = """\
The three papers' full texts are cited from the specification (the papers themselves were not
available to this project). Every number below is computed by this run. Pieces the specification
marks as reconstructed are labelled *reconstructed* in the claims: the 2 → 1 phase-diagram axis
ranges and resolution and its optimised candidates, the sticky-fraction reference lines of the
TMS geometry figure, Bereska's weight-based reference ψ_ref (q_i ∝ ‖W_i‖²), the sparsity spacing
and toy-model training settings of the effective-features validation, and the large-m grid of
Liu's Fig. 18. Out of scope (need downloads or large compute): Liu's LLM analysis, Bereska's
Tracr, grokking, Pythia-70M and adversarial experiments, and the TMS 3 → 2 phase diagram."""
