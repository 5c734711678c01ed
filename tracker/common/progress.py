"""Stage timing and progress: a live line in a terminal, log lines stamped with China time under cron."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from .clock import stamped

STAGE_LABELS = {
    "read": "读取名册", "snapshot": "保存快照", "validate": "逐格校验", "rules": "政策规则", "history": "对比历史",
    "model": "整理各户信息", "keys": "准备密钥", "render": "生成页面",
    "encrypt": "加密页面", "build": "构建网站", "publish": "发布", "write_back": "写回表格",
}


class StageTimer:
    """Times named stages; ``live`` (default: the stream is a terminal) shows a progress line."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.quiet = quiet
        self.stages: list[tuple[str, float]] = []
        self.started = time.monotonic()

    def log(self, text: str) -> None:
        if self.quiet:
            return
        if self.live:
            self.stream.write(f"{text}\n")
        else:
            self.stream.write(f"{stamped(text)}\n")
        self.stream.flush()

    @contextmanager
    def stage(self, name: str, detail: str = "") -> Iterator[None]:
        label = STAGE_LABELS.get(name, name)
        if self.live and not self.quiet:
            self.stream.write(f"… {label}{detail and '：' + detail}\r")
            self.stream.flush()
        begin = time.monotonic()
        try:
            yield
        except BaseException:
            self.log(f"✘ {label} 失败（{time.monotonic() - begin:.1f} 秒）")
            raise
        seconds = time.monotonic() - begin
        self.stages.append((name, seconds))
        self.log(f"✔ {label}{detail and '：' + detail} {seconds:.2f} 秒")

    @property
    def total(self) -> float:
        return time.monotonic() - self.started

    def as_dict(self, **extra: Any) -> dict[str, Any]:
        return {"stages": [{"name": n, "seconds": round(s, 4)} for n, s in self.stages],
                "total_seconds": round(self.total, 4), **extra}
