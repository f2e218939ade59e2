"""Unit tests of the ``saturation`` experiment's own computations (spec §3.3, §8)."""

import functools

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from experiments.common.config import Config, UsageError  # noqa: E402
from experiments.majority_tree import saturation as sat  # noqa: E402
from experiments.majority_tree.saturation import claims  # noqa: E402
from experiments.majority_tree.saturation import compute as sat_compute  # noqa: E402
from experiments.majority_tree.saturation import model as ex  # noqa: E402
from theory import majority_tree as mt  # noqa: E402


def _random_cells(n: int, seed: int = 0, mu0_scale: float = 1.0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"b": rng.choice(np.arange(3, 16, 2), n).astype(np.int64),
            "gamma": rng.uniform(0.3, 1.0, n), "rho": rng.uniform(0.0, 0.95, n),
            "mu0": mu0_scale * rng.uniform(-1.0, 1.0, n)}


def test_decimal_grid_is_exact():
    gammas = ex.decimal_grid(0.3, 1.0, 0.02)
    assert gammas.size == 36 and np.array_equal(gammas, np.arange(30, 101, 2) / 100)
    rhos = ex.decimal_grid(0.0, 0.95, 0.05)
    assert rhos.size == 20 and np.array_equal(rhos, np.arange(0, 96, 5) / 100)
    assert np.array_equal(ex.decimal_grid(0.0, 0.95, 0.25), [0.0, 0.25, 0.5, 0.75])
    cells = ex.grid_cells([3, 5], gammas, rhos, [0.01, 0.1])
    assert cells["b"].size == 2 * 36 * 20 * 2 and cells["b"].dtype == np.int64


def test_clipped_curve_matches_theory():
    c = _random_cells(200, seed=1)
    c["mu0"][:5] = 0.0
    c["gamma"][5:10] = 0.3  # subcritical cells: α^L μ0 branch
    levels = np.arange(41)
    b, g, r, m = (jnp.asarray(c[k])[:, None] for k in ("b", "gamma", "rho", "mu0"))
    ours = ex.clipped_curve(m, mt.alpha_rho(g, r, b), mt.fixed_point(g, r, b),
                            jnp.asarray(levels)[None, :])
    ref = mt.clipped_bias(m, g, r, b, jnp.asarray(levels)[None, :])
    np.testing.assert_allclose(np.asarray(ours), np.asarray(ref), rtol=1e-14, atol=1e-300)


DEPTH, BATCH = 60, 8  # shared by the tests so that the vmapped cell compiles once


