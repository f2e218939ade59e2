"""Densing, information-capacity and hot-mess parts of ``law_forms`` (spec §3.3 (c)-(e)).

Each part is one ``jit(vmap)`` over seeds: synthetic data are drawn on the host with
``numpy.random.default_rng(SeedSequence([seed, stream]))`` (the spec allows it since nothing is
traced; threefry would cost seconds of compilation per shape on 2 cores) and fitted by OLS
(``shared.least_squares.ols``) or by the hot-mess estimators of ``theory.scaling_forms``. float64.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import scipy.stats

from experiments.scaling_laws.law_forms.model import (
    BETA_A,
    BETA_B,
    DENSING_CASES,
    IC_BIAS,
    IC_SERIES,
    IC_SIZES,
    IC_TEXT_BITS,
)
from experiments.scaling_laws.shared.least_squares import ols
from theory import scaling_forms as sf

STREAM_DENSING, STREAM_IC, STREAM_HOTMESS = 3, 4, 5


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


@jax.jit
def _densing_batch(t, log_rho):
    def one(t, log_rho):
        fit = ols(jnp.stack([t, jnp.ones_like(t)], axis=-1), log_rho)
        return fit.coef[0], fit.se[0], fit.r_squared

    return jax.vmap(one)(t, log_rho)


def run_densing(seed: int, seeds: int, noise_sd: float) -> dict[str, np.ndarray]:
    """Per case: Â, SE, R², doubling time and its delta-method SE, CI coverage, |Â − A|/SE."""
    out: dict[str, np.ndarray] = {}
    for index, (name, (slope, models, window)) in enumerate(DENSING_CASES.items()):
        rng = _rng(seed, STREAM_DENSING, index)
        t = rng.uniform(0.0, window, (seeds, models))
        log_rho = slope * t + noise_sd * rng.standard_normal((seeds, models))  # B = 0
        a_hat, se, r2 = (np.asarray(v) for v in _densing_batch(t, log_rho))
        t_crit = scipy.stats.t.ppf(0.975, models - 2)
        out |= {f"{name}_A_hat": a_hat, f"{name}_se": se, f"{name}_r_squared": r2,
                f"{name}_doubling_days": np.log(2.0) / a_hat,
                f"{name}_doubling_se_days": np.log(2.0) / a_hat**2 * se,
                f"{name}_covered": np.abs(a_hat - slope) <= t_crit * se,
                f"{name}_z": np.abs(a_hat - slope) / se,
                f"{name}_t_seed0": t[0], f"{name}_log_rho_seed0": log_rho[0]}
    return out


def ic_design() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(series index, log2 F, design X) of the shared-intercept fit: y = IC_s log2 F − b."""
    n_s, n_j = len(IC_SERIES), len(IC_SIZES)
    series = np.repeat(np.arange(n_s), n_j)
    log2_f = np.tile(np.log2(2.0 * np.array(IC_SIZES)), n_s)
    X = np.concatenate([np.eye(n_s)[series] * log2_f[:, None], np.ones((series.size, 1))], 1)
    return series, log2_f, X


@jax.jit
def _ic_batch(X, y):
    def one(y):
        fit = ols(X, y)
        return fit.coef, fit.se

    return jax.vmap(one)(y)


def run_capacity(seed: int, seeds: int, noise_sd: float) -> dict[str, np.ndarray]:
    """Planted IC_s, b; per seed: estimates (IC_1..3, b), SEs, |Δ|/SE and t-interval coverage."""
    series, log2_f, X = ic_design()
    ic, text = np.array(IC_SERIES)[series], np.array(IC_TEXT_BITS)[series]
    nll = np.asarray(text + IC_BIAS - ic * log2_f)  # IC = (C − NLL + b)/log2 F
    noise = noise_sd * _rng(seed, STREAM_IC).standard_normal((seeds, series.size))
    y = (text - nll)[None, :] - noise  # the noise is on the measured NLL
    coef, se = (np.asarray(v) for v in _ic_batch(jnp.asarray(X), y))
    est = coef.copy()
    est[:, -1] = -coef[:, -1]  # the intercept is −b
    truth = np.array([*IC_SERIES, IC_BIAS])
    z = np.abs(est - truth) / se
    t_crit = scipy.stats.t.ppf(0.975, X.shape[0] - X.shape[1])
    return {"truth": truth, "estimates": est, "se": se, "z": z, "covered": z <= t_crit,
            "t_crit": np.array(t_crit), "series": series, "log2_F": log2_f, "y_seed0": y[0],
            "ic_check": np.asarray(sf.information_capacity(text, nll, 2.0 ** log2_f, IC_BIAS))}


