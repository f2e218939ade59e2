"""``python -m experiments.superposition.liu_scaling``: the experiment as an absl program."""

from experiments.common.app import app_main
from experiments.superposition.liu_scaling import EXPERIMENT

if __name__ == "__main__":
    app_main(EXPERIMENT)
