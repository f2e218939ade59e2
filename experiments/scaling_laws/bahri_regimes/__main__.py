"""``python -m experiments.scaling_laws.bahri_regimes``: the experiment as an absl program."""

from experiments.common.app import app_main
from experiments.scaling_laws.bahri_regimes import EXPERIMENT

if __name__ == "__main__":
    app_main(EXPERIMENT)
