"""Run locks: a second run while one is going exits at once; a killed run's lock does not block.

A lock is an ``flock`` on a file, so the kernel releases it when the holding process dies, however it dies:
there is no stale lock to clean up. The file records the holder's pid and start time for the message the
second run prints. One lock per data directory (:func:`run_lock`) keeps two runs from sharing a history; one
beside each site directory (:func:`tracker.pipeline.publish.out_lock`) keeps two runs from publishing into one site.

A forked child (the build's workers) would share the lock's open file, and with it the lock, for as long as
it lives: every forked child therefore lets go of its copy at once (:func:`_drop_in_child`), so only the run
itself ever holds the lock.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .clock import stamp
from .errors import ConfigError, TrackerError
from .private_files import private_dir


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


def holder_text(info: dict[str, Any]) -> str:
    try:
        return f"进程 {info['pid']}，{info['started']} 开始"
    except (KeyError, TypeError):
        return "另一个进程"


@contextmanager
def file_lock(path: Path, busy: Callable[[dict[str, Any]], str], record: dict[str, Any] | None = None,
              ) -> Iterator[None]:
    """Hold an ``flock`` on ``path`` (created 0600) or raise :class:`LockedError` with ``busy(holder's record)``.
    The file holds this run's pid, start time and ``record`` while the lock is held."""
    handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600), "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            try:
                info = json.loads(handle.read().strip() or "{}")
            except ValueError:
                info = {}
            raise LockedError(busy(info if isinstance(info, dict) else {})) from None
        handle.seek(0)
        handle.truncate()
        mine = {"pid": os.getpid(), "started": stamp(), **(record or {})}
        handle.write(json.dumps(mine, ensure_ascii=False))
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


@contextmanager
def run_lock(data_dir: Path, name: str = "nightly.lock") -> Iterator[None]:
    """The data directory's lock (the directory is created 0700 when missing)."""
    entered = False
    try:
        private_dir(data_dir)
        with file_lock(data_dir / name, lambda info: (
                f"另一次任务正在运行（{holder_text(info)}），本次不再重复运行；如需立即运行，请等它结束后再试。")):
            entered = True
            yield
    except OSError as exc:
        if entered:
            raise
        raise ConfigError(f"无法使用数据目录 {data_dir}（{exc.strerror or exc}）：请检查这个目录是否存在、是否只读、"
                          "运行 tracker 的用户有没有写权限。") from exc
