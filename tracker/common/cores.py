"""How many processes a build may use (every core, or ``TRACKER_JOBS`` when several builds share a machine),
and pools of forked workers that share this process's data without copying it."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress

ENV_JOBS = "TRACKER_JOBS"


def jobs() -> int:
    """``TRACKER_JOBS`` (a whole number >= 1; anything else is ignored), else the number of cores."""
    value = os.environ.get(ENV_JOBS, "").strip()
    if value.isdigit() and int(value) >= 1:
        return int(value)
    return os.cpu_count() or 1


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """In a forked worker: be killed by the kernel when the process that forked it dies (Linux), and leave at
    once if it is already gone.  A ``kill -9`` of a run then takes its workers with it: none is left blocked
    on a pipe, holding memory (or, before :mod:`tracker.common.lock` let go of inherited locks, the run lock)."""
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died between the fork and the prctl
        os._exit(1)


def fork_pool(workers: int) -> ProcessPoolExecutor | None:
    """A pool of ``workers`` forked processes that die with this one, or None where fork is unavailable (the
    caller then works in this process). The workers are forked at the first submit, from the submitting
    thread (submit from the main thread: the kernel ties a worker's life to that thread); do that inside
    :func:`frozen_heap`."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Freeze the collector's view of the heap while forking: a forked child then never walks (and so never
    copies, page by page) the data it inherited."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
