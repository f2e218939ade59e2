"""phase_diagram (SGD-noise pillar): derived metrics and bad flags.

Spec §8.2 checks covered here: divergence-edge helpers and cell states; bad flags exit with
status 2. The data, FC network, vmap-cell and stopping-rule tests of the shared FC run are in
test_shared.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.sgd_noise.phase_diagram import metrics as pdm
from tests.sgd_noise.helpers import assert_bad_flag_is_refused


def test_divergence_edge_helpers():
    temps = 2.0 ** np.arange(-6, 0, dtype=float)
    none = np.zeros(6, bool)
    diverged = np.array([0, 0, 0, 1, 1, 1], bool)
    t_max, flag = pdm.divergence_edge(temps, diverged, none)
    assert flag == "none" and t_max == pytest.approx(np.sqrt(temps[2] * temps[3]))
    assert pdm.divergence_edge(temps, np.zeros(6, bool), none)[1] == "right"
    assert pdm.divergence_edge(temps, np.ones(6, bool), none)[1] == "left"
    log2a = np.array([-6.0, -3.0, 0.0, 3.0])
    edges = 2.0 ** (np.array([-8.5, -6.5, -4.5, np.nan]))
    assert pdm.edge_slope(log2a, edges) == pytest.approx(2.0 / 3.0)
    status = np.array([[[1, 1], [3, 1], [2, 1]], [[4, 4], [1, 1], [1, 1]]])
    assert pdm.cell_state(status).tolist() == [[0, 1, 2], [3, 0, 0]]


@pytest.mark.parametrize("flag", ["--batch=500", "--log2_temperatures=-4,-10", "--max_steps=3",
                                  "--activation=tanh"])
def test_bad_flags_are_refused(flag):
    assert_bad_flag_is_refused("phase_diagram", flag)
