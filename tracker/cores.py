"""How many processes a build may use: every core, or ``TRACKER_JOBS`` when several builds share a machine."""

from __future__ import annotations

import os

ENV_JOBS = "TRACKER_JOBS"


def jobs() -> int:
    """``TRACKER_JOBS`` (a whole number >= 1; anything else is ignored), else the number of cores."""
    value = os.environ.get(ENV_JOBS, "").strip()
    if value.isdigit() and int(value) >= 1:
        return int(value)
    return os.cpu_count() or 1
