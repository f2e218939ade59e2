"""The two models of ``bahri_regimes``: the Gaussian random-feature model's per-draw losses and
the interpolation estimators on a d-dimensional data manifold (spec §3.1, §4b).

Random features [reconstructed Gaussian-feature version of Bahri et al.'s linear random-feature
model]:
design X = GΛ^(1/2) (rows F(x_a) ~ N(0, Λ)), projection 𝒫 (P×S, i.i.d. N(0, 1)), min-norm
student θ = (X𝒫^T)⁺ y, predictor in feature space β = Mω with M = 𝒫^T (X𝒫^T)⁺ X. The teacher
average (ω ~ N(0, I/S)) of the population loss ½(β − ω)^T Λ (β − ω) is exact for one draw:

    L̄(X, 𝒫) = (1/2S)·(TrΛ − 2 Tr(ΛM) + Tr(M^T Λ M)).

Every function is float64 only (the losses cancel to 1e-6 of TrΛ), pure and vmappable; no S×S
matrix is ever formed except in the brute-force test helper ``loss_explicit_s_by_s``.

Manifold (sweep D) [reconstructed demonstration of Bahri et al.'s Theorems 2–3; the paper's
Fig. 1b uses deep teacher-student networks]. Data lie on the flat d-torus u ∈ [0, 1)^d embedded in
R^(2d) by φ(u) = (cos 2πu_k, sin 2πu_k)_k / (2π) (locally isometric, unit volume, no boundary);
the target is F(u) = Π_k sin(2πu_k) + 0.5 cos(2π Σ_k u_k). Estimators see ambient coordinates
only: 1-NN (the target of the nearest training point; error O(h), MSE ∝ D^(-2/d)) and
local-linear (k = 2(d+1) nearest points, tangent basis = top-d right singular vectors of the
centred neighbour matrix, affine least squares with normal equations + 1e-12 ridge evaluated at
the test point; error O(h²), MSE ∝ D^(-4/d)).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy.linalg import solve_triangular

RIDGE = 1e-12


def loss_data_limited(G: jax.Array, lam: jax.Array) -> jax.Array:
    """P = ∞, design X = GΛ^(1/2) (D×S, D < S): (1/2S)(TrΛ − Tr[(XX^T)⁻¹ XΛX^T])."""
    X = G * jnp.sqrt(lam)[None, :]
    return loss_data_limited_design(X, lam)


def loss_data_limited_design(X: jax.Array, lam: jax.Array) -> jax.Array:
    """The P = ∞ loss from the design X itself (used with the same X as a finite-P run).

    Tr[(XXᵀ)⁻¹XΛXᵀ] = Σ_i λ_i ‖Q_i‖² with Q an orthonormal basis of the row space of X
    (Householder QR of Xᵀ): no D×D solve, whose conditioning (≈ 1e6 at α_K = 2) would cost
    ≈ 1e-9 relative accuracy after the cancellation; this route agrees with pinv to ≈ 1e-13.
    """
    Q, _ = jnp.linalg.qr(X.T)
    lam_col = lam[:, None]
    return jnp.sum(lam_col * (1.0 - jnp.sum(Q**2, axis=1, keepdims=True))) / (
        2.0 * lam.shape[0])


def loss_param_limited(Pm: jax.Array, lam: jax.Array) -> jax.Array:
    """D = ∞, projection 𝒫 (P×S, P < S): (1/2S)(TrΛ − Tr[(𝒫Λ𝒫^T)⁻¹ 𝒫Λ²𝒫^T]).

    Deliberately a different route from the data-limited QR (Cholesky of the P×P Gram AAᵀ,
    A = 𝒫Λ^(1/2), then a triangular solve), so the common-random-number identity checks two
    codes. With Y = L⁻¹A the rows of Y are orthonormal and the trace is Σ_i λ_i ‖Y_:i‖², so the
    loss is summed as Σ_i λ_i (1 − ‖Y_:i‖²) without the TrΛ − Tr[…] cancellation: a
    ``cho_solve`` of 𝒫Λ²𝒫ᵀ followed by that subtraction was 5 % off at n = 512, α_K = 2 (Gram
    condition ≈ 1e8); this route agrees with the QR one to ≈ 1e-10 there.
    """
    A = Pm * jnp.sqrt(lam)[None, :]
    chol = jnp.linalg.cholesky(A @ A.T)
    Y = solve_triangular(chol, A, lower=True)
    return jnp.sum(lam * (1.0 - jnp.sum(Y**2, axis=0))) / (2.0 * lam.shape[0])


def _low_rank_factors(X: jax.Array, Pm: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Ã (S×r), B̃ (r×S) with M = ÃB̃, from the thin SVD of Z = X𝒫^T, r = min(D, P).

    Singular values below σ_max·max(D, P)·eps are zeroed (the pseudo-inverse cut-off; a larger
    rcond would regularise and hide the ridgeless spike at D = P).
    """
    Z = X @ Pm.T
    U, s, Vt = jnp.linalg.svd(Z, full_matrices=False)
    cutoff = s[0] * max(Z.shape) * jnp.finfo(Z.dtype).eps
    s_inv = jnp.where(s > cutoff, 1.0 / jnp.where(s > cutoff, s, 1.0), 0.0)
    a_tilde = Pm.T @ Vt.T
    b_tilde = s_inv[:, None] * (U.T @ X)
    return a_tilde, b_tilde


