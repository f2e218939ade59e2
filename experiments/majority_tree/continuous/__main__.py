"""``python -m experiments.majority_tree.continuous``: the experiment as an absl program."""

from experiments.common.app import app_main
from experiments.majority_tree.continuous import EXPERIMENT

if __name__ == "__main__":
    app_main(EXPERIMENT)
