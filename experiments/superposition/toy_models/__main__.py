"""``python -m experiments.superposition.toy_models``: the experiment as an absl program."""

from experiments.common.app import app_main
from experiments.superposition.toy_models import EXPERIMENT

if __name__ == "__main__":
    app_main(EXPERIMENT)
