"""Scale-out and preemption, end to end on this machine (issue 14).

- Two local processes of one jax.distributed job (gloo CPU collectives, 127.0.0.1), one device
  each, write the same metrics.json bytes as one process with two devices and as one device.
- A run stopped by SIGTERM says in one line what it kept; one killed by SIGKILL mid-sweep loses
  only the group in flight; the rerun reloads the finished groups and ends with the bytes of an
  uninterrupted run.
- A truncated or unreadable results file is named, moved aside and recomputed.
"""

from __future__ import annotations

import concurrent.futures
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SUITE_ROOT, program_env, run_program

pytestmark = pytest.mark.slow


def _metrics(root: Path, module: str) -> bytes:
    return (root / module.replace(".", "/") / "smoke" / "metrics.json").read_bytes()


def test_two_processes_equal_two_devices_and_one_device(smoke_runs, tmp_path):
    module = "majority_tree.saturation"
    reference = smoke_runs[module][0][1]  # one process, one device (the runner's smoke run)
    common = [f"experiments.{module}", "--profile=smoke"]

    def one_process_two_devices():
        return run_program(*common, f"--out={tmp_path / 'devices'}",
                           f"--figures={tmp_path / 'fig_d'}", "--devices=2")

    def two_processes():
        return subprocess.run(
            ["bash", "scripts/launch_local.sh", "-n", "2", "--", sys.executable, "-m", *common,
             f"--out={tmp_path / 'processes'}", f"--figures={tmp_path / 'fig_p'}"],
            cwd=SUITE_ROOT, env=program_env(), capture_output=True, text=True, timeout=600)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        devices, processes = pool.map(lambda f: f(), (one_process_two_devices, two_processes))
    assert devices.returncode == 0, devices.stderr[-2000:]
    assert processes.returncode == 0, processes.stderr[-2000:]
    assert _metrics(tmp_path / "devices", module) == _metrics(reference, module)
    assert _metrics(tmp_path / "processes", module) == _metrics(reference, module)
    # gloo's own line: process 0 joined a two-process collective group.
    assert "Rank 0 is connected to 1 peer ranks" in processes.stdout + processes.stderr


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)


def test_stopped_and_killed_sweeps_resume_with_identical_bytes(smoke_runs, tmp_path):
    module = "sgd_noise.critical_temperature"
    reference = smoke_runs[module][0][1]
    stages = tmp_path / module.replace(".", "/") / "smoke" / "stages"
    command = [sys.executable, "-m", f"experiments.{module}", "--profile=smoke",
               f"--out={tmp_path}", f"--figures={tmp_path / 'fig'}"]

    def groups() -> list[Path]:
        return sorted(stages.glob("sweep-*-group*.npz"))

    # 1. SIGTERM after the first group is saved: one line, status 128 + 15, no traceback.
    proc = subprocess.Popen(command, cwd=SUITE_ROOT, env=program_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: len(groups()) >= 1, proc)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 128 + signal.SIGTERM, stderr[-2000:]
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if "interrupted;" in line]
    assert len(lines) == 1 and re.search(
        r"interrupted; \d+ of \d+ groups kept in .*stages; rerun the same command to resume",
        lines[0]), stderr[-2000:]
    kept = len(groups())
    assert kept >= 1

    # 2. SIGKILL once one more group is saved: nothing can run at exit.
    proc = subprocess.Popen(command, cwd=SUITE_ROOT, env=program_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: len(groups()) > kept, proc)
    proc.kill()
    proc.wait()
    assert len(groups()) > kept
    assert not (stages.parent / "run.json").exists()

    # 3. The rerun reloads the finished groups and ends with an uninterrupted run's bytes.
    rerun = subprocess.run(command, cwd=SUITE_ROOT, env=program_env(), capture_output=True,
                           text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert "reloaded" in rerun.stderr
    assert _metrics(tmp_path, module) == _metrics(reference, module)
    assert not groups()


def _broken_copy(reference: Path, folder: Path, root: Path, name: str) -> Path:
    shutil.copytree(reference / folder, root / folder)
    broken = root / folder / name
    broken.write_bytes(broken.read_bytes()[: len(broken.read_bytes()) // 2])  # truncated
    return broken


@pytest.mark.parametrize("name", ["metrics.json", "arrays.npz", "run.json"])
def test_a_corrupt_results_file_is_named_moved_aside_and_recomputed(smoke_runs, tmp_path, name):
    module = "majority_tree.touchpoints"
    folder = Path(module.replace(".", "/")) / "smoke"
    reference = smoke_runs[module][0][1]
    _broken_copy(reference, folder, tmp_path, name)
    rerun = run_program(f"experiments.{module}", "--profile=smoke", f"--out={tmp_path}",
                        f"--figures={tmp_path / 'fig'}")
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert name in rerun.stderr and "moved aside" in rerun.stderr
    assert "Traceback" not in rerun.stderr
    assert _metrics(tmp_path, module) == _metrics(reference, module)
    assert list((tmp_path / folder).glob(f"{name}.corrupt-*"))


def test_plots_only_on_a_corrupt_results_file_is_a_usage_error(smoke_runs, tmp_path):
    module = "majority_tree.touchpoints"
    folder = Path(module.replace(".", "/")) / "smoke"
    _broken_copy(smoke_runs[module][0][1], folder, tmp_path, "arrays.npz")
    proc = run_program(f"experiments.{module}", "--profile=smoke", f"--out={tmp_path}",
                       f"--figures={tmp_path / 'fig'}", "--plots-only")
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "arrays.npz" in lines[0] and "--plots_only" in lines[0]
    assert "Traceback" not in proc.stderr
