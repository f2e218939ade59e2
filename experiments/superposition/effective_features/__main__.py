"""``python -m experiments.superposition.effective_features``: the experiment as an absl program."""

from experiments.common.app import app_main
from experiments.superposition.effective_features import EXPERIMENT

if __name__ == "__main__":
    app_main(EXPERIMENT)
