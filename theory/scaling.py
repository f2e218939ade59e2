"""Closed forms of the scaling-law pillar (specs/scaling_laws.md §4), gathered in one namespace.

- ``theory.scaling_rf``: the random-feature teacher-student model of Bahri et al. (learning
  curves, variance- and resolution-limited predictions, the D <-> P duality).
- ``theory.scaling_chinchilla``: the Chinchilla loss L(N, D) = E + A/N^α + B/D^β and its
  compute-optimal allocation (Hoffmann et al.; Besiroglu et al.'s replication).
- ``theory.scaling_forms``: the other law forms of the spec (sparsing, massive activations,
  densing, information capacity, hot-mess incoherence).
"""

from theory.scaling_chinchilla import *  # noqa: F403
from theory.scaling_forms import *  # noqa: F403
from theory.scaling_rf import *  # noqa: F403
