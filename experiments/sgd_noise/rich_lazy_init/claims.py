"""Claims of ``rich_lazy_init``, from metrics only.

Liu et al.'s abstract: with the weight norm fixed, a high effective-rank initial connectivity
changes less during learning (lazier), a low-rank one more (richer), and a low-rank init aligned
with the task is lazy again. The RNN claims test that ordering on the paper's kind of network and
task; the linear-analogue claims are those of the pillar's claims table. Every RNN ordering is
decided by a sign test paired over seeds (weight changes are heavy-tailed across seeds) and is
checked only where its largest possible effect is three standard errors of the fraction under
chance, i.e. from 9 seeds on (otherwise: not run on this profile).
"""

from __future__ import annotations

from typing import Any

from experiments.common.claims import Claim, format_number, underpowered
from experiments.sgd_noise.shared import provenance
from experiments.sgd_noise.shared.provenance import tagged_claim

WHERE = provenance.LIU + ", abstract"
# The linear analogue's reference run (20 teachers, d = 50, h = 100, 4000 steps), from the
# pillar's claims table: rel ΔW1 per rank, its s.e. ±0.001, and the aligned control.
LINEAR_REFERENCE = {1: 0.0779, 2: 0.0775, 5: 0.0761, 10: 0.0746, 25: 0.0697, 50: 0.0558}
LINEAR_REFERENCE_SE = 0.001


def _interval(diff: dict[str, Any]) -> list[float] | None:
    return None if diff["low"] is None else [diff["low"], diff["high"]]


def _claim(profile: str, cid: str, **fields: Any) -> Claim:
    return tagged_claim("rich_lazy_init", profile, cid, "stand-in,paper-abstract", WHERE,
                        **fields)


def _ordering(profile: str, cid: str, diff: dict[str, Any], details: dict[str, Any],
              **fields: Any) -> Claim:
    """A claim that a paired difference over seeds is positive, decided by the sign test.

    Measured: the fraction of seeds with a positive difference and its exact 95 % interval;
    passed when the interval lies above 1/2. Under no effect the fraction has standard error
    1/(2√n), so the claim is checked only where the full effect (every seed positive, 1/2 above
    chance) is at least three of those: n ≥ 9 seeds.
    """
    n = diff["seeds"]
    mean_diff = f"mean diff {format_number(diff['mean'], 3)}"
    if diff["low"] is not None:
        mean_diff += f" [{format_number(diff['low'], 2)}, {format_number(diff['high'], 2)}]"
    return _claim(
        profile, cid, kind="qualitative", measured=diff["fraction"],
        interval=[diff["fraction_low"], diff["fraction_high"]],
        interval_kind=f"exact 95% binomial interval over {n} seeds",
        context=f"{diff['positive']} of {n} seeds; {mean_diff}",
        tolerance="interval of the fraction above 1/2 (sign test, paired over seeds)",
        tolerance_source="exact binomial interval; effect ≥ 3 SE under chance",
        passed=diff["fraction_low"] > 0.5,
        not_run=underpowered(0.5, 0.5 / n**0.5, what="the largest possible effect"),
        details={**details,
                 "paired difference": {k: diff[k] for k in ("mean", "se", "low", "high")}},
        **fields)


def _rnn_claims(rnn: dict[str, Any], profile: str) -> list[Claim]:
    c, ranks = rnn["comparisons"], rnn["ranks"]
    low, full = ranks[0], ranks[-1]
    per = rnn["per_rank"]
    change = {r: per[str(r)]["rel_change"]["mean"] for r in ranks}
    return [
        _ordering(profile, "rnn_weight_change_decreases_with_rank", c["weight_low_minus_full"],
                  statement=f"An RNN with rank-{low} initial W_rec changes its weights more than a "
                            f"full-rank one (same norm)",
                  expected=f"rel ΔW_rec(r={low}) − rel ΔW_rec(r={full}) > 0",
                  reason="low-rank initial connectivity did not change more than full rank",
                  details={"rel ΔW_rec per rank": {f"r={r}": v for r, v in change.items()},
                           "adjacent differences": c["adjacent"]["rel_change"]}),
        _ordering(profile, "rnn_kernel_alignment_increases_with_rank", c["kernel_low_minus_full"],
                  statement="The tangent kernel of W_rec moves less (higher alignment KA) for a "
                            "full-rank init than for rank 1",
                  expected=f"(1 − KA)(r={low}) − (1 − KA)(r={full}) > 0",
                  reason="the kernel alignment does not increase with the initial rank",
                  details={"1 − KA per rank": {f"r={r}": per[str(r)]["kernel_change"]["mean"]
                                               for r in ranks},
                           "adjacent differences": c["adjacent"]["kernel_change"]}),
        _ordering(profile, "rnn_representation_alignment_increases_with_rank",
                  c["representation_low_minus_full"],
                  statement="Decision-step hidden representations move less for a full-rank "
                            "init than for rank 1",
                  expected=f"(1 − RA)(r={low}) − (1 − RA)(r={full}) > 0",
                  reason="the representation alignment does not increase with the initial rank",
                  details={"1 − RA per rank": {
                      f"r={r}": per[str(r)]["representation_change"]["mean"] for r in ranks},
                      "adjacent differences": c["adjacent"]["representation_change"]}),
        _ordering(profile, "rnn_aligned_low_rank_is_lazy", c["weight_unaligned_minus_aligned"],
                  statement="A rank-1 init aligned with the task input changes less than an "
                            "unaligned rank-1 init",
                  expected="rel ΔW_rec(unaligned) − rel ΔW_rec(aligned) > 0",
                  reason="the aligned rank-1 init is not lazier than the unaligned one",
                  details={"rel ΔW_rec aligned": per[str(-1)]["rel_change"]["mean"],
                           f"rel ΔW_rec r={low}": change[low]}),
    ]


