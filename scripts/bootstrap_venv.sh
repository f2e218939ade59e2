#!/usr/bin/env bash
# Creates the project's virtual environment (.venv) from constraints.txt when it is missing or
# stale, so that run_all.sh and run_tests.sh each work first on a fresh clone. Sourced by both.
# Stale means: pyproject.toml, constraints.txt or this script changed since the last install.
set -euo pipefail

suite_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$suite_root/.venv"
stamp="$venv/.installed-from"

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "error: Python 3.11 not found (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

wanted="$(cat "$suite_root/pyproject.toml" "$suite_root/constraints.txt" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  python_bin="$(find_python)"
  echo "[bootstrap] creating $venv with $python_bin (pinned by constraints.txt)" >&2
  "$python_bin" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  # compat mode: a .pth file puts the suite root on sys.path, so new packages import at once.
  "$venv/bin/python" -m pip install --quiet -c "$suite_root/constraints.txt" -e "$suite_root[test]" \
    --config-settings editable_mode=compat
  echo "$wanted" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
