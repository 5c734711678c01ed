"""Publish stage: build next to the target, then switch it in with renames; the old site is kept.

``<out>`` is replaced only after a complete build exists; the previous version stays in
``<out>.previous`` for rollback. Whatever fails before the switch leaves ``<out>`` untouched.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import BuildError


def publish(out: Path, build: Callable[[Path], None]) -> Path:
    """Run ``build(tmp_dir)`` into a fresh directory beside ``out``, then swap it in. Returns ``out``."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        target = staging / "site"
        build(target)
        if not (target / "index.html").is_file():
            raise BuildError("生成的网站缺少首页 index.html，没有发布。")
        previous = out.with_name(out.name + ".previous")
        if out.exists():
            if previous.exists():
                shutil.rmtree(previous)
            out.rename(previous)
        target.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out
