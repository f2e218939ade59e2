"""Pillar: multi-agent majority trees (Liu, Kong & Pei, arXiv:2601.17311).

Five experiments (phase_diagram, synergy, saturation, continuous, touchpoints) check the paper's
mathematical claims in a model rebuilt from its abstract and third-party summaries; see
``../shared/specs/majority_tree.md`` and each module's docstring.
"""

REPORT_PREAMBLE = """\
The full text of arXiv:2601.17311 (Liu, Kong & Pei, "Phase Transition for Budgeted Multi-Agent
Synergy") was not available to this project. Formulas labelled *summary* come from third-party
summaries of the paper. Formulas labelled *reconstructed* are this project's own derivations,
and the paper's conventions may differ. Choices labelled *convention* are this project's own.
No figure or simulation number of the paper is reproduced: the "paper" column says so, and every
target is a theory value computed by this suite. The comparison with Kim et al.
(arXiv:2512.08296, v2) is qualitative. The `paper` profile is this project's enlarged design,
not the paper's own settings, which are unknown.

Reconstructed or uncertain pieces, as this project lists them: (1) the generative model that
yields the summaries' α_ρ, in particular that the common shock copies *received* messages;
(2) the continuous model (per-node cloning *before* the noise reproduces Eq. 13; the chain is a
convention; the star's risk includes one channel pass); (3) the leaf law μ0 = κx^β, the
accounting B = N(x + c0), free aggregator compute and γ(m) = 1 − e^(−m/300) are conventions, and
the budget threshold B_th is reconstructed; (4) the mixing depth and the clipped predictor are
reconstructed: under this model the predictor is an *upper* bound on the bias (optimistic about
accuracy), with knee errors of about 0.1 and up to 0.22 in accuracy, which is the sense in which
it "remains accurate"; (5) the summaries call the transition "Kesten–Stigum", but the boundary
tested here is the noisy-recursive-majority threshold (Evans–Schulman at ρ = 0), which is
stricter than Kesten–Stigum (bγ² > 1)."""
