"""Publish stage: build next to the target, then switch it in with one atomic exchange.

``<out>`` is replaced only after a complete build exists, by exchanging the two directories in one
``renameat2(RENAME_EXCHANGE)`` call (Linux), so at every instant ``<out>`` is either the old site or
the new one — also when the process is killed. The previous version stays in ``<out>.previous`` for
``tracker rollback``. Whatever fails before the switch leaves ``<out>`` untouched.

Beside ``<out>`` also live: ``.<out>.lock`` (held while a run publishes there, :func:`out_lock`),
``.<out>.owner`` (the data directory whose nightly job publishes there, :func:`check_owner`) and
``.<out>.skeleton/`` (the theme cache: no personal data, hard-linked into each new site).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.common import BuildError, ConfigError, file_lock, holder_text

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


def beside(out: Path, what: str) -> Path:
    """``.<out>.<what>`` in the site directory's parent (not served: outside the site)."""
    out = out.resolve()
    return out.parent / f".{out.name}.{what}"


def skeleton_cache(out: Path) -> Path:
    return beside(out, "skeleton")


def _unwritable(folder: Path, exc: OSError) -> BuildError:
    return BuildError(f"不能在 {folder} 里生成网站（{exc.strerror or exc}）：请检查这个目录是否存在、是否只读、"
                      "运行 tracker 的用户有没有写权限，或用 --out 换一个网站目录。已发布的网站没有改动。")


@contextmanager
def out_lock(out: Path, data_dir: Path | None = None) -> Iterator[None]:
    """Hold the site directory's lock: two runs (two data directories, or a build beside a nightly job) never
    publish into one site at the same time."""
    out = out.resolve()
    entered = False
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        record = {"data_dir": str(data_dir.resolve())} if data_dir is not None else {}
        with file_lock(beside(out, "lock"), lambda info: (
                f"另一次任务正在向网站目录 {out} 发布（{holder_text(info)}"
                + (f"，数据目录 {info['data_dir']}" if info.get("data_dir") else "")
                + "）：同一个网站目录只能由一个任务发布，请等它结束；不同的名册请各用一个网站目录。"), record):
            entered = True
            yield
    except OSError as exc:
        if entered:
            raise
        raise _unwritable(out.parent, exc) from exc


def _publishes_to(data_dir: Path, out: Path) -> bool:
    """Whether ``data_dir`` still holds the state of a nightly job publishing to ``out``."""
    try:
        state = json.loads((data_dir / "state.json").read_text(encoding="utf-8"))
        return Path(state.get("out", "")).resolve() == out
    except (OSError, ValueError, AttributeError, TypeError):
        return False


def check_owner(out: Path, data_dir: Path) -> None:
    """Refuse to publish into a site that another data directory's nightly job publishes (two registers would
    overwrite each other's site every night).  A data directory that is gone or publishes elsewhere has given
    the site up."""
    out, data_dir = out.resolve(), data_dir.resolve()
    try:
        owner = Path(beside(out, "owner").read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return
    if owner != data_dir and _publishes_to(owner, out):
        raise ConfigError(f"网站目录 {out} 由另一个数据目录 {owner} 的夜间任务发布，不能再用数据目录 {data_dir} "
                          "发布到这里：不同的名册请各用一个网站目录。"
                          f"确实要换数据目录时，先删除 {beside(out, 'owner')}。")


def record_owner(out: Path, data_dir: Path) -> None:
    target = beside(out, "owner")
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(str(data_dir.resolve()), encoding="utf-8")
    tmp.replace(target)


def _clean_leftovers(out: Path) -> None:
    """Staging directories of runs that were killed (the caller holds the site's lock, :func:`out_lock`)."""
    for stale in out.parent.glob(f".{out.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)


def prepare(out: Path) -> Path:
    """A fresh staging directory beside ``out``; build the new site into ``<staging>/site``."""
    out = out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _clean_leftovers(out)
        return Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as exc:
        raise _unwritable(out.parent, exc) from exc


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


def rollback(out: Path) -> Path:
    """Swap the published site with the previous one (running it again swaps back)."""
    out = out.resolve()
    previous = previous_of(out)
    if not previous.is_dir() or not out.is_dir():
        raise BuildError(f"没有可以回退的上一版网站（{previous} 不存在）。")
    with out_lock(out):
        _exchange(previous, out)
    return out
