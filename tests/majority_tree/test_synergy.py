"""Unit tests of the ``synergy`` experiment's own computations (spec §3.2, §8 item 7)."""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from experiments.common.config import Config, UsageError  # noqa: E402
from experiments.majority_tree import synergy as syn  # noqa: E402
from experiments.majority_tree.synergy import compute as sc  # noqa: E402
from experiments.majority_tree.synergy import model as sm  # noqa: E402
from theory import majority_tree as mt  # noqa: E402

KAPPA = 1e-3
BUDGETS = 10.0 ** (np.arange(200, 801, 5) / 100)  # 1e2 … 1e8, 20 points per decade


def _brute_best(b, gamma, rho, c0, beta, budgets, exact, depth_max):
    """Best tree by explicit depths: one theory trajectory per depth L, read at its level L."""
    depths = np.arange(1, depth_max + 1)
    x = (budgets[None, :] + (c0 if exact else 0.0)) / float(b) ** depths[:, None] - c0
    mu = np.asarray(mt.iterate_bias(mt.leaf_bias(x, KAPPA, beta), gamma, rho, b, depth_max))
    at_depth = mu[depths - 1, :, depths]  # [L, B]: the depth-L tree after its L levels
    best = at_depth.max(axis=0)
    return np.where(best > 0, best, 0.0), depths[np.argmax(at_depth, axis=0)]


def test_poly_step_equals_theory_step():
    fanins = np.arange(3, 32, 2)
    coef = sm.poly_coefficients(fanins)
    mu = np.linspace(-1.0, 1.0, 41)
    for row, b in zip(coef, fanins, strict=True):
        got = np.asarray(sm.step_bias_poly(jnp.asarray(mu), 0.83, 0.27, jnp.asarray(row)))
        want = np.asarray(mt.step_bias(mu, 0.83, 0.27, b))
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)  # FMA contraction


def test_best_tree_map_matches_explicit_depth_loop():
    configs = [(3, 0.9, 0.2), (5, 0.8, 0.4), (9, 1.0, 0.0)]
    b, gamma, rho = (np.array(v) for v in zip(*configs, strict=True))
    c0 = np.asarray(mt.comm_overhead(100.0, b))
    betas = np.array([0.05, 0.2, 0.45])
    for exact in (False, True):
        out = sm.best_tree_map(b, gamma, rho, c0, np.full(3, exact), betas, BUDGETS,
                               kappa=KAPPA, batch=2)
        for i in range(3):
            for j, beta in enumerate(betas):
                best, arg = _brute_best(b[i], gamma[i], rho[i], c0[i], beta, BUDGETS, exact,
                                        sm.max_depth(b, c0, BUDGETS.max()))
                np.testing.assert_allclose(out["best"][i, j], np.minimum(best, 1.0), rtol=1e-13,
                                           atol=1e-300)
                feasible = best > 0
                np.testing.assert_array_equal(out["depth"][i, j][feasible], arg[feasible])


def test_vmapped_cell_equals_single_run():
    b, gamma, rho = np.array([3, 7, 15]), np.array([0.9, 0.7, 0.6]), np.array([0.2, 0.0, 0.4])
    c0 = np.asarray(mt.comm_overhead(100.0, b))
    betas = np.array([0.1, 0.3])
    together = sm.best_tree_map(b, gamma, rho, c0, np.zeros(3, bool), betas, BUDGETS,
                                kappa=KAPPA, batch=4)
    alone = sm.best_tree_map(b[1:2], gamma[1:2], rho[1:2], c0[1:2], np.zeros(1, bool), betas,
                             BUDGETS, kappa=KAPPA, batch=1)
    # Zero-padded coefficients and extra (masked) depths leave every value bit-identical.
    np.testing.assert_array_equal(together["best"][1], alone["best"][0])
    np.testing.assert_array_equal(together["depth"][1], alone["depth"][0])


