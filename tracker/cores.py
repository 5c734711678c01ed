"""How many processes a build may use (every core, or ``TRACKER_JOBS`` when several builds share a machine),
and pools of forked workers that share this process's data without copying it."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

ENV_JOBS = "TRACKER_JOBS"


def jobs() -> int:
    """``TRACKER_JOBS`` (a whole number >= 1; anything else is ignored), else the number of cores."""
    value = os.environ.get(ENV_JOBS, "").strip()
    if value.isdigit() and int(value) >= 1:
        return int(value)
    return os.cpu_count() or 1


def fork_pool(workers: int) -> ProcessPoolExecutor | None:
    """A pool of ``workers`` forked processes, or None where fork is unavailable (the caller then works in
    this process). The workers are forked at the first submit: do that inside :func:`frozen_heap`."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Freeze the collector's view of the heap while forking: a forked child then never walks (and so never
    copies, page by page) the data it inherited."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