def test_vmapped_cell_equals_single_cell():
    c = _random_cells(BATCH, seed=2, mu0_scale=0.2)
    stats = ex.evaluate_cells(c, depth=DEPTH, batch=BATCH, num_devices=1, name="test")
    single = jax.jit(functools.partial(ex.cell_stats, depth=DEPTH))
    for i in range(BATCH):
        # Without vmap XLA's CPU code may round differently (a vectorised lane vs a scalar
        # loop, fused multiply-adds), so floats agree to rounding (Δp is a difference of O(1)
        # biases: absolute 1e−14); integer statistics are identical.
        alone = single(*(jnp.asarray(c[k][i]) for k in ("mu0", "gamma", "rho", "b")))
        alone = {k: np.asarray(v) for k, v in alone.items()}
        for key in ("argmax_level", "upper_violations", "lower_violations"):
            assert alone[key] == stats[key][i], key
        for key in ("max_dp", "far_dp"):
            np.testing.assert_allclose(alone[key], stats[key][i], rtol=0, atol=1e-14)
        np.testing.assert_allclose(alone["growth_rel"], stats["growth_rel"][i], rtol=0,
                                   atol=1e-12)  # a ratio of two nearly equal biases
        for key in ("lmix", "mstar", "alpha"):
            np.testing.assert_allclose(alone[key], stats[key][i], rtol=1e-12)
    # Results do not depend on how the grid is cut into calls.
    halves = ex.evaluate_cells(c, depth=DEPTH, batch=BATCH // 2, num_devices=1, name="test")
    for key in ("max_dp", "argmax_level", "lmix"):
        np.testing.assert_allclose(halves[key], stats[key], rtol=0, atol=1e-14)


def test_cell_stats_against_direct_numpy():
    extra = _random_cells(BATCH - 3, seed=5, mu0_scale=0.2)
    c = {"b": np.array([3, 5, 9]), "gamma": np.array([0.9, 0.8, 0.95]),
         "rho": np.array([0.2, 0.3, 0.6]), "mu0": np.array([0.02, -0.02, 0.04])}
    c = {k: np.concatenate([v, extra[k]]) for k, v in c.items()}
    depth = DEPTH
    stats = ex.evaluate_cells(c, depth=depth, batch=BATCH, num_devices=1, name="test")
    levels = np.arange(depth + 1)
    for i in range(BATCH):
        args = (c["mu0"][i], c["gamma"][i], c["rho"][i], c["b"][i])
        mu = np.asarray(mt.iterate_bias(*args, depth))
        clip = np.asarray(mt.clipped_bias(*args, levels))
        lmix = float(mt.mixing_depth(*args))
        dp = np.abs(clip - mu) / 2
        growth = levels <= lmix - 3
        far = np.abs(levels - lmix) >= 3
        assert stats["max_dp"][i] == pytest.approx(dp.max(), abs=1e-15)
        assert stats["argmax_level"][i] == dp.argmax()
        assert stats["far_dp"][i] == pytest.approx(np.max(dp, where=far, initial=0.0),
                                                   abs=1e-15)
        rel = np.abs(clip - mu) / np.abs(mu)
        assert stats["growth_rel"][i] == pytest.approx(np.max(rel, where=growth, initial=0.0),
                                                       abs=1e-12)
        if np.isfinite(lmix) and round(lmix) <= depth:
            # Knee-aligned window: offset 0 is L = round(L_mix).
            assert stats["window_dp"][i, ex.WINDOW] == pytest.approx(dp[round(lmix)],
                                                                     abs=1e-7)
            assert stats["window_offset"][i, ex.WINDOW] == pytest.approx(round(lmix) - lmix)
    # Odd symmetry: the μ0 = −0.02 cell has the same error as μ0 = +0.02.
    flipped = ex.evaluate_cells({**c, "mu0": np.abs(c["mu0"])}, depth=depth, batch=BATCH,
                                num_devices=1, name="test")
    assert flipped["max_dp"][1] == pytest.approx(stats["max_dp"][1], abs=1e-15)


def test_bounds_hold_on_random_cells():
    weak = _random_cells(96, seed=3, mu0_scale=0.3)
    strong = _random_cells(96, seed=4)
    strong["mu0"] = np.sign(strong["mu0"]) * np.maximum(np.abs(strong["mu0"]), 0.9)
    s1 = ex.evaluate_cells(weak, depth=DEPTH, batch=BATCH, num_devices=1, name="test")
    s2 = ex.evaluate_cells(strong, depth=DEPTH, batch=BATCH, num_devices=1, name="test")
    v = ex.violation_summary(s1, s2)
    assert v["upper_violations"] == 0 and v["lower_violations"] == 0
    assert v["upper_pairs"] > 0 and v["lower_pairs"] > 0
    # Above the mixing depth the clipped predictor sits at ±μ*; mixing_depth(μ*) = 0.
    mstar = float(mt.fixed_point(0.9, 0.2, 3))
    lmix = float(mt.mixing_depth(0.02, 0.9, 0.2, 3))
    clip = ex.clipped_curve(0.02, mt.alpha_rho(0.9, 0.2, 3), mstar,
                            jnp.arange(int(np.ceil(lmix)), 60))
    np.testing.assert_allclose(np.asarray(clip), mstar, rtol=0, atol=0)
    assert float(mt.mixing_depth(mstar, 0.9, 0.2, 3)) == 0.0


def test_band_stats_and_edge_snapping():
    cells = {"alpha": np.array([1.15, 1.3 - 1e-15, 1.3 + 1e-15, 1.45, 1.05, 1.25]),
             "mstar": np.array([0.5, 0.8, 0.8, 0.9, 0.5, 0.01]),
             "mu0": np.array([0.02, 0.02, 0.02, 0.05, 0.02, 0.02]),
             "max_dp": np.array([0.1, 0.2, 0.3, 0.4, 0.9, 0.9]),
             "far_dp": np.array([0.05, 0.1, 0.1, 0.2, 0.9, 0.9]),
             "growth_rel": np.array([0.5, 0.1, 0.2, 0.3, 0.9, 0.9])}
    bands = ex.band_stats(cells, [1.1, 1.3, 1.5, 2.0])
    # α = 1.3 ± 1 ulp both go to [1.3, 1.5); α < 1.1 and μ* ≤ μ0 are left out.
    assert [b["n"] for b in bands] == [1, 3, 0]
    assert bands[1]["max_dp"] == 0.4 and bands[1]["median_dp"] == 0.3
    assert bands[1]["far_dp"] == 0.2 and bands[1]["growth_rel"] == 0.3
    assert bands[2]["max_dp"] == 0.0


def test_table_stage_passes_knee_table_claim():
    config = Config({**sat.PROFILES["cpu"], "seed": 0})
    table = sat_compute._table_stage(config, 1)
    keys = ("alpha", "mstar", "lmix", "max_dp", "argmax_level", "far_dp", "growth_rel")
    rows = [{"b": table["b"][i], "gamma": table["gamma"][i], "rho": table["rho"][i],
             "mu0": table["mu0"][i], **{("mu_star" if k == "mstar" else k): float(table[k][i])
                                        for k in keys}} for i in range(6)]
    claim = claims.knee_table({"table": rows}, "cpu")
    assert claim.passed, claim.reason
    # The target is this project's own reference table: a regression check, 0 rows off it.
    assert claim.kind == "regression" and claim.measured == 0
    rows[0]["lmix"] += 0.05
    off = claims.knee_table({"table": rows}, "cpu")
    assert off.status == "failed" and off.measured == 1 and "(3, 0.9, 0.2, 0.02)" in off.reason
    # The exact p_l of S1 (spec §3.3(c)).
    p = np.asarray(mt.iterate(0.55, 1.0, 0.0, 3, 8))
    np.testing.assert_allclose(p, claims.SPEC_S1_P, atol=5e-5)


def test_mc_rows_from_exact_counts():
    config = Config({**sat.PROFILES["cpu"], "seed": 0, "mc_fanins": [3], "mc_gamma": [0.9],
                     "mc_rho": [0.2], "mc_mu0": [0.2], "mc_depths": [4]})
    per_stream, streams = 1000, 5
    exact = np.asarray(mt.iterate(0.6, 0.9, 0.2, 3, 4))
    n = per_stream * 3 ** (4 - np.arange(5))
    counts = np.tile(np.round(exact * n).astype(np.int64), (streams, 1))
    rows, arrays = sat_compute._mc_rows(config, {"mc0_counts": counts,
                                         "mc0_trials_per_stream": np.int64(per_stream)})
    (row,) = rows
    assert row["trials"] == 5000 and row["id"] == "S1"
    assert np.abs(row["z"]).max() < 0.2  # counts rounded to integers per stream
    assert row["clip_excess_z"].max() <= 0.2  # the exact recursion is below the predictor
    np.testing.assert_array_equal(row["seed_spread_ratio"], 0.0)  # identical streams
    assert arrays["mc0_p_hat"].shape == (5,)


@pytest.mark.parametrize("change, flag", [
    ({"table_rho": [0.2]}, "table_rho"),
    ({"mc_depths": [8, 8]}, "mc_depths"),
    ({"grid_gamma_min": 0.9, "grid_gamma_max": 0.5}, "grid_gamma_min"),
    ({"alpha_band_edges": [1.1, 1.1, 2.0]}, "alpha_band_edges"),
    ({"mc_fanins": [31, 3, 5], "mc_depths": [6, 8, 6]}, "mc_depths"),
])
def test_cross_field_checks(change, flag):
    config = Config({**sat.PROFILES["cpu"], **change})
    with pytest.raises(UsageError) as error:
        sat.validate(config)
    assert error.value.flag == flag


@pytest.mark.parametrize("field, value", [
    ("grid_gamma_step", 0.0), ("grid_rho_step", 0.0005), ("grid_depth", 0),
    ("mc_trials", 0), ("table_gamma", [0.0]), ("mc_rho", [1.0]), ("table_mu0", [1.5]),
    ("mc_fanins", [4]), ("grid_fanins", [33]),
])
def test_field_checks_reject(field, value):
    assert sat.CHECKS[field](value) is not None


def test_profiles_check_clean():
    for preset in sat.PROFILES.values():
        assert all(check(preset[name]) is None for name, check in sat.CHECKS.items())
        sat.validate(Config(preset))

