"""Flag checks shared by the majority-tree experiments (a bad value exits with status 2)."""

from __future__ import annotations

from experiments.common import config as cfg

FANIN = cfg.odd_int_in(3, 31)
FANINS = cfg.each(FANIN)
DEPTH = cfg.int_at_least(1)
PROBABILITY = cfg.probability()
PROBABILITIES = cfg.each(PROBABILITY)
FIDELITY = cfg.float_in(0.0, 1.0, lo_open=True)
CORRELATION = cfg.float_in(0.0, 1.0, hi_open=True)
BIAS = cfg.float_in(-1.0, 1.0)
TRIALS = cfg.int_at_least(1)
# Trees per chunk come from mc_chunk_elems (leaves per chunk and configuration). On 2 CPU
# cores 2^15 keeps a chunk's random words in cache: measured 5-7x more leaves/s than 2^20
# (benchmarks/majority_tree.py); GPUs want large chunks (2^24 in the paper profiles).
CHUNK_ELEMS = cfg.int_at_least(1)
CONFIG_BATCH = cfg.int_at_least(1)
SEED_STREAM_COUNT = cfg.int_at_least(1)