def test_saturated_tree_never_beats_saturated_single_agent():
    # γ = 1: f_b(1) evaluates to 1 + 1 ulp; the clip keeps the tree at 1 (no spurious win).
    out = sm.best_tree_map(np.array([15]), np.array([1.0]), np.array([0.0]),
                           np.asarray(mt.comm_overhead(100.0, np.array([15]))), np.zeros(1, bool),
                           np.array([0.5]), 10.0 ** np.arange(6.0, 10.5, 0.5), kappa=KAPPA)
    assert out["best"].max() <= 1.0


def test_no_synergy_when_s_le_beta_and_synergy_above():
    b, gamma, rho = np.array([3, 5]), np.array([0.8, 0.7]), np.array([0.0, 0.2])
    s = np.asarray(mt.organization_exponent(gamma, rho, b))
    betas = np.array([0.02, 0.06, 0.1, 0.2, 0.3])
    budgets = 10.0 ** (np.arange(200, 1001, 10) / 100)
    c0 = np.asarray(mt.comm_overhead(100.0, b))
    out = sm.best_tree_map(b, gamma, rho, c0, np.zeros(2, bool), betas, budgets, kappa=KAPPA)
    single = np.asarray(mt.leaf_bias(budgets[None, :], KAPPA, betas[:, None]))
    win = out["best"] > single[None]
    gap = s[:, None] - betas[None, :]
    assert (gap <= 0).any() and (gap >= 0.005).any()
    assert not win[gap <= 0].any()
    assert win.any(axis=-1)[gap >= 0.005].all()
    onset = sm.onset_index(win)
    b_th = np.asarray(mt.budget_threshold(betas[None, :], s[:, None], c0[:, None]))
    on = onset >= 0
    b_on = budgets[onset[on]]
    assert np.all(b_on >= b_th[on])
    assert np.all(b_on <= 1.03 * np.broadcast_to(b[:, None], on.shape)[on] * b_th[on])


def test_onset_index():
    win = np.array([[False, False, True, True], [False, False, False, False]])
    np.testing.assert_array_equal(sm.onset_index(win), [2, -1])


def test_golden_section_matches_closed_form_and_dense_grid():
    rng = np.random.default_rng(3)
    beta = rng.uniform(0.02, 0.5, 200)
    s = beta + 10.0 ** rng.uniform(-4, -0.5, 200)
    c0 = rng.uniform(150.0, 4000.0, 200)
    x = sm.golden_section_allocation(s, beta, c0, lo=1e-3, hi=1e12, rel_tol=1e-10)
    x_star = np.asarray(mt.optimal_leaf_compute(beta, s, c0))
    np.testing.assert_allclose(x, x_star, rtol=1e-8)
    # Spec §8 item 7: a dense grid search over x (1e5 log-spaced points) agrees to 1e-3.
    grid = np.logspace(-3, 12, 100_001)
    for i in range(5):
        budget = 1e9
        j = s[i] * np.log((budget + c0[i]) / (grid + c0[i])) + beta[i] * np.log(grid)
        assert abs(grid[np.argmax(j)] / x_star[i] - 1.0) <= 1e-3


def test_exponent_fit_equals_polyfit():
    rng = np.random.default_rng(0)
    mu = np.exp(np.cumsum(rng.uniform(0.1, 0.4, (4, 12)), axis=1) - 8.0)
    fanins = np.array([3, 5, 7, 15])
    last = np.array([3, 7, 11, 5])
    got = sm.exponent_fit(mu, fanins, last)
    for i in range(4):
        x = np.arange(last[i] + 1) * np.log(fanins[i])
        want = np.polyfit(x, np.log(mu[i, :last[i] + 1]), 1)[0]
        assert abs(got[i] - want) <= 1e-12


