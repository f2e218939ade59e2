"""The baseline of ``benchmarks/superposition.py``: Liu et al.'s toy models trained one at a time.

Written the way the paper's released code runs (PyTorch on CPU, one model per process step loop):
for every model and every step a fresh batch is drawn with two uniforms (one for the Bernoulli
event, one for the value), the loss is ``nn.MSELoss`` (mean over batch and features), and the
modified AdamW applies the decay (γ ≥ 0) or the growth towards unit row norm (γ < 0) to W before
an Adam step, with warm-up and a cosine schedule to a 5 % floor. It exists only to be timed.
"""

from __future__ import annotations

import math
import time

import numpy as np

try:
    import torch
except ImportError:  # the optional [bench] extra is not installed
    torch = None


def torch_available() -> bool:
    return torch is not None


def learning_rate(step: int, *, peak: float, warmup: int, steps: int) -> float:
    """Warm-up to ``peak`` over ``warmup`` steps, then cosine to 5 % of it (steps from 1)."""
    if step <= warmup:
        return peak * step / warmup
    floor = 0.05 * peak
    progress = (step - warmup) / (steps - warmup)
    return floor + (peak - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def train_one(p: np.ndarray, m: int, gamma: float, *, batch: int, steps: int, warmup: int,
              lr: float = 1e-2, seed: int = 0) -> float:
    """Trains one model; returns its final training loss (sum over features)."""
    gen = torch.Generator().manual_seed(seed)
    n = p.size
    probs = torch.as_tensor(p, dtype=torch.float32)
    weight = (torch.randn(n, m, generator=gen) / math.sqrt(m)).requires_grad_()
    bias = torch.randn(n, generator=gen).requires_grad_()
    moments = {id(t): (torch.zeros_like(t), torch.zeros_like(t)) for t in (weight, bias)}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    loss = torch.zeros(())
    for step in range(1, steps + 1):
        active = torch.rand(batch, n, generator=gen) < probs
        x = active * torch.rand(batch, n, generator=gen) * 2.0
        y = torch.relu(x @ weight @ weight.T + bias)
        loss = torch.nn.functional.mse_loss(y, x)
        weight.grad = bias.grad = None
        loss.backward()
        eta = learning_rate(step, peak=lr, warmup=warmup, steps=steps)
        with torch.no_grad():
            if gamma >= 0:
                weight.sub_(eta * gamma * weight)
            else:
                norms = weight.norm(dim=1, keepdim=True)
                weight.sub_(eta * gamma * weight * (1.0 / (norms + 1e-8) - 1.0))
            for param in (weight, bias):
                m1, m2 = moments[id(param)]
                m1.mul_(beta1).add_(param.grad, alpha=1 - beta1)
                m2.mul_(beta2).addcmul_(param.grad, param.grad, value=1 - beta2)
                denom = (m2 / (1 - beta2**step)).sqrt().add_(eps)
                param.sub_(eta / (1 - beta1**step) * m1 / denom)
    return float(loss.detach()) * n


def time_models(p: np.ndarray, widths: list[int], gammas: list[float], *, batch: int,
                steps: int, warmup: int, threads: int) -> tuple[float, int]:
    """Wall seconds to train every (m, γ) model one after another, and the model-steps done."""
    torch.set_num_threads(threads)
    start = time.perf_counter()
    for m in widths:
        for gamma in gammas:
            train_one(p, m, gamma, batch=batch, steps=steps, warmup=warmup)
    return time.perf_counter() - start, len(widths) * len(gammas) * steps
