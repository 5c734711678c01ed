"""Pause the cyclic garbage collector while building many small acyclic objects.

Its repeated scans of a growing heap otherwise cost more than building the objects themselves
(a million findings, or the rows of a 50,000-household demo register).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
