"""Publish stage: build next to the target, then switch it in with one atomic exchange.

``<out>`` is replaced only after a complete build exists, by exchanging the two directories in one
``renameat2(RENAME_EXCHANGE)`` call (Linux), so at every instant ``<out>`` is either the old site or
the new one — also when the process is killed. The previous version stays in ``<out>.previous`` for
``tracker rollback``. Whatever fails before the switch leaves ``<out>`` untouched.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import BuildError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> None:
    """Atomically swap two directories; falls back to two renames where the kernel lacks it."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        if result == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(err, os.strerror(err), str(b))
    spare = a.with_name(a.name + ".swap")
    a.rename(spare)
    b.rename(a)
    spare.rename(b)


def previous_of(out: Path) -> Path:
    return out.with_name(out.name + ".previous")


def _clean_leftovers(out: Path) -> None:
    """Staging directories of runs that were killed (the caller holds the run lock)."""
    for stale in out.parent.glob(f".{out.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)


def prepare(out: Path) -> Path:
    """A fresh staging directory beside ``out``; build the new site into ``<staging>/site``."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(out)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))


def switch(out: Path, staging: Path) -> Path:
    """Swap the complete build in ``<staging>/site`` into ``out``; the old site becomes ``out.previous``."""
    out = out.resolve()
    target = staging / "site"
    if not (target / "index.html").is_file():
        raise BuildError("生成的网站缺少首页 index.html，没有发布；已发布的网站没有改动。")
    if out.exists():
        _exchange(target, out)  # target now holds the old site
        previous = previous_of(out)
        if previous.exists():
            shutil.rmtree(previous)
        target.rename(previous)
    else:
        target.rename(out)
    return out


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def disk_error(exc: OSError) -> BuildError:
    return BuildError(f"生成网站时写文件失败（{exc.strerror or exc}），已发布的网站没有改动。"
                      "请检查磁盘空间和目录权限。")


def publish(out: Path, build: Callable[[Path], None]) -> Path:
    """Run ``build(tmp_dir)`` into a fresh directory beside ``out``, then swap it in. Returns ``out``."""
    staging = prepare(out)
    try:
        try:
            build(staging / "site")
        except OSError as exc:
            raise disk_error(exc) from exc
        return switch(out, staging)
    finally:
        discard(staging)


def rollback(out: Path) -> Path:
    """Swap the published site with the previous one (running it again swaps back)."""
    out = out.resolve()
    previous = previous_of(out)
    if not previous.is_dir() or not out.is_dir():
        raise BuildError(f"没有可以回退的上一版网站（{previous} 不存在）。")
    _exchange(previous, out)
    return out
