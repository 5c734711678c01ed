"""The distribution sheets: one Markdown file per township saying who gets which password, to print and hand out.

A sheet's file name is its township's name when that name is a safe, short file name on every system the folder
may be copied to; otherwise (a ``/``, ``\\``, ``:``, ``*``, ``?``, ``"``, ``<``, ``>``, ``|``, a control
character or a space in it, a leading or trailing dot, a reserved Windows name, more than
:data:`MAX_NAME_BYTES` bytes of UTF-8, or another township whose name differs only in case) the unsafe
characters become ``_``, the name is cut to :data:`MAX_NAME_BYTES` bytes, and the first 8 hex digits of the
SHA-256 of the full name are added: ``甲_乙镇-3f2a9c1d.md``.  Two townships therefore never share a file,
and no file name is longer than about 80 bytes.

Writing is all or nothing (:func:`staged_sheets`): every sheet is first written into a hidden folder inside the
target folder, and only moved into place when all were written (and, in ``tracker passwords generate``, after
the secrets file was written).  Every file is 0600, the folder 0700.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tracker.common import ConfigError, private_dir, write_private

from .passwords import Secrets

MAX_NAME_BYTES = 60
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, on a character boundary."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def sheet_file_names(townships: Iterable[str]) -> dict[str, str]:
    """Township name -> its sheet's file name, distinct even where case is ignored (module docstring)."""
    cleaned: dict[str, tuple[str, bool]] = {}
    for township in townships:
        clean = _cut(_UNSAFE.sub("_", unicodedata.normalize("NFC", township)), MAX_NAME_BYTES).strip("._ ")
        unsafe = clean != township or not clean or clean.split(".")[0].upper() in _RESERVED
        cleaned[township] = (clean or "乡镇", unsafe)
    same_case = Counter(clean.casefold() for clean, _ in cleaned.values())
    names = {}
    for township, (clean, unsafe) in cleaned.items():
        if unsafe or same_case[clean.casefold()] > 1:
            clean = f"{clean}-{hashlib.sha256(township.encode('utf-8')).hexdigest()[:8]}"
        names[township] = f"{clean}.md"
    if len({name.casefold() for name in names.values()}) != len(names):  # only by a SHA-256 prefix collision
        raise ConfigError("有两个乡镇的分发表文件名相同：请把其中一个乡镇的名称在名册里改得不同一些。")
    return names


def _cell(text: str) -> str:
    """A name as one Markdown table cell: no line break, no column bar."""
    return re.sub(r"[\r\n]+", " ", text).replace("|", "\\|")


def distribution_sheets(secrets: Secrets, county: str = "本县") -> dict[str, str]:
    """One Markdown sheet per township (file name -> text): who gets which password, to print and hand out."""
    by_township: dict[str, list[tuple[str, str]]] = {}
    for (township, village), pw in secrets.villages.items():
        by_township.setdefault(township, []).append((village, pw))
    for township in secrets.townships:
        by_township.setdefault(township, [])
    files = sheet_file_names(by_township)
    sheets: dict[str, str] = {}
    for township, villages in by_township.items():
        lines = [
            f"# {_cell(county)}{_cell(township)} 防止返贫监测台账网站密码分发表",
            "",
            "**机密：请当面或电话逐个告知，不要拍照、不要发到群里；分发完毕后销毁本表。**",
            "",
            "密码只给对应的人：乡镇密码给乡镇负责监测工作的同志（能打开本乡镇页面、清单和所属各村）；",
            "每个村的密码只给该村的监测负责人（只能打开本村页面）。读密码时按“-”分组，字母都是小写拼音音节。",
            "",
            "| 发给 | 能打开 | 密码 | 签收 |",
            "|---|---|---|---|",
            f"| {_cell(township)}（乡镇） | 本乡镇页面、清单和所属各村 | "
            f"`{secrets.township(township) or '（未设置）'}` | |",
        ]
        lines += [f"| {_cell(village)}（村） | 本村页面 | `{pw}` | |" for village, pw in villages]
        lines.append("")
        sheets[files[township]] = "\n".join(lines)
    return sheets


class SheetStage:
    """Sheets written into a hidden folder of their target folder, waiting for :meth:`commit`."""

    def __init__(self, sheets: Mapping[str, str], directory: Path) -> None:
        self.directory = directory
        self.names = list(sheets)
        self._created = not directory.exists()
        private_dir(directory)
        self.staging = Path(tempfile.mkdtemp(prefix=".sheets-", dir=directory))  # mode 0700
        try:
            for name, text in sheets.items():
                write_private(self.staging / name, text)
        except BaseException:
            self.discard()
            raise

    def commit(self) -> list[Path]:
        """Move every sheet into the target folder (a rename each, on one file system)."""
        written = []
        for name in self.names:
            os.replace(self.staging / name, self.directory / name)
            written.append(self.directory / name)
        self.discard()
        return written

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        if self._created:
            with contextlib.suppress(OSError):  # only if still empty: a folder this stage made, nothing landed in
                self.directory.rmdir()


@contextmanager
def staged_sheets(sheets: Mapping[str, str], directory: Path) -> Iterator[SheetStage]:
    """Write every sheet aside first; the caller commits when everything else is written too, else nothing stays."""
    try:
        stage = SheetStage(sheets, directory)
    except OSError as exc:
        raise ConfigError(f"分发表写不进目录 {directory}（{exc.strerror or exc}）：请检查这个目录的权限和磁盘空间，"
                          "或用 --sheets 换一个目录。") from exc
    try:
        yield stage
    finally:
        stage.discard()


def write_sheets(sheets: Mapping[str, str], directory: Path) -> list[Path]:
    """Write the sheets, all or none, each readable by the owner only (0600)."""
    with staged_sheets(sheets, directory) as stage:
        return stage.commit()
