"""Liu, Liu & Gore toy model (spec superposition.md §2.1): the network and its dense and sparse
losses (``network``), the Liu AdamW and schedule (``optimizer``), the sweep trainer (``train``)."""

from experiments.superposition.liu_scaling.model.network import (
    V_MAX,
    Params,
    batch_loss_sum,
    forward,
    init_params,
    objective,
    sparse_loss_and_grads,
)
from experiments.superposition.liu_scaling.model.optimizer import (
    add_signed_decay,
    decay_direction,
    decay_increment,
    liu_adamw,
    schedule,
)
from experiments.superposition.liu_scaling.model.train import (
    DATA_STREAM,
    EVAL_STREAM,
    INIT_STREAM,
    InstanceHParams,
    TrainSettings,
    WidthGroup,
    eval_seeds,
    instance_optimizer,
    losses_and_grads,
    make_hparams,
    sparse_layout,
    train_seeds,
    train_sweep,
    train_widths,
    training_words,
)

__all__ = [
    "DATA_STREAM", "EVAL_STREAM", "INIT_STREAM", "V_MAX", "InstanceHParams", "Params",
    "TrainSettings", "add_signed_decay", "batch_loss_sum", "decay_direction", "decay_increment",
    "eval_seeds", "forward", "init_params", "instance_optimizer", "liu_adamw", "losses_and_grads",
    "make_hparams", "objective", "schedule", "sparse_layout", "sparse_loss_and_grads",
    "train_seeds", "train_sweep", "training_words", "train_widths", "WidthGroup",
]
