"""``python -m experiments.majority_tree.saturation``: the experiment as an absl program."""

from experiments.common.app import app_main
from experiments.majority_tree.saturation import EXPERIMENT

if __name__ == "__main__":
    app_main(EXPERIMENT)
