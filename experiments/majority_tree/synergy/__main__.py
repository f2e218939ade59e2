"""``python -m experiments.majority_tree.synergy``: the experiment as an absl program."""

from experiments.common.app import app_main
from experiments.majority_tree.synergy import EXPERIMENT

if __name__ == "__main__":
    app_main(EXPERIMENT)
