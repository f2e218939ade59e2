"""``python -m experiments.sgd_noise.critical_temperature``: the experiment as an absl program."""

from experiments.common.app import app_main
from experiments.sgd_noise.critical_temperature import EXPERIMENT

if __name__ == "__main__":
    app_main(EXPERIMENT)
