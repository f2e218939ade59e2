"""Tests of theory/majority_tree.py: identities, limits, brute force and reference values.

Covers specs/majority_tree.md section 4 ("Identities and limits the tests must check", items 1-9),
section 8 brute-force items 1, 2, 6, 7, 8, and Appendix A.1-A.3, plus a few theory-only reference
values of section 3. All checks run in float64 (x64 enabled at import) and must pass under
JAX_NUMPY_RANK_PROMOTION=raise. References are computed independently in NumPy/SciPy.
"""

import functools
import inspect
import itertools
import math
import sys
from fractions import Fraction

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import optimize, special  # noqa: E402

from theory import majority_tree as mt  # noqa: E402

ODD_B = list(range(1, mt.B_MAX + 1, 2))
TREE_B = list(range(3, 16, 2))


def a(x):
    """Device value -> NumPy float64 array."""
    return np.asarray(x, dtype=np.float64)


# ----------------------------------------------------------------------------- references
def binom_majority(q, b):
    """Maj_b(q) as a sum of nonnegative binomial terms (NumPy, float64)."""
    q = np.asarray(q, dtype=np.float64)
    return sum(math.comb(b, k) * q**k * (1 - q) ** (b - k) for k in range((b + 1) // 2, b + 1))


def enum_majority(q, b):
    """Maj_b(q) by explicit enumeration of all 2^b vote vectors."""
    votes = (np.arange(2**b)[:, None] >> np.arange(b)) & 1
    ones = votes.sum(1)
    win = ones > b // 2
    q = np.asarray(q, dtype=np.float64)[..., None]
    w = q**ones * (1 - q) ** (b - ones)
    return np.sum(w * win, axis=-1)


def enum_node(p, gamma, rho, b, sent=False):
    """P(node correct), exhaustive over child bits x channel flips x shock (spec 2.2).

    received: R_j = X_j ^ F_j; the shock replaces all received messages by R_0.
    sent (ablation): the shock copies X_0 before the channel; copies get independent flips.
    """
    eps = (1.0 - gamma) / 2.0
    bits = (np.arange(2 ** (2 * b))[:, None] >> np.arange(2 * b)) & 1
    x, f = bits[:, :b], bits[:, b:]
    w = np.prod(np.where(x == 1, p, 1 - p), 1) * np.prod(np.where(f == 1, eps, 1 - eps), 1)
    r = x ^ f
    shocked = (x[:, :1] ^ f) if sent else np.repeat(r[:, :1], b, axis=1)
    maj_free = r.sum(1) > b // 2
    maj_shock = shocked.sum(1) > b // 2
    return (1 - rho) * np.sum(w * maj_free) + rho * np.sum(w * maj_shock)


def g_ref(mu, gamma, rho, b):
    """g(mu) with f_b from scipy's regularized incomplete beta function."""
    k = (b - 1) // 2
    nu = gamma * mu
    return rho * nu + (1 - rho) * (2 * special.betainc(k + 1, k + 1, (1 + nu) / 2) - 1)


def slope_ref(b):
    """f_b'(0) = b C(b-1, (b-1)/2) / 2^(b-1) in Python floats."""
    return b * math.comb(b - 1, b // 2) / 2 ** (b - 1)


def random_cells(n, seed, alpha_min=1.005):
    """n random supercritical (gamma, rho, b) cells, b odd in 3..31, alpha >= alpha_min."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        b = int(rng.choice(np.arange(3, 32, 2)))
        g, r = rng.uniform(0.3, 1.0), rng.uniform(0.0, 0.95)
        if g * (r + (1 - r) * slope_ref(b)) >= alpha_min:
            out.append((g, r, b))
    g, r, b = (np.array(c) for c in zip(*out, strict=True))
    return g, r, b.astype(np.int64)


# ----------------------------------------------------------------- 1. majority functions
# Compilation dominates the runtime on 2 CPU cores, so the tests reuse a few argument shapes.
B16 = np.array(ODD_B)  # every valid fan-in 1..31
B20 = np.array(ODD_B + [0, 2, 4, 33])  # plus invalid ones (NaN expected)
B8 = np.array(TREE_B + [31])
A1 = {  # b: (f_b'(0), sqrt(2b/pi), sqrt(b), gamma_c(0), eps_b)
    3: (1.5, "1.382", "1.732", "0.6667", "0.166667"),
    5: (1.875, "1.784", "2.236", "0.5333", "0.233333"),
    7: (2.1875, "2.111", "2.646", "0.4571", "0.271429"),
    9: (2.4609375, "2.394", "3.000", "0.4063", "0.296825"),
    11: (2.70703125, "2.646", "3.317", "0.3694", "0.315296"),
    13: (2.9326171875, "2.877", "3.606", "0.3410", "0.329504"),
    15: (3.14208984375, "3.090", "3.873", "0.3183", "0.340870"),
}


def close_to_printed(value, printed):
    """|value - printed| <= half a unit of the printed last digit (plus float slack)."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(value - float(printed)) <= 0.5 * 10.0**-decimals + 1e-12


def test_appendix_a1_table():
    slope = a(mt.majority_slope(B20))
    gc, eps = a(mt.critical_gamma(0.0, B16)), a(mt.critical_flip_prob(B16))
    for b, (s_ref, sq2, sqb, gc_ref, eps_ref) in A1.items():
        i = (b - 1) // 2
        assert slope[i] == s_ref  # exact
        assert close_to_printed(math.sqrt(2 * b / math.pi), sq2)
        assert close_to_printed(math.sqrt(b), sqb)
        assert close_to_printed(gc[i], gc_ref), (b, gc[i])
        assert close_to_printed(eps[i], eps_ref), (b, eps[i])


def test_majority_slope_exact_and_grad():
    ref = [Fraction(b * math.comb(b - 1, (b - 1) // 2), 2 ** (b - 1)) for b in ODD_B]
    slope = a(mt.majority_slope(B20))
    assert all(Fraction(float(x)) == r for x, r in zip(slope[:16], ref, strict=True))
    assert np.isnan(slope[16:]).all()
    grad = a(jax.vmap(jax.grad(mt.majority_bias), in_axes=(None, 0))(0.0, B16))
    assert np.max(np.abs(grad - slope[:16])) <= 1e-12
    ratio = slope[1:16] / np.sqrt(2 * B16[1:] / np.pi)  # b = 3..31
    assert abs(ratio[0] - 1.085) <= 5e-4 and abs(ratio[6] - 1.017) <= 5e-4
    assert np.all(np.diff(ratio) < 0) and np.all(ratio > 1)


def test_majority_limits_and_symmetries():
    half = np.linspace(0, 1, 21)
    mu = np.concatenate([-half[:0:-1], half])[:, None]  # exactly symmetric grid, 41 points
    f = a(mt.majority_bias(mu, B16))
    assert np.allclose(f[-1], 1.0, rtol=0, atol=1e-12) and np.allclose(f[0], -1.0, 0, 1e-12)
    assert np.allclose(f[::-1], -f, rtol=0, atol=1e-15)  # odd symmetry (grid symmetric)
    assert np.all(f[20] == 0)
    q = np.linspace(0, 1, 41)[:, None]
    maj = a(mt.majority_prob(q, B16))
    assert np.all(maj[20] == 0.5)
    assert np.allclose(maj[::-1], 1 - maj, rtol=0, atol=1e-13)  # Maj(1-q) = 1 - Maj(q)
    assert np.allclose(maj[:, 0], q[:, 0], rtol=0, atol=1e-15)  # Maj_1(q) = q
    assert np.isnan(a(mt.majority_bias(mu, B20))[:, 16:]).all()


def test_majority_bias_precise_near_zero():
    for b in ODD_B:
        slope, k = slope_ref(b), b // 2
        for mu in (1e-300, 1e-12, 1e-6):
            ref = slope * (mu - k * mu**3 / 3)  # next term O(mu^5) is negligible here
            assert abs(float(mt.majority_bias(mu, b)) / ref - 1) <= 1e-14


Q201 = np.linspace(0.0, 1.0, 201)


def test_majority_prob_vs_binomial_sum_and_betainc():
    h = (B16[:, None] + 1) / 2
    jax_beta = a(jax.scipy.special.betainc(h, h, Q201[None, :]))
    for i, b in enumerate(ODD_B):
        got = a(mt.majority_prob(Q201, b))
        assert np.max(np.abs(got - binom_majority(Q201, b))) <= 1e-13, b
        assert np.max(np.abs(got - special.betainc((b + 1) / 2, (b + 1) / 2, Q201))) <= 1e-13, b
        assert np.max(np.abs(got - jax_beta[i])) <= 1e-13, b


@pytest.mark.parametrize("b", range(1, 12, 2))
def test_majority_prob_vs_vote_enumeration(b):
    assert np.max(np.abs(a(mt.majority_prob(Q201, b)) - enum_majority(Q201, b))) <= 1e-14


# ------------------------------------------------------------ 2. alpha and critical curves
def _grid(lo, hi, n=250):
    """(n, 8) grid: values linspace(lo, hi, n) along rows, repeated for the 8 fan-ins of B8."""
    return np.repeat(np.linspace(lo, hi, n)[:, None], B8.size, axis=1)


def test_alpha_at_critical_gamma_is_one_and_rho_c_inverts():
    rho = _grid(0.0, 0.95)
    gc = mt.critical_gamma(rho, B8)
    assert np.allclose(a(mt.alpha_rho(gc, rho, B8)), 1.0, rtol=0, atol=1e-12)
    assert np.allclose(a(mt.critical_rho(gc, B8)), rho, rtol=0, atol=1e-12)
    gamma = _grid(0.35, 1.0)
    rc = a(mt.critical_rho(gamma, B8))
    ok = rc >= 0
    assert np.allclose(a(mt.alpha_rho(gamma, rc, B8))[ok], 1.0, rtol=0, atol=1e-12)
    assert np.all(rc[-1] == 1.0)  # gamma = 1: supercritical for every rho < 1


def test_supercritical_iff_rho_below_rho_c():
    rng = np.random.default_rng(7)
    g, r = rng.uniform(0.3, 1, (250, 8)), rng.uniform(0, 0.99, (250, 8))
    alpha, rc = a(mt.alpha_rho(g, r, B8)), a(mt.critical_rho(g, B8))
    sep = np.abs(alpha - 1) > 1e-9
    assert np.array_equal((alpha > 1)[sep], (r < rc)[sep])
    assert 0 < np.count_nonzero(alpha > 1) < alpha.size


def test_evans_schulman_and_kesten_stigum():
    eps = a(mt.critical_flip_prob(B16))
    es = np.array([float(Fraction(1, 2) - Fraction(2 ** (k - 2), k * math.comb(k - 1, k // 2)))
                   if k > 1 else 0.0 for k in ODD_B])
    assert np.max(np.abs(eps - es)) <= 1e-15
    gc0 = a(mt.critical_gamma(0.0, B16))
    assert np.allclose((1 - gc0) / 2, es, rtol=0, atol=1e-12)
    assert abs(eps[1] - 1 / 6) <= 1e-15 and abs((1 - gc0[1]) / 2 - 1 / 6) <= 1e-12  # b = 3
    assert np.all(gc0[1:] > 1 / np.sqrt(B16[1:]))  # stricter than Kesten-Stigum
    assert np.all(np.diff(eps) > 0) and np.all(eps < 0.5)


def test_alpha_limits_in_rho():
    gamma = _grid(0.3, 1.0)
    assert np.allclose(a(mt.alpha_rho(gamma, np.ones_like(gamma), B8)), gamma, rtol=0, atol=1e-15)
    near = a(mt.alpha_rho(gamma, np.full_like(gamma, 1 - 1e-9), B8))
    assert np.allclose(near, gamma, rtol=0, atol=1e-8) and np.all(near > gamma)
    alpha = a(mt.alpha_rho(np.full_like(gamma, 0.8), _grid(0.0, 1.0), B8))
    assert np.all(np.diff(alpha, axis=0) < 0)


A2_GAMMA_C = {
    3: ".6667 .6897 .7143 .7407 .7692 .8000 .8333 .8696 .9091 .9524",
    5: ".5333 .5594 .5882 .6202 .6557 .6957 .7407 .7921 .8511 .9195",
    7: ".4571 .4834 .5128 .5461 .5839 .6275 .6780 .7373 .8081 .8939",
    9: ".4063 .4320 .4611 .4944 .5329 .5779 .6312 .6953 .7739 .8725",
    11: ".3694 .3943 .4227 .4556 .4940 .5395 .5942 .6613 .7455 .8542",
    13: ".3410 .3650 .3928 .4250 .4631 .5086 .5640 .6330 .7212 .8380",
    15: ".3183 .3415 .3685 .4001 .4376 .4828 .5386 .6088 .7001 .8236",
}
A2_RHO_C = {  # gamma: values for b = 3, 5, 7, 9, 15
    0.8: [0.5000, 0.7143, 0.7895, 0.8289, 0.8833],
    0.9: [0.7778, 0.8730, 0.9064, 0.9239, 0.9481],
    1.0: [1.0] * 5,
}


def test_appendix_a2_tables():
    rho = np.arange(10) / 10
    for b, row in A2_GAMMA_C.items():
        ref = np.array([float(v) for v in row.split()])
        assert np.max(np.abs(a(mt.critical_gamma(rho, b)) - ref)) <= 5e-5, b
    for gamma, ref in A2_RHO_C.items():
        got = a(mt.critical_rho(gamma, np.array([3, 5, 7, 9, 15])))
        assert np.max(np.abs(got - np.array(ref))) <= 5e-5, gamma


# ------------------------------------------------------------------------------ 3. step
def test_step_limits():
    p = _grid(0.0, 1.0)
    relay = a(mt.step(p, np.full_like(p, 0.7), np.ones_like(p), B8))
    assert np.allclose(relay, 0.5 + 0.7 * (p - 0.5), rtol=0, atol=1e-15)  # rho = 1: q
    half = a(mt.step(np.full_like(p, 0.5), _grid(0.3, 1.0), np.full_like(p, 0.4), B8))
    assert np.all(half == 0.5)
    deep = a(mt.iterate(0.6, 1.0, 0.0, B8, 60))[:, -1]  # Condorcet limit
    assert np.all(deep > 1 - 1e-12)


@pytest.mark.parametrize("b", [3, 5, 7])
def test_step_vs_exhaustive_node_enumeration(b):
    for p, gamma, rho in [(0.6, 0.8, 0.3), (0.35, 0.9, 0.0), (0.97, 0.55, 0.75), (0.5, 1.0, 0.5)]:
        assert abs(float(mt.step(p, gamma, rho, b)) - enum_node(p, gamma, rho, b)) <= 1e-14
        sent_ref = enum_node(p, gamma, rho, b, sent=True)
        assert abs(float(mt.iterate_sent_shock(p, gamma, rho, b, 12)[1]) - sent_ref) <= 1e-14
        sent_bias = float(mt.step_bias_sent_shock(2 * p - 1, gamma, rho, b))
        assert abs(0.5 + 0.5 * sent_bias - sent_ref) <= 1e-14


def test_sent_shock_differs_from_published_recursion():
    gamma, rho = 0.8, 0.3
    for b in (3, 5, 7):
        gain = float(jax.grad(mt.step_bias_sent_shock)(0.0, gamma, rho, b))
        ref = rho * (2 * binom_majority((1 + gamma) / 2, b) - 1) + (1 - rho) * gamma * slope_ref(b)
        assert abs(gain - ref) <= 1e-12
        alpha = float(mt.alpha_rho(gamma, rho, b))
        assert gain - alpha > 0.04  # = rho (f_b(gamma) - gamma) > 0
        assert abs(float(jax.grad(mt.step_bias)(0.0, gamma, rho, b)) - alpha) <= 1e-12
    # Spec 8 item 3: b = 3, L = 2, gamma = 0.8, rho = 0.3, p0 = 0.6, T = 5e5 -> root z ~ 13.7.
    published = a(mt.iterate(0.6, gamma, rho, 3, 12))[:3]
    sent = a(mt.iterate_sent_shock(0.6, gamma, rho, 3, 12))[:3]
    assert sent[0] == published[0] == 0.6
    z = (sent[2] - published[2]) / math.sqrt(sent[2] * (1 - sent[2]) / 5e5)
    assert abs(z - 13.7) <= 0.1


# --------------------------------------------------------------------------- 4. iterate
def test_iterate_shapes_and_depth0():
    p0 = np.array([0.45, 0.55, 0.9])
    out = mt.iterate(p0, 0.8, 0.2, 5, 0)
    assert out.shape == (3, 1) and np.all(a(out)[:, 0] == p0)
    gamma = np.array([0.7, 0.9])
    traj = a(mt.iterate(p0[:, None], gamma, 0.2, 5, 12))
    assert traj.shape == (3, 2, 13)
    p = np.repeat(p0[:, None], 2, axis=1)
    for l in range(1, 13):
        p = a(mt.step(p, gamma, 0.2, 5))
        assert np.allclose(traj[..., l], p, rtol=0, atol=1e-15)


def test_iterate_odd_symmetry_and_composition():
    rng = np.random.default_rng(3)
    p0, g, r = rng.uniform(0, 1, 50), rng.uniform(0.3, 1, 50), rng.uniform(0, 0.95, 50)
    b = rng.choice(np.array(TREE_B), 50)
    up, down = a(mt.iterate(p0, g, r, b, 12)), a(mt.iterate(1 - p0, g, r, b, 12))
    assert np.max(np.abs(down - (1 - up))) <= 1e-12
    l1, l2 = 5, 7  # L1 + L2 = 12
    second = a(mt.iterate(up[:, l1], g, r, b, 12))
    assert np.max(np.abs(second[:, :l2 + 1] - up[:, l1:])) <= 1e-12
    mu = a(mt.iterate_bias(2 * p0 - 1, g, r, b, 12))
    assert np.max(np.abs(0.5 + 0.5 * mu - up)) <= 1e-15
    assert np.max(np.abs(a(mt.iterate_bias(mu[:, l1], g, r, b, 12))[:, :l2 + 1] - mu[:, l1:])) \
        <= 1e-12
    assert np.max(np.abs(a(mt.iterate_bias(-mu[:, 0], g, r, b, 12)) + mu)) <= 1e-15


# ----------------------------------------------------------------------- 5. fixed point
@functools.cache
def cells200():
    """200 random supercritical (gamma, rho, b) cells, b odd in 3..31, alpha >= 1.005."""
    return random_cells(200, seed=11)


def test_fixed_point_vs_brentq_200_random_cells():
    g, r, b = cells200()
    got = a(mt.fixed_point(g, r, b))
    ref = np.array([optimize.brentq(lambda m, gi=gi, ri=ri, bi=bi: g_ref(m, gi, ri, bi) - m,
                                    1e-6, 1.0, xtol=1e-15, rtol=1e-15)
                    for gi, ri, bi in zip(g, r, b, strict=True)])
    assert np.max(np.abs(got - ref)) <= 1e-12
    resid = a(mt.step_bias(got, g, r, b)) - got
    assert np.max(np.abs(resid)) <= 1e-13
    assert np.all(got <= a(mt.step_bias(np.ones_like(g), g, r, b)) + 1e-15)  # mu* <= g(1)


def test_fixed_point_b3_closed_form_on_grid():
    gamma = (np.arange(30, 101) / 100)[:, None]
    rho = (np.arange(0, 96) / 100)[None, :]
    bis, closed = a(mt.fixed_point(gamma, rho, 3)), a(mt.fixed_point_b3(gamma, rho))
    assert np.max(np.abs(bis - closed)) <= 1e-12
    assert np.count_nonzero(closed) > 1000  # many supercritical cells
    assert closed[50, 50] == 0  # gamma = 0.8, rho = 0.5: alpha = 1 exactly (critical cell)
    ref = {(0.8, 0.0): 0.883883, (0.9, 0.3): 0.917955, (0.95, 0.5): 0.935288}
    for (gm, rh), v in ref.items():
        assert abs(closed[round(gm * 100) - 30, round(rh * 100)] - v) <= 5e-7


def test_fixed_point_zero_when_subcritical_and_one_iff_gamma_one():
    rho = np.array([0.0, 0.3, 0.6, 0.9])[:, None]
    gc = a(mt.critical_gamma(rho, B8[:7]))
    gamma = np.stack([0.999 * gc] + [np.full_like(gc, v) for v in (0.6, 0.8, 0.95, 1.0)])
    ms = a(mt.fixed_point(gamma, rho, B8[:7]))
    assert np.all(ms[0] == 0)  # just subcritical
    sup = a(mt.alpha_rho(gamma, rho, B8[:7])) > 1
    assert np.all(ms[~sup] == 0)
    assert np.all(np.abs(ms[4][sup[4]] - 1) <= 1e-15)  # gamma = 1: mu* = 1
    g1 = a(mt.step_bias(np.ones_like(gamma), gamma, rho, B8[:7]))
    strict = (g1 < 1 - 1e-9) & sup  # otherwise 1 - mu* is below float resolution
    assert np.all(ms[strict] < 1) and np.all(gamma[strict] < 1)
    assert np.count_nonzero(strict) > 40


@pytest.mark.parametrize("b, rho", [(3, 0.0), (3, 0.3), (5, 0.2), (7, 0.5), (15, 0.8)])
def test_near_critical_scaling(b, rho):
    excess = np.logspace(-6, -2, 9)
    gamma = (1 + excess) / (rho + (1 - rho) * slope_ref(b))
    alpha = a(mt.alpha_rho(gamma, rho, b))
    ms = a(mt.fixed_point(gamma, rho, b))
    ratio = a(mt.near_critical_constant(gamma, rho, b)) * ms**2 / (alpha - 1)
    assert abs(ratio[4] - 1) <= 1e-3  # alpha - 1 = 1e-4
    if b == 3:  # g(mu) = alpha mu - C mu^3 exactly: the relation is exact
        assert np.max(np.abs(ratio - 1)) <= 1e-9
    else:  # the ratio converges to 1 as alpha -> 1
        assert abs(ratio[0] - 1) <= 1e-5
        assert np.all(np.diff(np.abs(ratio - 1)) > 0)
    slope = np.polyfit(np.log(alpha - 1), np.log(ms), 1)[0]
    assert abs(slope - 0.5) <= 0.005


A3 = {  # (b, gamma): entries for rho = 0, 0.2, 0.5, 0.8 as (alpha, mu*) strings; None mu* = dash
    (3, 0.7): [("1.050", "0.5399"), ("0.980", None), None, None],
    (3, 0.8): [("1.200", "0.8839"), ("1.120", "0.7655"), ("1.000", None), None],
    (3, 0.9): [("1.350", "0.9799"), ("1.260", "0.9443"), ("1.125", "0.8282"), ("0.990", None)],
    (5, 0.6): [("1.125", "0.6991"), ("1.020", "0.3058"), None, None],
    (5, 0.7): [("1.3125", "0.9111"), ("1.190", "0.7800"), ("1.00625", "0.1711"), None],
    (5, 0.8): [("1.500", "0.9783"), ("1.360", "0.9154"), ("1.150", "0.7217"), None],
    (5, 0.9): [("1.6875", "0.9975"), ("1.530", "0.9712"), ("1.29375", "0.8946"),
               ("1.0575", "0.5868")],
    (7, 0.7): [("1.53125", "0.9689"), ("1.365", "0.8744"), ("1.115625", "0.5840"), None],
    # The spec prints alpha = 1.034375 here; gamma (rho + (1-rho) f_9'(0)) = 0.8 * 1.2921875
    # = 1.03375 exactly, and the printed mu* = 0.3268 belongs to 1.03375 (a typo in the spec).
    (9, 0.8): [("1.96875", "0.9982"), ("1.735", "0.9484"), ("1.384375", "0.8154"),
               ("1.03375", "0.3268")],
    (15, 0.6): [("1.8853", "0.9907"), ("1.6282", "0.8884"), ("1.2426", "0.6247"), None],
    (15, 0.8): [("2.5137", "0.9999"), ("2.1709", "0.9522"), ("1.6568", "0.8312"),
                ("1.1427", "0.5000")],
    (15, 0.9): [("2.8279", "1.0000"), ("2.4423", "0.9756"), ("1.8639", "0.9091"),
                ("1.2856", "0.7113")],
}


def test_appendix_a3_fixed_points():
    rhos = np.array([0.0, 0.2, 0.5, 0.8])
    for (b, gamma), row in A3.items():
        alpha, ms = a(mt.alpha_rho(gamma, rhos, b)), a(mt.fixed_point(gamma, rhos, b))
        for i, entry in enumerate(row):
            if entry is None:  # dash: subcritical
                assert alpha[i] < 1 and ms[i] == 0, (b, gamma, rhos[i])
                continue
            alpha_ref, mu_ref = entry
            assert close_to_printed(alpha[i], alpha_ref), (b, gamma, rhos[i], alpha[i])
            if mu_ref is None:  # alpha printed, mu* a dash: alpha <= 1 (incl. "1.000 (critical)")
                assert ms[i] == 0 and alpha[i] <= 1 + 1e-12
            else:
                assert abs(ms[i] - float(mu_ref)) <= 5e-5, (b, gamma, rhos[i], ms[i])
    assert float(mt.alpha_rho(0.8, 0.8, 9)) == pytest.approx(1.03375, abs=1e-14)


# ------------------------------------------------------ 6. clipped predictor, mixing depth
def test_clipped_bias_upper_bounds_iterate():
    g, r, b = cells200()
    ms = a(mt.fixed_point(g, r, b))
    mu0 = ms * np.random.default_rng(1).uniform(0.01, 1.0, ms.shape)
    L = np.arange(101)
    exact = a(mt.iterate_bias(mu0, g, r, b, 100))
    clip = a(mt.clipped_bias(mu0[:, None], g[:, None], r[:, None], b[:, None], L[None, :]))
    assert np.all(np.abs(exact) <= np.abs(clip) + 1e-12)
    assert np.all(np.abs(a(mt.iterate_bias(-mu0, g, r, b, 100))) <= np.abs(clip) + 1e-12)
    lmix = a(mt.mixing_depth(mu0, g, r, b))
    beyond = L[None, :] >= lmix[:, None]
    assert np.all(np.abs(clip - ms[:, None])[beyond] <= 1e-15)  # = mu* at L >= L_mix
    assert np.all((clip < ms[:, None])[~beyond])
    assert np.all(lmix > 0) and np.all(np.isfinite(lmix)) and np.any(lmix < 100)
    assert np.all(a(mt.mixing_depth(ms, g, r, b)) == 0)  # mixing_depth(mu*) = 0


def test_mixing_depth_and_clipped_special_cases():
    g, r, b = 0.9, 0.2, 3
    ms = float(mt.fixed_point(g, r, b))
    assert float(mt.mixing_depth(ms, g, r, b)) == 0.0
    assert float(mt.mixing_depth(-0.99, g, r, b)) == 0.0
    assert float(mt.mixing_depth(0.0, g, r, b)) == np.inf
    assert float(mt.mixing_depth(0.1, 0.5, 0.2, b)) == np.inf  # alpha < 1
    assert float(mt.mixing_depth(0.1, 0.8, 0.5, b)) == np.inf  # alpha = 1 (critical cell)
    L = np.arange(9)
    alpha = float(mt.alpha_rho(0.5, 0.2, 3))
    assert np.allclose(a(mt.clipped_bias(-0.3, 0.5, 0.2, 3, L)), -0.3 * alpha**L, 0, 1e-15)
    neg = a(mt.clipped_bias(-0.02, g, r, b, L))
    assert np.allclose(neg, -np.minimum(1.26**L * 0.02, ms), rtol=0, atol=1e-15)
    assert np.all(a(mt.clipped_bias(-0.99, g, r, b, L)) == -ms)  # strong leaves: -mu*


SAT_TABLE = [  # spec 3.3(a): b, gamma, rho, mu0, alpha, mu*, L_mix
    (3, 0.9, 0.2, 0.02, 1.2600, 0.9443, 16.68), (5, 0.8, 0.3, 0.02, 1.2900, 0.8703, 14.82),
    (7, 0.7, 0.3, 0.05, 1.2819, 0.8076, 11.20), (15, 0.5, 0.2, 0.01, 1.3568, 0.8000, 14.36),
    (3, 0.75, 0.0, 0.02, 1.1250, 0.7698, 30.99), (9, 0.95, 0.6, 0.04, 1.5052, 0.9301, 7.69),
]


def test_saturation_table_values():
    for b, g, r, mu0, alpha, ms, lmix in SAT_TABLE:
        assert abs(float(mt.alpha_rho(g, r, b)) - alpha) <= 5e-5
        assert abs(float(mt.fixed_point(g, r, b)) - ms) <= 5e-5
        assert abs(float(mt.mixing_depth(mu0, g, r, b)) - lmix) <= 0.005
    s1 = np.array([0.55, 0.5748, 0.6113, 0.6642, 0.7374, 0.8294, 0.9226, 0.9829, 0.9991])
    assert np.max(np.abs(a(mt.iterate(0.55, 1.0, 0.0, 3, 12))[:9] - s1)) <= 5e-5
    clip = 0.5 + 0.5 * a(mt.clipped_bias(0.1, 1.0, 0.0, 3, np.arange(9)))
    ref = np.array([0.55, 0.575, 0.6125, 0.6688, 0.7531, 0.8797, 1, 1, 1])
    assert np.max(np.abs(clip - ref)) <= 5e-5


# --------------------------------------------------------------------------- 7. budget
def test_allocation_first_order_condition_and_threshold():
    beta = np.array([0.05, 0.1, 0.15, 0.2, 0.3])
    s = np.array([0.21036695, 0.21, 0.3, 0.25, 0.9])
    c0 = np.array([300.0, 100.0, 650.0, 2048.0, 1e4])
    x_star = a(mt.optimal_leaf_compute(beta, s, c0))
    for bt, si, ci, xs in zip(beta, s, c0, x_star, strict=True):
        for B in (1e5, 1e9):
            def J(x, B=B, bt=bt, si=si, ci=ci):
                return si * jnp.log((B + ci) / (x + ci)) + bt * jnp.log(x)
            assert abs(float(jax.grad(J)(xs))) <= 1e-12 * bt / xs
    bth = a(mt.budget_threshold(beta, s, c0))
    n_star = a(mt.optimal_leaf_count(bth, beta, s, c0))
    assert np.allclose(n_star ** (s - beta) * (beta / s) ** beta, 1.0, rtol=0, atol=1e-12)
    n_exact = a(mt.optimal_leaf_count(bth, beta, s, c0, accounting="exact"))
    assert np.allclose(n_exact - n_star, (s - beta) / s, rtol=1e-12)
    assert np.allclose(bth / n_star, x_star + c0, rtol=1e-12)  # B = N (x* + c0)


def test_budget_threshold_limit_and_infinities():
    beta = np.array([0.299, 0.3, 0.4, 0.5, 0.1])  # s - beta = 1e-3, then s <= beta, then s > beta
    s, c0 = np.full(5, 0.3), np.full(5, 300.0)
    bth = a(mt.budget_threshold(beta, s, c0))
    ratio = bth[0] / (math.e * c0[0] * s[0] / (s[0] - beta[0]))
    assert abs(ratio - 1) <= 0.01 and ratio < 1
    assert np.all(bth[1:4] == np.inf) and np.isfinite(bth[4])
    assert np.all(a(mt.optimal_leaf_compute(beta, s, c0))[1:4] == np.inf)
    budget = np.full(5, 1e8)
    for acc in ("approx", "exact"):
        n = a(mt.optimal_leaf_count(budget, beta, s, c0, accounting=acc))
        assert np.all(n[1:4] == 1.0) and n[4] > 1
    with pytest.raises(ValueError):
        mt.optimal_leaf_count(budget, beta, s, c0, accounting="bogus")


def test_optimal_leaf_compute_vs_dense_grid_search():
    x = np.logspace(-3, 12, 10**5)
    for beta, s, c0, B in [(0.05, 0.2104, 300.0, 1e8), (0.15, 0.2104, 300.0, 1e10),
                           (0.1, 0.5, 2048.0, 1e7), (0.25, 0.3, 650.0, 1e12)]:
        J = s * np.log((B + c0) / (x + c0)) + beta * np.log(x)
        x_grid = x[np.argmax(J)]
        x_star = float(mt.optimal_leaf_compute(beta, s, c0))
        assert abs(x_grid / x_star - 1) <= 1e-3, (beta, s, x_grid, x_star)


def test_synergy_demo_values():
    s = float(mt.organization_exponent(0.9, 0.2, 3))
    c0 = float(mt.comm_overhead(100, 3))
    assert abs(s - 0.210367) <= 5e-7 and c0 == 300.0
    beta = np.array([0.05, 0.10, 0.15, 0.20, 0.25])
    xs = a(mt.optimal_leaf_compute(beta, np.full(5, s), np.full(5, c0)))
    bth = a(mt.budget_threshold(beta, np.full(5, s), np.full(5, c0)))
    assert np.allclose(xs[:4], [93.5, 271.8, 745.4, 5788], rtol=5e-3)
    assert np.allclose(bth[:4], [616, 1122, 2423, 1.614e4], rtol=5e-3)
    assert xs[4] == np.inf and bth[4] == np.inf


def test_leaf_bias_fidelity_fanin():
    x = np.array([-5.0, 0.0, 1.0, 1e6, 1e30])
    got = a(mt.leaf_bias(x, 1e-3, 0.2))
    assert got[0] == 0 and got[1] == 0 and got[4] == 1.0
    assert np.allclose(got[2:4], 1e-3 * x[2:4] ** 0.2, rtol=1e-14)
    assert np.all(np.isfinite(a(jax.grad(lambda v: mt.leaf_bias(v, 1e-3, 0.2))(0.0))))
    m = np.array([256, 300, 400, 512, 600, 819, 1000, 1365])
    b = np.asarray(mt.max_odd_fanin(4096, m))
    assert b.tolist() == [15, 13, 9, 7, 5, 5, 3, 3]
    assert np.asarray(mt.max_odd_fanin(4096.0, m.astype(float))).tolist() == b.tolist()
    assert np.asarray(mt.max_odd_fanin(4096, np.array([1366, 2048, 5000]))).tolist() == [0, 0, 0]
    assert int(mt.max_odd_fanin(4096, 100, b_cap=9)) == 9
    gam = a(mt.fidelity(m, 300))
    assert np.allclose(gam, 1 - np.exp(-m / 300), rtol=1e-15)
    assert np.allclose(a(mt.fidelity(m, 300, family="hyperbolic")), m / (m + 300), rtol=1e-15)
    with pytest.raises(ValueError):
        mt.fidelity(m, 300, family="bogus")
    rows = np.array([  # spec 3.2(e): gamma, alpha, s, c0
        [0.574, 1.558, 0.164, 549], [0.632, 1.609, 0.186, 650], [0.736, 1.597, 0.213, 900],
        [0.819, 1.596, 0.240, 1195], [0.865, 1.470, 0.239, 1500], [0.935, 1.589, 0.288, 2048],
        [0.964, 1.350, 0.273, 3000], [0.989, 1.385, 0.297, 4095]])
    assert np.max(np.abs(gam - rows[:, 0])) <= 1e-3
    assert np.max(np.abs(a(mt.alpha_rho(gam, 0.2, b)) - rows[:, 1])) <= 1e-3
    assert np.max(np.abs(a(mt.organization_exponent(gam, 0.2, b)) - rows[:, 2])) <= 1e-3
    assert np.max(np.abs(a(mt.comm_overhead(m, b)) - rows[:, 3])) <= 0.5


# ------------------------------------------------------------------- 8. continuous risks
def test_tree_risk_vs_numerical_recursion():
    for v0, rho, s2, b in [(1.0, 0.2, 0.1, 3), (3.0, 0.0, 0.5, 5), (0.01, 0.7, 0.2, 15),
                           (1.0, 0.5, 0.0, 7)]:
        lam = rho + (1 - rho) / b
        v, ref = v0, [v0]
        for _ in range(60):
            v = lam * v + s2 / b
            ref.append(v)
        got = a(mt.tree_risk(v0, rho, s2, b, np.arange(61)))
        assert np.allclose(got, ref, rtol=1e-12, atol=1e-15)
        assert float(mt.tree_risk(v0, rho, s2, b, 0)) == pytest.approx(v0, rel=1e-15)
        nxt = a(mt.tree_risk(v0, rho, s2, b, np.arange(1, 40)))
        prev = a(mt.tree_risk(v0, rho, s2, b, np.arange(39)))
        assert np.allclose(nxt, float(mt.tree_lambda(rho, b)) * prev + s2 / b, 1e-12, 1e-15)
        assert abs(float(mt.tree_risk(v0, rho, s2, b, 200)) - float(mt.tree_floor(rho, s2, b))) \
            <= 1e-12


def _tree_node_var(b, L, rho, v0, s2):
    """Exact risk of the explicit depth-L tree (L <= 2), enumerating every shock pattern.

    The output is a linear form in the b^L leaf errors and the per-edge noises; its variance given
    the shock pattern is v0*|c_leaf|^2 + s2*|c_noise|^2. Cloning copies values before the noise.
    """
    n_leaf = b**L
    nodes = [b ** (L - 1 - l) for l in range(L)]  # aggregation nodes per level
    n_noise = sum(nodes[l] * b for l in range(L))
    total = 0.0
    for pattern in itertools.product([0, 1], repeat=sum(nodes)):
        prob = np.prod([rho if s else 1 - rho for s in pattern])
        vals = [np.eye(n_leaf + n_noise)[i] for i in range(n_leaf)]
        noise_idx, pos = n_leaf, 0
        for l in range(L):
            new = []
            for v in range(nodes[l]):
                kids = vals[v * b:(v + 1) * b]
                if pattern[pos]:
                    kids = [kids[0]] * b  # clone child 0's value before the channel
                pos += 1
                msgs = []
                for kid in kids:
                    e = np.zeros(n_leaf + n_noise)
                    e[noise_idx] = 1.0
                    noise_idx += 1
                    msgs.append(kid + e)
                new.append(np.mean(msgs, axis=0))
            vals = new
        c = vals[0]
        total += prob * (v0 * np.sum(c[:n_leaf] ** 2) + s2 * np.sum(c[n_leaf:] ** 2))
    return total


def test_tree_risk_vs_explicit_tree_enumeration():
    for b, L, rho, v0, s2 in [(3, 1, 0.2, 1.0, 0.1), (3, 2, 0.2, 1.0, 0.1), (5, 2, 0.6, 2.0, 0.3)]:
        assert abs(float(mt.tree_risk(v0, rho, s2, b, L)) - _tree_node_var(b, L, rho, v0, s2)) \
            <= 1e-12


def _chain_var(L, rho, v0, s2):
    """Exact chain risk by propagating coefficients of Y_1..Y_L and xi_1..xi_{L-1}."""
    cy, cx = np.zeros(L), np.zeros(max(L - 1, 1))
    cy[0] = 1.0
    for k in range(2, L + 1):
        cx[k - 2] += 1.0  # M_{k-1} = Z_{k-1} + xi_{k-1}
        cy, cx = cy * (k - 1) / k, cx * (k - 1) / k
        cy[k - 1] += 1.0 / k
    return v0 * (rho * cy.sum() ** 2 + (1 - rho) * np.sum(cy**2)) + s2 * np.sum(cx**2)


def test_star_and_chain_vs_coefficient_propagation():
    rho, v0, s2 = 0.2, 1.0, 0.1
    L = np.arange(1, 21)
    assert np.allclose(a(mt.chain_risk(v0, rho, s2, L)), [_chain_var(k, rho, v0, s2) for k in L],
                       rtol=1e-13)
    N = np.array([1, 2, 3, 5, 8, 16, 32, 64])
    star_ref = [v0 * (rho + (1 - rho) / n) + s2 * n / n**2 for n in N]
    assert np.allclose(a(mt.star_risk(v0, rho, s2, N)), star_ref, rtol=1e-14)


def test_continuous_limits_and_reference_values():
    v0, rho, s2 = 1.0, 0.2, 0.1
    assert float(mt.star_risk(v0, rho, s2, 1)) == pytest.approx(v0 + s2, rel=1e-15)
    assert abs(float(mt.star_risk(v0, rho, s2, 1e15)) - rho * v0) <= 1e-14
    assert float(mt.chain_risk(v0, rho, s2, 1)) == v0
    bs, L = np.array([3, 5, 7]), np.array([0, 1, 2, 4])[:, None]
    tree = a(mt.tree_risk(2.0, 0.0, 0.0, bs, L))
    assert np.allclose(tree, a(mt.star_risk(2.0, 0.0, 0.0, bs**L)), rtol=1e-14)
    assert np.allclose(tree, 2.0 / bs**L, rtol=1e-14)
    tree_ref = [1.0, 0.5, 0.2667, 0.1578, 0.1070, 0.0832, 0.0722, 0.0670, 0.0646]
    assert np.max(np.abs(a(mt.tree_risk(v0, rho, s2, 3, np.arange(9))) - tree_ref)) <= 5e-5
    assert abs(float(mt.tree_lambda(rho, 3)) - 0.46667) <= 5e-6
    assert float(mt.tree_floor(rho, s2, 3)) == pytest.approx(0.0625, rel=1e-14)
    assert float(mt.tree_floor_global(v0, rho, 0.1, 3)) == pytest.approx(0.25, rel=1e-14)
    star_ref = [1.100, 0.650, 0.500, 0.380, 0.3125, 0.25625, 0.228, 0.214]
    N = np.array([1, 2, 3, 5, 8, 16, 32, 64])
    assert np.max(np.abs(a(mt.star_risk(v0, rho, s2, N)) - star_ref)) <= 5e-4
    chain = a(mt.chain_risk(v0, rho, s2, np.arange(1, 21)))
    assert np.argmin(chain) + 1 == 5
    assert np.allclose(chain[[0, 1, 2, 3, 4, 5, 9, 19]],
                       [1.0, 0.625, 0.5222, 0.4875, 0.48, 0.4861, 0.565, 0.8575], atol=5e-5)
    assert abs(float(mt.continuous_mixing_depth(v0, rho, s2, 3)) - 7.48) <= 5e-3


def test_continuous_mixing_depth_band():
    for v0, rho, s2, b, delta in [(1.0, 0.2, 0.1, 3, 0.05), (5.0, 0.5, 0.02, 7, 0.01),
                                  (1.0, 0.0, 0.3, 15, 0.2)]:
        lm = float(mt.continuous_mixing_depth(v0, rho, s2, b, delta))
        vstar = float(mt.tree_floor(rho, s2, b))
        L = math.ceil(lm)
        assert float(mt.tree_risk(v0, rho, s2, b, L)) <= (1 + delta) * vstar
        assert float(mt.tree_risk(v0, rho, s2, b, L - 1)) > (1 + delta) * vstar
        assert float(mt.tree_risk(v0, rho, s2, b, lm)) == pytest.approx((1 + delta) * vstar,
                                                                        rel=1e-12)
    assert float(mt.continuous_mixing_depth(0.06, 0.2, 0.1, 3)) == 0.0
    assert float(mt.continuous_mixing_depth(1.0, 0.2, 0.0, 3)) == np.inf


# --------------------------------------------------------------------- 9. vectorization
MU = np.array([0.1, -0.3, 0.7, 0.02])
P = np.array([0.55, 0.35, 0.9, 0.51])
G = np.array([0.8, 0.9, 0.95, 0.3])  # the last cell is subcritical
R = np.array([0.0, 0.2, 0.4, 0.1])
B = np.array([3, 5, 7, 15])
BETA = np.array([0.05, 0.1, 0.3, 0.2])
S = np.array([0.21, 0.3, 0.2, 0.25])  # the third cell has s <= beta
C0 = np.array([300.0, 100.0, 500.0, 1000.0])
BUD = np.array([1e6, 1e8, 1e4, 1e9])
V0 = np.array([1.0, 2.0, 0.5, 1.0])
SIG = np.array([0.1, 0.05, 0.2, 0.0])
N = np.array([1, 5, 16, 64])
L = np.array([0, 3, 8, 20])
VEC_CASES = [
    ("majority_slope", (B,), {}), ("majority_bias", (MU, B), {}),
    ("majority_prob", (P, B), {}), ("alpha_rho", (G, R, B), {}),
    ("step_bias", (MU, G, R, B), {}), ("step", (P, G, R, B), {}),
    ("step_bias_sent_shock", (MU, G, R, B), {}),
    ("iterate", (P, G, R, B), {"depth": 12}), ("iterate_bias", (MU, G, R, B), {"depth": 12}),
    ("iterate_sent_shock", (P, G, R, B), {"depth": 12}), ("fixed_point", (G, R, B), {}),
    ("fixed_point_b3", (G, R), {}), ("near_critical_constant", (G, R, B), {}),
    ("critical_gamma", (R, B), {}), ("critical_rho", (G, B), {}),
    ("critical_flip_prob", (B,), {}), ("organization_exponent", (G, R, B), {}),
    ("mixing_depth", (MU, G, R, B), {}), ("clipped_bias", (MU, G, R, B, L), {}),
    ("comm_overhead", (BUD / 1e4, B), {}), ("leaf_bias", (BUD - 1e4, C0 / 1e5, BETA), {}),
    ("optimal_leaf_compute", (BETA, S, C0), {}),
    ("optimal_leaf_count", (BUD, BETA, S, C0), {}),
    ("optimal_leaf_count", (BUD, BETA, S, C0), {"accounting": "exact"}),
    ("budget_threshold", (BETA, S, C0), {}), ("fidelity", (C0, BUD / 1e4), {}),
    ("fidelity", (C0, BUD / 1e4), {"family": "hyperbolic"}),
    ("max_odd_fanin", (np.array([4096, 4096, 2000, 1000]), np.array([256, 1365, 100, 600]),
                       np.array([15, 15, 9, 15])), {}),
    ("tree_lambda", (R, B), {}), ("star_risk", (V0, R, SIG, N), {}),
    ("chain_risk", (V0, R, SIG, N), {}), ("tree_risk", (V0, R, SIG, B, L), {}),
    ("tree_floor", (R, SIG, B), {}), ("tree_floor_global", (V0, R, SIG, B), {}),
    ("continuous_mixing_depth", (V0, R, SIG, B), {}),
    ("continuous_mixing_depth", (V0, R, SIG, B, BETA), {}),
]


def _py(x):
    return int(x) if np.issubdtype(np.asarray(x).dtype, np.integer) else float(x)


def test_jit_vmap_matches_scalar_loop():
    """Every function under jit(vmap(...)) (b as an int array) equals a loop of scalar calls.

    All cases go through one jit, because compiling 36 small programs separately costs more than
    the whole rest of this file on 2 CPU cores.
    """
    def batched_all(all_args):
        return [jax.vmap(functools.partial(getattr(mt, name), **kw))(*args)
                for (name, _, kw), args in zip(VEC_CASES, all_args, strict=True)]

    batched = jax.jit(batched_all)([args for _, args, _ in VEC_CASES])
    bad = []
    for (name, args, kw), out in zip(VEC_CASES, batched, strict=True):
        fn = getattr(mt, name)
        loop = np.stack([np.asarray(fn(*(_py(x[i]) for x in args), **kw)) for i in range(4)])
        out = np.asarray(out)
        if out.shape != loop.shape or np.isnan(out).any() or not np.allclose(
                out, loop, rtol=1e-13, atol=1e-15):
            bad.append((name, kw, out, loop))
    assert not bad, bad
    inf_cells = np.isinf(np.asarray(batched[[c[0] for c in VEC_CASES].index("budget_threshold")]))
    assert inf_cells.tolist() == [False, False, True, False]


def test_public_api_and_constants():
    names = ["majority_slope", "majority_bias", "majority_prob", "alpha_rho", "step_bias", "step",
             "iterate", "iterate_bias", "fixed_point", "fixed_point_b3", "near_critical_constant",
             "critical_gamma", "critical_rho", "critical_flip_prob", "organization_exponent",
             "mixing_depth", "clipped_bias", "comm_overhead", "leaf_bias",
             "optimal_leaf_compute", "optimal_leaf_count", "budget_threshold", "fidelity",
             "max_odd_fanin", "tree_lambda", "star_risk", "chain_risk", "tree_risk",
             "tree_floor", "tree_floor_global", "continuous_mixing_depth",
             "step_bias_sent_shock", "iterate_sent_shock"]
    assert set(names) <= set(mt.__all__)
    assert all(callable(getattr(mt, n)) and getattr(mt, n).__doc__ for n in names)
    assert mt.B_MAX == 31 and mt._POLY.shape == (16, 16) and mt._SLOPE.shape == (16,)
    assert mt._POLY.dtype == np.float64 and mt._SLOPE.dtype == np.float64
    assert mt.majority_bias(0.3, 5).dtype == jnp.float64
    assert mt.iterate(0.6, 0.9, 0.2, 3, 12).dtype == jnp.float64


def test_no_global_config_change_and_float32_path():
    for mod in (mt, sys.modules["theory.majority_tree_continuous"]):
        src = inspect.getsource(mod)
        assert "config.update" not in src and "jax_enable_x64" not in src.replace(
            "``jax_enable_x64``", "")
    with jax.enable_x64(False):
        v = mt.fixed_point(0.9, 0.2, 3)
        assert v.dtype == jnp.float32 and abs(float(v) - 0.9442629) < 1e-5
