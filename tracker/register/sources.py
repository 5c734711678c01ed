"""Sources of the register behind one small interface: ``read() -> RawRegister``.

A source only reads cells; it never interprets them. Header finding, cleaning and validation come
after, identically for every source, so the same register gives the same report whatever it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tracker.common import SourceError

from .csv_read import decode_csv_bytes as decode_csv_bytes  # re-exported: the tests use it
from .csv_read import parse_csv_text as csv_text_rows
from .sheets import FileNote, RawRegister, RawSheet
from .tabular import read_table_file, read_text, skip_reason


class Source(Protocol):
    """Anything that can hand over the whole register at once."""

    @property
    def label(self) -> str: ...

    def read(self) -> RawRegister: ...


@dataclass(frozen=True)
class WorkbookSource:
    """A register in one file, whatever format its bytes are (:func:`tracker.register.tabular.read_table_file`)."""

    path: Path

    @property
    def label(self) -> str:
        return str(self.path)

    def read(self) -> RawRegister:
        if not self.path.is_file():
            raise SourceError(f"找不到名册文件 {self.path}，请检查路径。")
        return read_table_file(self.path, self.label)


XlsxSource = WorkbookSource  # (its first name, from when only .xlsx was read)


def parse_csv_text(name: str, text: str) -> RawSheet:
    """One tab from decoded CSV text (rows numbered from 1, trailing empty cells and empty rows dropped)."""
    return RawSheet(name, csv_text_rows(text))


@dataclass(frozen=True)
class CsvDirSource:
    """A directory holding one CSV file per tab, named after the tab (``监测户.csv``)."""

    path: Path

    @property
    def label(self) -> str:
        return str(self.path)

    def read(self) -> RawRegister:
        if not self.path.is_dir():
            raise SourceError(f"找不到目录 {self.path}，请检查路径。")
        sheets: dict[str, RawSheet] = {}
        notes: list[FileNote] = []
        for file in sorted(p for p in self.path.iterdir() if p.is_file()):
            if file.suffix.lower() != ".csv" or file.name.startswith(("~$", ".")):
                reason = skip_reason(file) or "目录名册只读 .csv 文件（每个工作表一个，如 监测户.csv）"
                notes.append(FileNote(file.name, "skipped", 0, reason if reason.startswith(("不是", "目录")) else
                                      f"{reason}；目录名册只读 .csv 文件"))
                continue
            sheets[file.stem] = RawSheet(file.stem, read_text(file, str(file)))
            notes.append(FileNote(file.name, "read", len(sheets[file.stem].rows)))
        if not sheets:
            raise SourceError(f"目录 {self.path} 里没有 .csv 文件，应有 行政村.csv、监测户.csv、帮扶措施.csv。")
        return RawRegister(source=self.label, sheets=sheets, files=tuple(notes))


def open_source(spec: str) -> Source:
    """Pick the source for what the user typed after ``--source``."""
    from .gsheet import GoogleSheetSource, sheet_key

    key = sheet_key(spec)  # a Google Sheets URL or gsheet:KEY (gspread is imported only when it's read)
    if key is not None:
        return GoogleSheetSource(key)
    path = Path(spec).expanduser()
    if path.is_dir():
        return CsvDirSource(path)
    if not path.exists():
        raise SourceError(f"找不到名册文件 {spec}，请检查路径（名册可以是 .xlsx、.xls、.ods 等工作簿，或 CSV 目录）。")
    if path.suffix.lower() == ".csv":
        raise SourceError(f"{spec} 是单个 CSV 文件；请给出存放 行政村.csv、监测户.csv、帮扶措施.csv 的目录。")
    return WorkbookSource(path)