def _linear_claims(linear: dict[str, Any], profile: str) -> list[Claim]:
    c, seeds, ranks = linear["comparisons"], linear["seeds"], linear["ranks"]
    per = linear["per_rank"]
    full = ranks[-1]
    change = {r: per[str(r)]["rel_change"]["mean"] for r in ranks}
    ratio, step = c["weight_ratio_low_over_full"], c["largest_adjacent_weight_ratio"]
    nearest = c["kernel_nearest_lower_minus_full"]
    aligned = c["weight_aligned_over_full"]
    # Both the reference and this run are means over teachers: compare in units of the
    # combined standard error of the two means.
    reference = {r: LINEAR_REFERENCE.get(r) for r in ranks}
    comparable = all(v is not None for v in reference.values())
    z = {r: (change[r] - v) / (per[str(r)]["rel_change"]["se"] ** 2
                               + LINEAR_REFERENCE_SE**2) ** 0.5
         for r, v in reference.items() if v is not None}
    worst = max(z, key=lambda r: abs(z[r])) if z else None
    return [
        _claim(profile, "weight_change_decreases_with_rank", kind="qualitative",
               statement="In the linear analogue a higher initial rank gives a smaller weight "
                         "change (fixed norm)",
               expected="non-increasing in r; rel(1)/rel(d) ≥ 1.2", measured=ratio,
               context=f"rel(1)/rel(d); largest step ratio {format_number(step, 4)}",
               tolerance="rel(r_{i+1}) ≤ 1.02 rel(r_i) for all i, rel(1)/rel(d) ≥ 1.2",
               tolerance_source="2 % step allowance; ratio well above seed scatter",
               passed=step <= 1.02 and ratio >= 1.2,
               not_run=underpowered(c["weight_low_minus_full"]["mean"],
                                    c["weight_low_minus_full"]["se"] or float("nan"),
                                    what="rel(1) − rel(d)"),
               reason="the weight change is not monotone in the rank",
               details={"rel ΔW1 per rank": {f"r={r}": v for r, v in change.items()},
                        "paired rel(1) − rel(d)": c["weight_low_minus_full"],
                        "adjacent differences": c["adjacent"]["rel_change"]}),
        _claim(profile, "full_rank_smallest_kernel_change", kind="qualitative",
               statement="Among unaligned inits the full-rank one has the smallest tangent-kernel "
                         "change",
               expected="1 − KA(d) < min over r < d", measured=nearest["mean"],
               interval=_interval(nearest),
               interval_kind=f"95% paired bootstrap over {seeds} teachers",
               context=f"(1 − KA)(r={nearest['rank']}) − (1 − KA)(d), the closest lower rank",
               tolerance="1 − KA(d) < 1 − KA(r) for every r < d",
               tolerance_source="sign test on the closest rank, paired over teachers",
               passed=nearest["mean"] > 0,
               not_run=underpowered(nearest["mean"], nearest["se"] or float("nan"),
                                    what="the smallest kernel-change gap"),
               reason="a lower-rank init has a smaller kernel change than full rank",
               details={"1 − KA per rank": {f"r={r}": per[str(r)]["kernel_change"]["mean"]
                                            for r in ranks}}),
        _claim(profile, "aligned_low_rank_is_lazy", kind="qualitative",
               statement="A rank-1 init aligned with the teacher barely changes",
               expected="rel(aligned) ≤ 0.1 rel(d)", measured=aligned,
               context=f"rel(aligned)/rel(d); rel(aligned) "
                       f"{format_number(per['-1']['rel_change']['mean'], 3)}",
               tolerance="rel(aligned) ≤ 0.1 · rel(d)",
               tolerance_source="an order of magnitude below full rank",
               passed=aligned <= 0.1, reason="the aligned init changes as much as a random one",
               details={"rel ΔW1 aligned": per["-1"]["rel_change"],
                        f"rel ΔW1 r={full}": per[str(full)]["rel_change"]}),
        _claim(profile, "linear_reference_values", kind="regression",
               statement="The linear analogue reproduces the reference run's weight changes per "
                         "rank",
               expected="0.0779 … 0.0558 (r = 1 … 50)",
               measured=z[worst] if worst is not None else None,
               context=f"largest z, r = {worst}: {format_number(change[worst], 3)} vs "
                       f"{LINEAR_REFERENCE[worst]}" if worst is not None else "",
               tolerance="every |z| ≤ 3, z = difference / combined s.e. of the two means",
               tolerance_source="s.e. of both runs (reference: ±0.001, 20 teachers)",
               check_on=("cpu",) if comparable else (),
               not_run="" if comparable else "the rank grid differs from the reference run's",
               passed=worst is not None and abs(z[worst]) <= 3,
               reason="the linear analogue moved away from the reference run",
               details={"measured": {f"r={r}": per[str(r)]["rel_change"] for r in ranks},
                        "reference": {f"r={r}": v for r, v in reference.items()},
                        "z": {f"r={r}": v for r, v in z.items()}}),
    ]


def make_claims(config: Any, metrics: dict[str, Any], arrays: Any,
                profile: str) -> list[Claim]:
    return _linear_claims(metrics["linear"], profile) + _rnn_claims(metrics["rnn"], profile)
