"""Pillar: SGD noise in the lazy and rich regimes (Sclocchi, Geiger & Wyart, ICML 2023,
arXiv:2301.13703; Sclocchi & Wyart, PNAS 2024; Liu et al., ICLR 2024).

Four experiments (perceptron, phase_diagram, critical_temperature, rich_lazy_init), one package
each; see ``../shared/specs/sgd_noise.md`` and each package's docstring. Code they share lives in
``experiments.sgd_noise.shared``: the SGD machinery (α-trick, temperature, hinge loss, stopping
rule) in ``sgd``, the FC network (a Flax module trained with optax SGD), its NTK and the MNIST-1D
data in ``fc_network``, ``ntk`` and ``mnist1d_data``, claim provenance in ``provenance``, flag
checks in ``flag_checks`` and figure helpers in ``plot_style``.
"""

REPORT_PREAMBLE = """\
The primary paper's full text (body, appendix, figures) was not consulted. Each claim's source
starts with its provenance tag: [code] = protocol read in the authors' released code
(AntonioScl/SGD_learning_regimes: α-trick with centred output, hinge loss scaled by 1/α,
T = η/(B·h), stopping at zero training hinge loss, the depleted_sign perceptron data, every
sweep); [paper-abstract] = stated in the abstract of arXiv:2301.13703 (lazy vs rich weight change,
noise can help or hurt, T_c a power law of P); [authors-APS] = stated in the authors' APS March
Meeting 2023 abstract F02.00003 (δ, γ, b obtained in a perceptron, t* ~ T P^b, a = γ/δ,
T_opt ∝ α^k with k = (D−1)/(D+1)); [PNAS] = stated in the abstract of arXiv:2309.10688
(γ = 1/(1+χ)); [reconstructed] = a scaling argument written for this suite and checked by
simulation, not read in the paper (b = (3+χ)/(1+χ), ‖w⊥‖ → T√d/(2c_χ), test error ∝ 1/P, the
P-independence of the perceptron crossover, the noise-vs-GD error ratio, the lazy α-independence,
the divergence-edge slope, the three T_c definitions); [stand-in] = our substitute data or model,
not comparable to the paper's numbers (MNIST-1D parity with the paper's fully connected network in
phase_diagram and critical_temperature; in rich_lazy_init, the two-layer linear analogue of Liu
et al., and the rate RNN on our own on-device decision task standing in for their neurogym tasks,
with an aligned control of our construction); [suite] = an exact property of our implementation
(the (Δw, η, κ) symmetry of the hinge perceptron, which makes δ = 1 exact as T·α → ∞ and
T_× ∝ 1/α exact).

The perceptron is exactly the paper's model; its exponents are effective finite-size values at
P ≤ 16384, d = 32 (cpu), compared with the asymptotic predictions they approach from below
(kind finite-size). Cells that hit the step cap are marked capped and never enter a fit or a
claim.

Figure numbers, the paper's exact operational definition of T_c and its fitted exponent values for
MNIST/CIFAR were not verified; rows tagged [reconstructed] or [stand-in] are the suite's own
predictions or substitutes."""
