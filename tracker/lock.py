"""A run lock: a second run while one is going exits at once; a killed run's lock does not block.

The lock is an ``flock`` on a file in the data directory, so the kernel releases it when the holding
process dies, however it dies: there is no stale lock to clean up. The file records the holder's pid
and start time for the message the second run prints.

A forked child (the build's workers) would share the lock's open file, and with it the lock, for as long as
it lives: every forked child therefore lets go of its copy at once (:func:`_drop_in_child`), so only the run
itself ever holds the lock.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from .errors import TrackerError


class LockedError(TrackerError):
    exit_code = 75  # EX_TEMPFAIL: try again later


_HELD: set[int] = set()  # descriptors of the locks this process holds


def _drop_in_child() -> None:
    """After a fork, in the child: point each inherited lock descriptor at /dev/null.  The child's reference to
    the locked file is gone (the parent's lock is untouched: no LOCK_UN), and the descriptor number stays valid
    for the file object that owns it."""
    if not _HELD:
        return
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        for fd in _HELD:
            os.dup2(null, fd)
    finally:
        os.close(null)
    _HELD.clear()


os.register_at_fork(after_in_child=_drop_in_child)


@contextmanager
def run_lock(data_dir: Path, name: str = "nightly.lock") -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / name
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            try:
                info = json.loads(holder)
                who = f"进程 {info['pid']}，{info['started']} 开始"
            except (ValueError, KeyError):
                who = "另一个进程"
            raise LockedError(
                f"另一次任务正在运行（{who}），本次不再重复运行；如需立即运行，请等它结束后再试。"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "started": datetime.now().isoformat(timespec="seconds")}))
        handle.flush()
        _HELD.add(handle.fileno())
        try:
            yield
        finally:
            _HELD.discard(handle.fileno())
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()
