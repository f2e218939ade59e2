"""Unit tests of experiments.common.plotting: figure saving."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from experiments.common import plotting


@pytest.mark.parametrize("profile", ["smoke", "cpu"])
def test_save_figure_writes_the_profile_formats_with_stable_bytes(tmp_path, profile):
    def draw(directory):
        plotting.use_style(profile)
        fig, ax = plt.subplots()
        ax.errorbar([1, 2, 3], [1.0, 0.5, 0.2], yerr=0.1, fmt="o", label="data α")
        ax.set(xlabel="m", ylabel="L")
        return plotting.save_figure(fig, directory, "figure")

    first, second = draw(tmp_path / "a"), draw(tmp_path / "b")
    assert [p.suffix for p in first] == [".png"] + ([".pdf"] if profile == "cpu" else [])
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    plotting.use_style("cpu")