def test_fitted_slope_below_s_on_a_small_grid():
    config = Config(syn.PROFILES["smoke"])
    out = sc.exponent_fit_stage(config)
    assert out["fit_s"].size > 50
    assert np.all(out["fit_s_hat"] <= out["fit_s"] + 1e-12)
    small = out["fit_mu0"] == 1e-3
    assert np.abs(out["fit_s_hat"] - out["fit_s"])[small].max() <= 0.002


def test_context_window_rows_and_critical_length():
    m = np.arange(100, 1366)
    cw = sm.context_window_curves(m, window=4096, rho=0.2, m0=300.0, family="exp", fanin_cap=15,
                                  beta=0.15)
    i = {v: v - 100 for v in (256, 455, 1000)}
    assert cw["b"][i[256]] == 15 and cw["b"][i[455]] == 9 and cw["b"][i[1000]] == 3
    assert abs(cw["alpha"][i[256]] - 1.558) <= 1e-3 and abs(cw["s"][i[1000]] - 0.273) <= 1e-3
    assert m[np.argmax(cw["alpha"])] == 455 and m[np.argmin(cw["B_th"])] == 455
    assert m[np.flatnonzero(cw["alpha"] > 1.0)[0]] == 138
    assert np.isinf(cw["B_th"][cw["s"] <= 0.15]).all() and not np.isnan(cw["B_th"]).any()
    hyper = sm.context_window_curves(m[:3], window=4096, rho=0.2, m0=300.0, family="hyperbolic",
                                     fanin_cap=15, beta=0.15)
    np.testing.assert_allclose(hyper["gamma"], m[:3] / (m[:3] + 300.0), rtol=1e-15)
    with pytest.raises(ValueError):
        sm.context_window_curves(np.array([1366]), window=4096, rho=0.2, m0=300.0, family="exp",
                                 fanin_cap=15, beta=0.15)


def test_demo_row_beta_0_1():
    c0 = float(mt.comm_overhead(100.0, 3))
    out = sm.best_tree_map(np.full(2, 3), np.full(2, 0.9), np.full(2, 0.2), np.full(2, c0),
                           np.array([False, True]), np.array([0.1]),
                           10.0 ** (np.arange(200, 801) / 100), kappa=KAPPA, batch=2)
    budgets = 10.0 ** (np.arange(200, 801) / 100)
    single = np.asarray(mt.leaf_bias(budgets, KAPPA, 0.1))
    onset = sm.onset_index(out["best"][:, 0] > single[None])
    assert abs(budgets[onset[0]] - 1288.0) <= 1.0 and abs(budgets[onset[1]] - 871.0) <= 1.0
    assert out["depth"][0, 0, -1] == 11 and abs(0.5 + 0.5 * out["best"][0, 0, -1] - 0.5111) <= 1e-4


def _config(**changes):
    return Config(syn.PROFILES["cpu"]).replace(**changes)


@pytest.mark.parametrize("changes, flag", [
    ({"window": 200}, "window"),
    ({"demo_m": 2000.0}, "window"),
    ({"cw_m_min": 2000}, "cw_m_min"),
    ({"budget_decade_max": 2}, "budget_decade_max"),
    ({"alloc_budget_decade": 11}, "alloc_budget_decade"),
])
def test_cross_field_checks(changes, flag):
    with pytest.raises(UsageError) as error:
        syn.validate(_config(**changes))
    assert error.value.flag == flag


def test_field_checks():
    checks = syn.CHECKS
    assert checks["demo_fanin"](4) and checks["demo_fanin"](33) and not checks["demo_fanin"](31)
    assert checks["demo_gamma"](0.0) and not checks["demo_gamma"](1.0)
    assert checks["demo_rho"](1.0) and not checks["demo_rho"](0.0)
    assert checks["demo_m"](0.0) and checks["kappa"](0.0)
    assert checks["fidelity_family"]("linear") and not checks["fidelity_family"]("hyperbolic")
    assert checks["betas"]([0.1, 0.0]) and not checks["betas"]([0.1, 0.5])
