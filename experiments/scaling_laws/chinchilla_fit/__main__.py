"""``python -m experiments.scaling_laws.chinchilla_fit``: the experiment as an absl program."""

from experiments.common.app import app_main
from experiments.scaling_laws.chinchilla_fit import EXPERIMENT

if __name__ == "__main__":
    app_main(EXPERIMENT)
