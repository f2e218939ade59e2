"""Bayesian Chinchilla fit with numpyro NUTS (specs/scaling_laws.md §3.2) [reconstructed: no paper
prescribes priors or a likelihood].

Reference-scale parameterisation (decorrelates (a, α) and (b, β)): x_N = log N − log 1e9,
x_D = log D − log 1e11, a_ref = a − α log 1e9, b_ref = b − β log 1e11. Priors a_ref, b_ref ~
N(0, 3), e ~ N(0.5, 0.5), α, β ~ U(0, 2), scale ~ HalfNormal(0.05); mean
μ = LSE(a_ref − α x_N, b_ref − β x_D, e). Likelihood: Student-t (ν = 4) by default, Laplace, or
the normalised Huber density (``numpyro.factor``). NUTS with dense mass and target acceptance
0.9, chains vectorised on one device (parallel when there are as many devices as chains).
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.diagnostics import summary
from numpyro.infer import MCMC, NUTS, init_to_value

from experiments.scaling_laws.shared.precision import float64
from theory.scaling_chinchilla import huber_log_density

LOG_N_REF = math.log(1e9)
LOG_D_REF = math.log(1e11)
LIKELIHOODS = ("studentt", "laplace", "huber")
SITES = ("a_ref", "b_ref", "e", "alpha", "beta", "scale")


def chinchilla_numpyro_model(xN: jax.Array, xD: jax.Array, logL: jax.Array | None = None,
                             likelihood: str = "studentt", delta: float = 1e-3) -> None:
    """numpyro model of log L given reference-scaled log N and log D (see module docstring)."""
    if likelihood not in LIKELIHOODS:
        raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}")
    a_ref = numpyro.sample("a_ref", dist.Normal(0.0, 3.0))
    b_ref = numpyro.sample("b_ref", dist.Normal(0.0, 3.0))
    e = numpyro.sample("e", dist.Normal(0.5, 0.5))
    alpha = numpyro.sample("alpha", dist.Uniform(0.0, 2.0))
    beta = numpyro.sample("beta", dist.Uniform(0.0, 2.0))
    scale = numpyro.sample("scale", dist.HalfNormal(0.05))
    terms = jnp.stack([a_ref - alpha * xN, b_ref - beta * xD, e + jnp.zeros_like(xN)], axis=-1)
    mu = jax.nn.logsumexp(terms, axis=-1)
    if likelihood == "studentt":
        numpyro.sample("obs", dist.StudentT(4.0, mu, scale), obs=logL)
    elif likelihood == "laplace":
        numpyro.sample("obs", dist.Laplace(mu, scale), obs=logL)
    else:
        numpyro.factor("obs", jnp.sum(huber_log_density(logL - mu, delta, jnp.log(scale))))


def reference_init(theta: np.ndarray, scale: float = 0.006) -> dict[str, float]:
    """NUTS initial values from a point estimate θ = (a, b, e, α, β)."""
    a, b, e, alpha, beta = (float(v) for v in theta)
    return {"a_ref": a - alpha * LOG_N_REF, "b_ref": b - beta * LOG_D_REF, "e": e,
            "alpha": alpha, "beta": beta, "scale": scale}


@float64
def run_nuts(key: jax.Array, logN: jax.Array, logD: jax.Array, logL: jax.Array, *,
             chains: int, warmup: int, draws: int, likelihood: str = "studentt",
             init: dict[str, float] | None = None, num_devices: int = 1) -> dict[str, Any]:
    """Runs NUTS; returns per-chain draws of every site and derived quantity (chains, draws),
    split R-hat and ESS per site, and the number of divergent transitions."""
    kernel = NUTS(chinchilla_numpyro_model, target_accept_prob=0.9, dense_mass=True,
                  init_strategy=init_to_value(values=init) if init else
                  numpyro.infer.init_to_median)
    method = "parallel" if num_devices >= chains > 1 else "vectorized"
    mcmc = MCMC(kernel, num_warmup=warmup, num_samples=draws, num_chains=chains,
                chain_method=method, progress_bar=False)
    mcmc.run(key, jnp.asarray(logN) - LOG_N_REF, jnp.asarray(logD) - LOG_D_REF,
             jnp.asarray(logL), likelihood=likelihood, extra_fields=("diverging",))
    samples = {k: np.asarray(v) for k, v in mcmc.get_samples(group_by_chain=True).items()}
    samples["a"] = samples["a_ref"] + samples["alpha"] * LOG_N_REF
    samples["b"] = samples["b_ref"] + samples["beta"] * LOG_D_REF
    samples["A"], samples["B"], samples["E"] = (np.exp(samples[k]) for k in ("a", "b", "e"))
    samples["a_opt"] = samples["beta"] / (samples["alpha"] + samples["beta"])
    stats = summary(samples, group_by_chain=True)
    diverging = np.asarray(mcmc.get_extra_fields(group_by_chain=True)["diverging"])
    return {"samples": samples,
            "r_hat": {k: float(v["r_hat"]) for k, v in stats.items()},
            "ess": {k: float(v["n_eff"]) for k, v in stats.items()},
            "divergences": int(diverging.sum()), "draws_total": int(diverging.size)}
