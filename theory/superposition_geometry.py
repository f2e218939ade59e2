"""Weight-geometry metrics, effective features and the TMS closed forms (superposition pillar).

Papers (specs/superposition.md, section 3, items 11-21):

- Liu, Liu & Gore, "Superposition Yields Robust Neural Scaling" (arXiv:2505.10465v4):
  represented fraction phi, mean/variance of squared overlaps (MSO, VSO), ambiguity (App. D.5).
- Elhage et al., "Toy Models of Superposition" (2022): dimensions per feature D* = m/||W||_F^2,
  feature dimensionality D_i, the linear-model optimum, the 2 -> 1 model's exact loss, its fixed
  candidates A, B, C, the boundary p*(r) and the phase labels.
- Bereska et al., "Superposition as Lossy Compression" (TMLR 2025): effective features
  F = exp(H(p)), psi = F/N, the Frobenius baseline and a weight-entropy reference.

Orientation: W has shape (n_features, m); row W_i is feature i (Elhage's W^T W is W W^T here).
Numerics: numpy float64, no I/O, no flags; ``tms_two_feature_loss`` also accepts jax arrays (and
then runs in jax.numpy, so it composes with ``jax.grad``). Importing this module does not change
JAX's global configuration.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from numpy.typing import ArrayLike

_BLOCK = 4096  # Gram-matrix row block for n = 10240


def _rows(W: ArrayLike) -> np.ndarray:
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"W must be (n_features, m), got shape {W.shape}")
    return W


def represented_fraction(W: ArrayLike, threshold: float) -> float:
    """Fraction of rows with L2 norm ||W_i|| > threshold (Liu et al. phi_{1/2}, phi_1)."""
    return float(np.mean(np.linalg.norm(_rows(W), axis=1) > threshold))


def squared_overlap_stats(W: ArrayLike, mask: ArrayLike | None = None,
                          block: int = _BLOCK) -> tuple[float, float, int]:
    """(MSO, VSO, k): mean and (population) variance of (w_i . w_j)^2 over ordered pairs i != j.

    w_i = W_i / ||W_i|| over the k masked rows (all rows if mask is None). MSO uses
    sum_{i != j} (w_i . w_j)^2 = ||W_S^T W_S||_F^2 - k (an m x m matrix); VSO needs fourth powers
    and is accumulated over row blocks of the Gram matrix. NaN for k < 2. Zero rows stay zero.
    """
    W = _rows(W)
    if mask is not None:
        W = W[np.asarray(mask, dtype=bool)]
    k = W.shape[0]
    if k < 2:
        return float("nan"), float("nan"), k
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    Wh = W / np.where(norms > 0, norms, 1.0)
    diag = np.sum(Wh * Wh, axis=1)  # 1 for non-zero rows, 0 for zero rows
    pairs = k * (k - 1)
    s2 = np.sum((Wh.T @ Wh) ** 2) - np.sum(diag ** 2)
    s4 = 0.0
    for start in range(0, k, block):
        g = Wh[start:start + block] @ Wh.T
        s4 += np.sum(g ** 4)
    s4 -= np.sum(diag ** 4)
    mso = s2 / pairs
    return float(mso), float(max(s4 / pairs - mso ** 2, 0.0)), k


def ambiguity(W: ArrayLike, m_ref: int) -> float:
    """Spectral norm ||W W^T - R||_2, R = I_{m_ref} in the top-left block (Liu et al. App. D.5).

    Exact low-rank route: with A = [W, E] (E = first m_ref columns of I_n) and
    D = diag(I_m, -I_{m_ref}), W W^T - R = A D A^T; QR A = Q T gives the norm as
    max |eig(T D T^T)|, an (m + m_ref)-square problem.
    """
    W = _rows(W)
    n, m = W.shape
    m_ref = int(m_ref)
    E = np.zeros((n, m_ref))
    E[np.arange(m_ref), np.arange(m_ref)] = 1.0
    A = np.concatenate([W, E], axis=1)
    d = np.concatenate([np.ones(m), -np.ones(m_ref)])
    _, T = np.linalg.qr(A, mode="reduced")
    M = (T * d) @ T.T
    return float(np.max(np.abs(np.linalg.eigvalsh(0.5 * (M + M.T)))))


def dimensions_per_feature(W: ArrayLike) -> float:
    """Elhage et al. dimensions per feature D* = m / ||W||_F^2."""
    W = _rows(W)
    return float(W.shape[1] / np.sum(W ** 2))


def feature_dimensionality(W: ArrayLike, eps: float = 1e-6, block: int = _BLOCK) -> np.ndarray:
    """Elhage et al. feature dimensionality D_i = ||W_i||^2 / sum_j (w_i . W_j)^2.

    w_i = W_i / max(||W_i||, eps) (the notebook's clamp); the sum includes j = i, so
    0 <= D_i <= 1. Zero rows give 0. Equal-norm tight frames of k vectors in R^d give d/k.
    """
    W = _rows(W)
    norms = np.linalg.norm(W, axis=1)
    Wh = W / np.maximum(norms, eps)[:, None]
    denom = np.concatenate([np.sum((Wh[s:s + block] @ W.T) ** 2, axis=1)
                            for s in range(0, W.shape[0], block)])
    return np.where(denom > 0, norms ** 2 / np.where(denom > 0, denom, 1.0), 0.0)


def effective_features(codes: ArrayLike, axis: int = 0) -> float:
    """Bereska et al. effective features F = exp(H(p)), p_i = share of total L1 code mass.

    mass_i = sum over ``axis`` (the sample axis) of |z_{s,i}|; F = exp(-sum_{p_i > 0} p_i ln p_i);
    F = 0 when every code is 0.
    """
    mass = np.sum(np.abs(np.asarray(codes, dtype=np.float64)), axis=axis).reshape(-1)
    total = mass.sum()
    if total <= 0:
        return 0.0
    p = mass[mass > 0] / total
    return float(np.exp(-np.sum(p * np.log(p))))


def superposition_ratio(F: ArrayLike, N: ArrayLike) -> np.ndarray:
    """Bereska et al. superposition ratio psi = F / N (N = number of neurons)."""
    return np.asarray(F, dtype=np.float64) / np.asarray(N, dtype=np.float64)


def psi_frobenius(W: ArrayLike) -> float:
    """Frobenius baseline psi_Frob = ||W||_F^2 / m (Bereska et al.; = 1 / D*)."""
    W = _rows(W)
    return float(np.sum(W ** 2) / W.shape[1])


def psi_weight_entropy(W: ArrayLike) -> float:
    """Weight-based reference psi = exp(H(q)) / m with q_i ~ ||W_i||^2.

    Reconstructed: the paper's exact weight-based reference is not specified; this is the
    perplexity of the row-energy distribution divided by the width (0 for W = 0).
    """
    W = _rows(W)
    return effective_features(W ** 2, axis=1) / W.shape[1]


def tms_linear_optimal_loss(importance: ArrayLike, density: float, m: int,
                            v_max: float = 1.0) -> float:
    """Optimal loss of the linear TMS model: Var(x) * (sum of the n - m smallest importances).

    Var(x) = density v_max^2/3 - density^2 v_max^2/4 for x = Bernoulli(density) * U(0, v_max);
    the optimum keeps the m most important features (orthogonal projection, b = mean).
    """
    imp = np.sort(np.asarray(importance, dtype=np.float64).reshape(-1))
    var = density * v_max ** 2 / 3.0 - density ** 2 * v_max ** 2 / 4.0
    return float(var * np.sum(imp[:max(imp.size - int(m), 0)]))


def _xp(*args):
    return jnp if any(isinstance(a, jax.Array) for a in args) else np


def tms_two_feature_loss(w1, w2, b1, b2, r, p, n_quad: int = 256):
    """Exact expected loss of the 2 -> 1 ReLU model, importance (1, r), density p (Elhage).

    L = (1-p)^2 L00 + p(1-p)(L10 + L01) + p^2 L11 with
    L00 = ReLU(b1)^2 + r ReLU(b2)^2,
    L10 = E_u[(u - ReLU(w1^2 u + b1))^2 + r ReLU(w1 w2 u + b2)^2],
    L01 = E_v[ReLU(w1 w2 v + b1)^2 + r (v - ReLU(w2^2 v + b2))^2],
    L11 = E_{u,v}[(u - ReLU(w1 h + b1))^2 + r (v - ReLU(w2 h + b2))^2], h = w1 u + w2 v,
    u, v ~ U(0, 1); midpoint rule with n_quad nodes per axis (error about 1e-6 at 256; the
    integrands have kinks). Scalar parameters; numpy float64, or jax.numpy if any is a jax array.
    """
    xp = _xp(w1, w2, b1, b2, r, p)
    relu = lambda z: xp.maximum(z, 0.0)  # noqa: E731
    u = (np.arange(n_quad, dtype=np.float64) + 0.5) / n_quad
    U, V = u[:, None], u[None, :]
    l00 = relu(b1) ** 2 + r * relu(b2) ** 2
    l10 = xp.mean((u - relu(w1 * w1 * u + b1)) ** 2 + r * relu(w1 * w2 * u + b2) ** 2)
    l01 = xp.mean(relu(w1 * w2 * u + b1) ** 2 + r * (u - relu(w2 * w2 * u + b2)) ** 2)
    h = w1 * U + w2 * V
    l11 = xp.mean((U - relu(w1 * h + b1)) ** 2 + r * (V - relu(w2 * h + b2)) ** 2)
    q = 1.0 - p
    return q * q * l00 + p * q * (l10 + l01) + p * p * l11


def tms_two_feature_candidates(r: ArrayLike, p: ArrayLike) -> tuple[np.ndarray, ...]:
    """Closed-form losses of the fixed 2 -> 1 candidates (w1, w2, b1, b2) (Elhage phase diagram).

    A = (1, 0, 0, p/2): r (p/3 - p^2/4) (feature 2 ignored, bias = its mean);
    B = (0, 1, p/2, 0): p/3 - p^2/4; C = (1, -1, 0, 0): p^2 (1 + r)/6 (antipodal pair; loss
    only when both are active, E[min(u, v)^2] = 1/6 per feature).
    """
    r, p = np.asarray(r, dtype=np.float64), np.asarray(p, dtype=np.float64)
    base = p / 3.0 - p ** 2 / 4.0
    return r * base, base + 0.0 * r, p ** 2 * (1.0 + r) / 6.0


def tms_two_feature_boundary(r: ArrayLike) -> np.ndarray:
    """Density p*(r) = 4 rho / (2 + 5 rho), rho = min(r, 1/r), below which C beats min(A, B).

    Derived from ``tms_two_feature_candidates`` (fixed candidates): 0.571 at r = 1, 0.16 at
    r = 0.1 or 10.
    """
    r = np.asarray(r, dtype=np.float64)
    rho = np.minimum(r, 1.0 / r)
    return 4.0 * rho / (2.0 + 5.0 * rho)


def tms_phase_label(w: ArrayLike, threshold: float = 0.5) -> str:
    """Phase label of a 2 -> 1 solution: "A", "B", "C" or "O" (spec section 2.2).

    w = (w1, w2) (shape (2,) or the (2, 1) W), or the parameter vector (w1, w2, b1, b2).
    Represented means |w_i| > threshold. A = feature 1 only; B = feature 2 only; C = both with
    w1 w2 < 0 (antipodal superposition); O = anything else.
    """
    w = np.asarray(w, dtype=np.float64).reshape(-1)
    if w.size not in (2, 4):
        raise ValueError(f"w must hold (w1, w2) or (w1, w2, b1, b2), got {w.size} values")
    w1, w2 = float(w[0]), float(w[1])
    r1, r2 = abs(w1) > threshold, abs(w2) > threshold
    if r1 and not r2:
        return "A"
    if r2 and not r1:
        return "B"
    if r1 and r2 and w1 * w2 < 0:
        return "C"
    return "O"
