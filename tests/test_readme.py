"""The README's library examples run as written, each in a fresh interpreter (no global JAX
switch beyond what the example itself sets)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from experiments.common.results import SUITE_ROOT

EXAMPLES = re.findall(r"```python\n(.*?)```", (SUITE_ROOT / "README.md").read_text(), re.S)


def test_the_readme_has_library_examples():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_readme_example_runs_in_a_fresh_interpreter(index):
    proc = subprocess.run([sys.executable, "-c", EXAMPLES[index]], cwd=SUITE_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
