"""Running the measured processes: each in a fresh interpreter, reaped with ``os.wait4`` for its own figures.

The harness itself never imports ``tracker``: every measured process pays for its own interpreter start,
imports and cold caches.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_sizes import REPO, SCRIPTS

WORKER = SCRIPTS / "bench_worker.py"


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and shows the end of its stderr."""


@dataclass
class Proc:
    """One finished process: wall seconds from start to exit, CPU seconds (user + system, its reaped children
    included: the forked mkdocs skeleton, the PBKDF2 pool) and peak RSS (the largest single process of its
    tree, not their sum)."""

    argv: list[str]
    returncode: int
    seconds: float
    cpu_seconds: float
    peak_mb: float
    stdout: str
    stderr: str

    def tail(self, lines: int = 12) -> str:
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        return "\n".join(text[-lines:])


def _maxrss_mb(usage: Any) -> float:
    # ru_maxrss: kilobytes on Linux, bytes on macOS.
    return usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def child_env() -> dict[str, str]:
    """The environment of every measured process: the checkout's ``tracker`` first, no ``TRACKER_*`` settings,
    bytecode cached as an installed package has it (no ``PYTHONDONTWRITEBYTECODE``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def run_all(argvs: Sequence[Sequence[str]], cwd: Path, width: int | None = None) -> tuple[list[Proc], float]:
    """Run every command, at most ``width`` at once (default: all at once), starting the next as one ends; wait
    for all. Returns each process (in the order given) and the wall time until the last ended.

    Each process is reaped with ``os.wait4``, which gives that child's own peak RSS and CPU time
    (``RUSAGE_CHILDREN`` would mix all children so far).
    """
    env = child_env()
    width = width or len(argvs)
    with ExitStack() as stack:
        files = [(stack.enter_context(tempfile.TemporaryFile()), stack.enter_context(tempfile.TemporaryFile()))
                 for _ in argvs]
        procs: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
        started = time.perf_counter()

        def start(i: int) -> None:
            out, err = files[i]
            p = subprocess.Popen(list(argvs[i]), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            procs[p.pid] = (p, time.perf_counter())

        try:
            waiting = list(range(len(argvs)))
            while waiting and len(procs) < width:
                start(waiting.pop(0))
            ended: dict[int, tuple[int, float, float, float]] = {}
            while len(ended) < len(procs):
                pid, status, usage = os.wait4(-1, 0)
                if pid in procs:
                    p, begun = procs[pid]
                    p.returncode = os.waitstatus_to_exitcode(status)
                    ended[pid] = (p.returncode, time.perf_counter() - begun, usage.ru_utime + usage.ru_stime,
                                  _maxrss_mb(usage))
                    if waiting:
                        start(waiting.pop(0))
            wall = time.perf_counter() - started
        finally:
            for p, _ in procs.values():
                if p.returncode is None:
                    p.kill()
                    p.wait()
        results = []
        for (p, _), (out, err) in zip(procs.values(), files, strict=True):
            rc, seconds, cpu, peak = ended[p.pid]
            out.seek(0)
            err.seek(0)
            results.append(Proc(list(p.args), rc, seconds, cpu, peak, out.read().decode("utf-8", "replace"),
                                err.read().decode("utf-8", "replace")))
        return results, wall


def run(argv: Sequence[str], cwd: Path) -> Proc:
    return run_all([argv], cwd)[0][0]


def run_ok(argv: Sequence[str], cwd: Path, what: str) -> Proc:
    proc = run(argv, cwd)
    if proc.returncode != 0:
        raise BenchError(f"{what} failed (exit {proc.returncode}): {' '.join(argv)}\n{proc.tail()}")
    return proc


def tracker(*args: str) -> list[str]:
    return [sys.executable, "-m", "tracker", *args]


def mkdocs(*args: str) -> list[str]:
    """A bare ``mkdocs`` command (the reference build): the config it is given names nothing of the tracker."""
    return [sys.executable, "-m", "mkdocs", *args]


def worker_cmd(task: str, **args: Any) -> list[str]:
    """A task of :mod:`bench_worker` (the in-process parts) in a fresh interpreter."""
    return [sys.executable, str(WORKER), task, json.dumps(args, ensure_ascii=False)]


def tree_size(root: Path) -> tuple[int, int]:
    """(bytes of all files, number of .html files) under ``root``."""
    total = html = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                total += os.path.getsize(path)
                html += name.endswith(".html")
    return total, html


def remove_site(out: Path) -> None:
    for path in (out, out.with_name(out.name + ".previous")):
        shutil.rmtree(path, ignore_errors=True)


def load_average() -> float | None:
    """The 1-minute load average (other work on the machine makes every figure slower)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
