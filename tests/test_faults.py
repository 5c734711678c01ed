"""Faults of an unattended nightly job (issue 14): a killed run's workers, poisoned history, file systems,
the data directory's permissions, unique snapshot names."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracker.demo import generate
from tracker.writers import write_register

PASSWORD = "zanuxi-ledesa-nasiji-pudeha-580"


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = {int(k) for k in (task / "children").read_text().split()}
            except OSError:
                continue
            todo.extend(kids - found)
            found |= kids
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _nightly(root: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tracker", "nightly", "--source", str(root / "reg.xlsx"), "--out",
            str(root / "public"), "--data", str(root / "data"), "--as-of", "2026-11-15", "--quiet", *extra]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_kill_9_during_rendering_leaves_no_worker_and_no_lock(tmp_path: Path) -> None:
    write_register(generate(villages=60, households=900, seed=3), tmp_path / "reg.xlsx")
    env = {**os.environ, "TRACKER_COUNTY_PASSWORD": PASSWORD, "TRACKER_JOBS": "2"}
    proc = subprocess.Popen(_nightly(tmp_path), cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if len(workers) >= 2:  # the theme job and the page workers are forked: the run is rendering
            break
        time.sleep(0.01)
    assert workers, "the run never forked its workers"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    try:
        assert not [w for w in workers if _alive(w)], "forked workers outlived the killed run"
    finally:
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker, signal.SIGKILL)
    nxt = subprocess.run(_nightly(tmp_path), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert nxt.returncode == 0, nxt.stderr
    assert (tmp_path / "public" / "index.html").is_file()


def test_a_forked_child_does_not_hold_the_run_lock(tmp_path: Path) -> None:
    """Even a child that outlives its run (no parent-death signal) leaves the lock to the next run."""
    code = ("import os, sys, time\nfrom pathlib import Path\nfrom tracker.lock import run_lock\n"
            f"with run_lock(Path({str(tmp_path)!r})):\n"
            "    if os.fork() == 0:\n        time.sleep(60)\n        os._exit(0)\n"
            "    print(flush=True)\n    os._exit(0)  # as if killed: the lock's finally never runs\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()  # type: ignore[union-attr]
    proc.wait(timeout=30)
    from tracker.lock import run_lock

    try:
        with run_lock(tmp_path):
            pass
    finally:
        subprocess.run(["pkill", "-f", str(tmp_path)], check=False)
