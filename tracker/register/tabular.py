"""One opener for every tabular file the project reads: the register, warning lists, any later input.

The format is judged by the file's bytes (:mod:`tracker.register.sniff`), never by its name, then read by the reader
for it: ``.xlsx`` (:mod:`tracker.register.xlsx_read`), ``.xls`` / ``.xlsb`` / ``.ods``
(:mod:`tracker.register.calamine_read`), an HTML table (:mod:`tracker.register.html_read`), CSV or tab-separated
text (:mod:`tracker.register.csv_read`). A text or HTML file is one sheet named after the file. What cannot be read
says why in one sentence: a password to open, an empty file, a damaged or truncated one, or what the file is instead.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tracker.common import SourceError

from .encoded import EncodedRows
from .sheets import RawRegister, RawSheet
from .sniff import NAMES, sniff

#: the names a table file may have in a folder that is read (anything else is listed as skipped)
TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xls", ".xlsb", ".ods", ".et", ".csv", ".tsv", ".txt", ".htm", ".html")
_WORKBOOKS = ("xlsx", "xls", "xlsb", "ods", "encrypted", "empty", "damaged", "unsupported")


def read_table_file(path: Path, label: str | None = None) -> RawRegister:
    """Every sheet of the table file at ``path``; raises SourceError with the cause when it cannot be read."""
    label = label or str(path)
    if not path.is_file():
        raise SourceError(f"找不到文件 {label}，请检查路径。")
    try:
        kind, detail = (found := sniff(path)).kind, found.detail
    except OSError as exc:
        raise SourceError(f"无法读取 {label}：{exc.strerror or exc}。") from exc
    if kind == "xlsx":
        from .xlsx_read import read_xlsx

        return read_xlsx(path, label)
    if kind in ("xls", "xlsb", "ods"):
        from .calamine_read import read_calamine

        try:
            return read_calamine(path, label, kind)
        except SourceError:
            if path.suffix.lower() in (".et", ".ett"):
                raise SourceError(f"{label} 是 WPS 表格文件（.et），本程序读不出来：请在 WPS 中另存为 .xlsx 后再试。"
                                  ) from None
            raise
    if kind == "html":
        from .html_read import read_html

        return read_html(path, label)
    if kind == "text":
        return RawRegister(source=label, sheets={path.stem: RawSheet(path.stem, read_text(path, label))})
    raise SourceError(unreadable_reason(label, kind, detail, path.suffix))


def unreadable_reason(label: str, kind: str, detail: str = "", suffix: str = "") -> str:
    """The sentence for a file no reader takes."""
    if kind == "encrypted":
        from .calamine_read import password_sentence

        return password_sentence(label)
    if kind == "empty":
        return f"{label}：文件是空的（0 字节），可能保存或复制时中断了；请重新保存或导出一份再试。"
    if kind == "unsupported":
        return f"{label} 是{detail}，本程序不读这种格式：请用 Excel 打开后另存为 .xlsx 再试。"
    if kind == "damaged":
        return (f"{label} 不是可以读取的 Excel 工作簿（文件结构残缺，可能只复制或下载了一部分），文件可能已损坏；"
                "请重新保存或导出，或用 Excel 另存为 .xlsx 后重试。")
    if detail:
        return f"{label} 不是表格文件，而是{detail}：请放入 Excel（.xlsx/.xls）、WPS、.ods 或 CSV 格式的表格。"
    return (f"{label} 不是可以读取的 Excel 工作簿或表格文件（{suffix or '没有扩展名'}），文件可能已损坏；"
            "请用 Excel 另存为 .xlsx 后重试。")


def read_text(path: Path, label: str) -> EncodedRows:
    """The rows of a CSV or tab-separated text file."""
    from .csv_read import read_csv_file

    try:
        return read_csv_file(path)
    except csv.Error as exc:
        raise SourceError(f"{label} 不是有效的 CSV/文本表格（{exc}），请重新导出。") from exc
    except OSError as exc:
        raise SourceError(f"无法读取 {label}：{exc.strerror or exc}。") from exc


def skip_reason(path: Path) -> str | None:
    """Why a file of a folder is not read as a table (None: read it; a file that cannot even be opened is read, so
    that its error is reported)."""
    name = path.name
    if name.startswith("~$"):
        return "Excel/WPS 打开文件时生成的临时文件，不是名单"
    if name.startswith("."):
        return "隐藏文件"
    try:
        found = sniff(path)
    except OSError:
        return None
    if found.kind in _WORKBOOKS:
        return None
    if found.kind not in ("html", "text"):
        return f"不是表格文件（{found.detail or NAMES.get(found.kind, found.kind)}），没有读取"
    if path.suffix.lower() not in TABLE_SUFFIXES:
        return f"不是表格文件（{path.suffix or '没有扩展名'} 的文本），没有读取"
    if found.kind == "text" and path.suffix.lower() == ".txt" and not _delimited(path):
        return "文本文件里没有用制表符或逗号分隔的列，不是表格（如是说明文字，可以不管）"
    return None


def _delimited(path: Path) -> bool:
    """The first lines of a ``.txt`` file hold tabs or commas (Excel's "Unicode 文本" and "文本" saves do)."""
    with path.open("rb") as stream:
        head = stream.read(1 << 12)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[2:].replace(b"\x00", b"")
    return b"\t" in head or b"," in head
