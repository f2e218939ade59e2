"""What ``rich_lazy_init`` simulates: the initial connectivity, the rate RNN (Flax), the
two-alternative decision task it learns, and the two-layer linear analogue.

Initial connectivity [stand-in for Liu et al.'s protocol, which is read from the paper's
abstract and the issue's description of the authors' code]: one Gaussian draw G per seed,
truncated by SVD to its top r singular triplets and rescaled to the Frobenius norm of G, so
every rank has the same norm; the aligned control is rank one with a chosen direction.

All functions are pure and vmappable over lanes (rank, seed); ranks are traced.
"""

from __future__ import annotations

from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

Array = jax.Array
N_INPUTS = 3  # fixation, evidence for choice 1, evidence for choice 2
N_OUTPUTS = 3  # fixate, choice 1, choice 2


# --- initial connectivity ----------------------------------------------------------------------


def rank_truncate(G: Array, rank: Array) -> Array:
    """Top-``rank`` SVD truncation of G, rescaled to ‖G‖_F (``rank`` may be traced)."""
    u, s, vt = jnp.linalg.svd(G, full_matrices=False)
    kept = jnp.where(jnp.arange(s.shape[0]) < rank, s, 0.0)
    truncated = (u * kept[None, :]) @ vt
    return truncated * (jnp.linalg.norm(G) / jnp.linalg.norm(truncated))


def rank_one(norm: Array, left: Array, right: Array) -> Array:
    """norm · û v̂ᵀ with unit vectors û, v̂ along ``left`` and ``right`` (Frobenius norm ``norm``)."""
    return norm * jnp.outer(left / jnp.linalg.norm(left), right / jnp.linalg.norm(right))


def singular_values(W: Array) -> Array:
    return jnp.linalg.svd(W, compute_uv=False)


# --- the rate RNN ------------------------------------------------------------------------------


class RateRNN(nn.Module):
    """h_{t+1} = ReLU((1 − a) h_t + a (W_in x_t + W_rec h_t)), logits_t = W_out h_{t+1}.

    No biases, h_0 = 0 (the authors' code). Initialisation: W_in ~ N(0, 1/n_in), W_out ~
    N(0, 1/N), W_rec ~ N(0, g²/N) with g = ``gain``; ``rich_lazy_init`` then replaces W_rec
    by the rank-truncated draw.
    """

    hidden: int
    leak: float = 1.0  # a; 1 gives h_{t+1} = ReLU(W_in x_t + W_rec h_t)
    gain: float = 1.25

    def setup(self) -> None:
        self.W_in = self.param("W_in", nn.initializers.normal(N_INPUTS ** -0.5),
                               (self.hidden, N_INPUTS))
        self.W_rec = self.param("W_rec", nn.initializers.normal(self.gain / self.hidden**0.5),
                                (self.hidden, self.hidden))
        self.W_out = self.param("W_out", nn.initializers.normal(self.hidden ** -0.5),
                                (N_OUTPUTS, self.hidden))

    def hidden_states(self, inputs: Array) -> Array:
        """(T, n_in) inputs of one trial → (T, N) states h_1 … h_T."""

        def step(h: Array, x: Array) -> tuple[Array, Array]:
            pre = (1.0 - self.leak) * h + self.leak * (self.W_in @ x + self.W_rec @ h)
            h = jax.nn.relu(pre)
            return h, h

        _, states = jax.lax.scan(step, jnp.zeros(self.hidden, inputs.dtype), inputs)
        return states

    def __call__(self, inputs: Array) -> Array:
        """(T, n_in) → (T, n_out) logits at every step."""
        return self.hidden_states(inputs) @ self.W_out.T


# --- the task: a two-alternative perceptual decision --------------------------------------------


def decision_trials(key: Array, trials: int, coherences: Array, stimulus_steps: int,
                    noise: float) -> tuple[Array, Array, Array]:
    """``trials`` trials of the perceptual decision task, generated on device.

    Each trial draws a signed coherence c uniformly from ``±coherences``. For ``stimulus_steps``
    steps the inputs are fixation = 1 and evidence (1 ± c)/2 + noise·ξ for choices 1 and 2; one
    decision step follows with every input 0. Targets: class 0 (fixate) during the stimulus,
    class 1 if c > 0 else 2 at the decision step.

    Returns: inputs (trials, T, 3), targets (trials, T) int32, signed coherence (trials,).
    """
    k_c, k_sign, k_noise = jax.random.split(key, 3)
    magnitude = jax.random.choice(k_c, jnp.asarray(coherences, jnp.float32), (trials,))
    sign = jax.random.rademacher(k_sign, (trials,), dtype=jnp.float32)
    c = sign * magnitude
    noise_draw = noise * jax.random.normal(k_noise, (trials, stimulus_steps, 2))
    evidence = 0.5 * (1.0 + jnp.stack([c, -c], axis=-1))[:, None, :] + noise_draw
    fixation = jnp.ones((trials, stimulus_steps, 1))
    stimulus = jnp.concatenate([fixation, evidence], axis=-1)
    inputs = jnp.concatenate([stimulus, jnp.zeros((trials, 1, N_INPUTS))], axis=1)
    answer = jnp.where(c > 0, 1, 2).astype(jnp.int32)
    targets = jnp.concatenate([jnp.zeros((trials, stimulus_steps), jnp.int32), answer[:, None]],
                              axis=1)
    return inputs, targets, c


def cross_entropy(logits: Array, targets: Array) -> Array:
    """Mean over trials and steps of the softmax cross-entropy (every step is supervised)."""
    log_p = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.mean(jnp.take_along_axis(log_p, targets[..., None], axis=-1))


def decision_accuracy(logits: Array, targets: Array) -> Array:
    """Fraction of trials whose decision-step argmax is the right choice."""
    return jnp.mean(jnp.argmax(logits[:, -1], axis=-1) == targets[:, -1])


# --- the two-layer linear analogue --------------------------------------------------------------


def linear_population_loss(params: dict[str, Array], beta: Array) -> Array:
    """½ ‖W1ᵀ w2 − β‖²: the MSE of f(x) = w2ᵀ W1 x against y = βᵀx under x ~ N(0, I)."""
    return 0.5 * jnp.sum((params["W1"].T @ params["w2"] - beta) ** 2)


def linear_student(params: dict[str, Any], X: Array) -> Array:
    """f(X) = X W1ᵀ w2 for a batch of inputs (the network whose tangent kernel is measured)."""
    return X @ params["W1"].T @ params["w2"]