@jax.jit
def _hotmess_batch(scores):
    """(seeds, [unbiased incoherence, plug-in incoherence, mean Bias²_u, mean Var_u]) from
    scores (seeds, Q, K) with target 1."""
    bias2_u, var_u, err_u = sf.brier_bias_variance_unbiased(scores, 1.0)
    _, var, err = sf.brier_bias_variance(scores, 1.0)
    return jnp.stack([sf.incoherence(var_u, err_u), sf.incoherence(var, err),
                      jnp.mean(bias2_u, axis=-1), jnp.mean(var_u, axis=-1)], axis=-1)


def _ensemble_scores(rng: np.random.Generator, p: np.ndarray, samples: int, e: int) -> np.ndarray:
    """K scores per question, each the mean of E Bernoulli(p) outcomes, i.e. Binomial(E, p)/E."""
    return rng.binomial(e, p[..., None], p.shape + (samples,)) / e


@jax.jit
def _categorical(y, strength, xi, tau):
    mu = jax.nn.one_hot(y, xi.shape[-1], dtype=jnp.float64) * strength[:, None]
    logits = mu[:, None, :] + tau * xi
    return sf.kl_bias_variance(jax.nn.log_softmax(logits, axis=-1), y)


def run_hotmess(seed: int, seeds: int, ensemble_seeds: int, questions: int, samples: int,
                ensembles: tuple[int, ...], categories: int) -> dict[str, np.ndarray]:
    """Bernoulli incoherence estimates (E = 1 over ``seeds``; every E over ``ensemble_seeds``)
    and the categorical KL identity check on one draw."""
    rng = _rng(seed, STREAM_HOTMESS)
    # Beta(2, 1) by its inverse CDF p = √U.
    p1 = np.sqrt(rng.uniform(size=(seeds, questions)))
    single = np.asarray(_hotmess_batch(_ensemble_scores(rng, p1, samples, 1)))
    closed = np.asarray(sf.bernoulli_incoherence(p1, 1))
    p_e = np.sqrt(rng.uniform(size=(ensemble_seeds, questions)))
    ens = np.stack([np.asarray(_hotmess_batch(_ensemble_scores(rng, p_e, samples, e)))
                    for e in ensembles], axis=1)  # (seeds, E, [unbiased, plug-in])
    ens_closed = np.stack([np.asarray(sf.bernoulli_incoherence(p_e, e)) for e in ensembles], 1)
    y = rng.integers(0, categories, questions)
    strength = 1.0 + rng.standard_normal(questions)  # μ_q = one-hot(y_q) × N(1, 1)
    xi = rng.standard_normal((questions, samples, categories))
    bias2, var, error = (np.asarray(v) for v in _categorical(y, strength, xi, 1.0))
    pop = BETA_A * BETA_B / ((BETA_A + BETA_B) ** 2 * (BETA_A + BETA_B + 1.0))  # Var(p)
    mean_p = BETA_A / (BETA_A + BETA_B)
    e_pq = mean_p - (pop + mean_p**2)  # E p(1−p)
    e_bias = 1.0 - 2.0 * mean_p + pop + mean_p**2  # E (1−p)²
    population = np.array([e_pq / e / (e_pq / e + e_bias) for e in ensembles])
    return {"unbiased": single[:, 0], "plugin": single[:, 1], "closed": closed,
            "ens_unbiased": ens[..., 0], "ens_plugin": ens[..., 1], "ens_closed": ens_closed,
            "ens_bias2": ens[..., 2], "ens_var": ens[..., 3],
            "ens_population": population, "ensembles": np.asarray(ensembles),
            "cat_bias2": bias2, "cat_var": var, "cat_error": error}
