"""``python -m experiments.sgd_noise.phase_diagram``: the experiment as an absl program."""

from experiments.common.app import app_main
from experiments.sgd_noise.phase_diagram import EXPERIMENT

if __name__ == "__main__":
    app_main(EXPERIMENT)
