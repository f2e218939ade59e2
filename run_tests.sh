#!/usr/bin/env bash
# The suite's test command: bootstraps .venv if needed, lints, then runs pytest.
# Extra arguments go to pytest (e.g. ./run_tests.sh -k theory).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/bootstrap_venv.sh
export JAX_NUMPY_RANK_PROMOTION=raise
ruff check theory experiments tests benchmarks
# Two workers (the machines have 2 cores); tests sharing a whole-program fixture stay together.
python -m pytest -n 2 --dist loadgroup "$@"
