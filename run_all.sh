#!/usr/bin/env bash
# Regenerates every figure and figures/REPORT.md: bootstraps .venv if missing, runs every
# registered experiment of a profile (default: cpu), then writes the claims report.
#
#   ./run_all.sh [--profile smoke|cpu|paper] [--only NAME[,NAME]] [--plots-only] [--force]
#                [--devices N] [--out DIR] [--figures DIR]
#
# Exits non-zero if an experiment crashed; failed claims are reported, not fatal.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/bootstrap_venv.sh
exec python -m experiments.common.runner "$@"
