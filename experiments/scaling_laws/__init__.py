"""Pillar: neural scaling laws (Bahri et al.; Hoffmann et al. / Besiroglu et al.; other laws).

Three experiments: ``bahri_regimes`` (the four scaling regimes of a random-feature model),
``chinchilla_fit`` (a refit of Chinchilla Approach 3 on Epoch's digitised data) and
``law_forms`` (other published fitted laws with synthetic recovery); see
``../shared/specs/scaling_laws.md`` and each module's docstring.
"""

REPORT_PREAMBLE = """\
Labels: *paper* = stated in the cited paper or the authors' own code; *derived* = derived for this
suite and checked numerically, not a statement of the paper; *reconstructed* = a design choice of
this suite standing in for something the paper did differently or did not specify (the paper's
convention may differ); *illustrative* = parameter values chosen by this suite because none are
published.

bahri_regimes (Bahri, Dyer, Kaplan, Lee & Sharma, arXiv:2102.06701; figure numbers of arXiv v1):
the paper's random-feature model used features of random ReLU networks on pooled MNIST; here the
features are Gaussian with an exact power-law spectrum λ_i = i^-(1+α_K) [reconstructed]. The
closed forms' shape is the paper's; the exact D <-> P duality, the exact variance-limited formula,
the constant c_α and the finite-S exponents are [derived] properties of this Gaussian model (the
paper's features satisfy the exponent statements only). Exponents are compared with the
finite-S closed form, not with -α_K. The data-manifold 4/d check uses local-linear and 1-NN
interpolation on a flat d-torus [reconstructed] in place of Fig. 1b's deep teacher-student
networks. The paper's deep-network experiments (CIFAR, SVHN, MNIST, WRN) are out of scope.

chinchilla_fit (Hoffmann et al., arXiv:2203.15556, Approach 3; Besiroglu et al., arXiv:2404.10102):
every number is computed on Epoch's digitised points of Hoffmann's Fig. 4 (left), not on
Hoffmann's underlying runs; the points carry colour-bar quantisation and possible axis
calibration error. The Huber fit, the grid of starts, the bootstrap and the chi-square test
follow the papers [paper]; the numpyro priors and Student-t likelihood are [reconstructed]; the
mean-versus-sum stopping mechanism is [derived]. Hoffmann's rounded and un-rounded parameter sets
are distinguished wherever a number depends on which is used.

law_forms (Luo et al. sparsing law; Gallego-Feliciano et al. massive activations; Xiao et al.
densing law; Yuan et al. information capacity; Hagele et al. hot-mess incoherence): all data are
synthetic; each law's formula is [paper], the generators and most parameter values are
[illustrative], the densing Eq. 2 loss form, the IC shared-intercept fit and FLOP counter and
the categorical hot-mess decomposition are [reconstructed]. These are recovery tests of the fit
routines, not reproductions of the papers' measurements; no raw data of these papers are used."""