def loss_finite(X: jax.Array, Pm: jax.Array, lam: jax.Array) -> jax.Array:
    """Finite (D, P): L̄(X, 𝒫) by the low-rank route of spec §3.1 (r×r products only)."""
    a_tilde, b_tilde = _low_rank_factors(X, Pm)
    trace_lam_m = jnp.sum(lam * jnp.sum(a_tilde * b_tilde.T, axis=1))
    trace_mt_lam_m = jnp.sum(((a_tilde.T * lam[None, :]) @ a_tilde) * (b_tilde @ b_tilde.T))
    return (jnp.sum(lam) - 2.0 * trace_lam_m + trace_mt_lam_m) / (2.0 * lam.shape[0])


def loss_explicit_s_by_s(X: jax.Array, Pm: jax.Array, lam: jax.Array) -> jax.Array:
    """Brute force (tests only): (1/2S) Tr[(I − M)^T Λ (I − M)] with the explicit S×S M."""
    M = Pm.T @ jnp.linalg.pinv(X @ Pm.T) @ X
    residual = jnp.eye(lam.shape[0], dtype=M.dtype) - M
    return jnp.trace(residual.T @ (lam[:, None] * residual)) / (2.0 * lam.shape[0])


def loss_explicit_teachers(X: jax.Array, Pm: jax.Array, lam: jax.Array,
                           W: jax.Array) -> jax.Array:
    """Brute force (tests only): train θ = pinv(X𝒫^T)XW for the K teacher columns of W (S×K)
    and average the population loss ½(β − ω)^T Λ (β − ω) over them."""
    beta = Pm.T @ (jnp.linalg.pinv(X @ Pm.T) @ (X @ W))
    error = beta - W
    return 0.5 * jnp.mean(jnp.sum(lam[:, None] * error**2, axis=0))


def min_norm_data_limited(X: jax.Array, lam: jax.Array) -> jax.Array:
    """Brute force (tests only): P = ∞ via the pinv min-norm solution M = X⁺X, no trace formula."""
    M = jnp.linalg.pinv(X) @ X
    return (jnp.sum(lam) - 2.0 * jnp.sum(lam * jnp.diag(M))
            + jnp.trace(M.T @ (lam[:, None] * M))) / (2.0 * lam.shape[0])


def gaussian(key: jax.Array, rows: int, S: int) -> jax.Array:
    """A rows×S standard-normal matrix in float64."""
    return jax.random.normal(key, (rows, S), dtype=jnp.float64)


# --- data manifold ---------------------------------------------------------------------------


def embed(u: jax.Array) -> jax.Array:
    """φ(u): (…, d) torus coordinates -> (…, 2d) ambient coordinates, interleaved cos/sin."""
    angle = 2.0 * jnp.pi * u
    return jnp.stack([jnp.cos(angle), jnp.sin(angle)], axis=-1).reshape(
        *u.shape[:-1], 2 * u.shape[-1]) / (2.0 * jnp.pi)


def target(u: jax.Array) -> jax.Array:
    """F(u) = Π_k sin(2πu_k) + 0.5 cos(2π Σ_k u_k)."""
    return (jnp.prod(jnp.sin(2.0 * jnp.pi * u), axis=-1)
            + 0.5 * jnp.cos(2.0 * jnp.pi * jnp.sum(u, axis=-1)))


def local_linear_predict(neighbours: jax.Array, values: jax.Array, query: jax.Array,
                         d: int) -> jax.Array:
    """Affine fit on the d-dimensional tangent estimate of k neighbours (k×2d), at ``query``."""
    mean = jnp.mean(neighbours, axis=0, keepdims=True)             # 1 × 2d
    centred = neighbours - mean
    _, _, vt = jnp.linalg.svd(centred, full_matrices=False)
    basis = vt[:d]                                            # d × 2d
    coords = centred @ basis.T                                # k × d
    design = jnp.concatenate([jnp.ones((coords.shape[0], 1), coords.dtype), coords], axis=1)
    gram = design.T @ design + RIDGE * jnp.eye(d + 1, dtype=coords.dtype)
    weights = jnp.linalg.solve(gram, design.T @ values)
    return weights[0] + ((query - mean[0]) @ basis.T) @ weights[1:]


def brute_force_neighbours(train_x: jax.Array, test_x: jax.Array, k: int) -> jax.Array:
    """Exact k nearest neighbours by a JAX top-k over all squared distances (tests only)."""
    sq = jnp.sum((test_x[:, None, :] - train_x[None, :, :]) ** 2, axis=-1)
    return jax.lax.top_k(-sq, k)[1]
