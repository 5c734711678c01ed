"""Sources of the register behind one small interface: ``read() -> RawRegister``.

A source only reads cells; it never interprets them. Header finding, cleaning and validation come
after, identically for every source, so the same register gives the same report whatever it came from.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tracker.common import SourceError

from .csv_read import decode_csv_bytes as decode_csv_bytes  # re-exported: the tests use it
from .csv_read import parse_csv_text as csv_text_rows
from .csv_read import read_csv_file
from .sheets import RawRegister, RawSheet


class Source(Protocol):
    """Anything that can hand over the whole register at once."""

    @property
    def label(self) -> str: ...

    def read(self) -> RawRegister: ...


@dataclass(frozen=True)
class XlsxSource:
    path: Path

    @property
    def label(self) -> str:
        return str(self.path)

    def read(self) -> RawRegister:
        from .xlsx_read import read_xlsx

        return read_xlsx(self.path, self.label)


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
        for file in sorted(self.path.iterdir()):
            if file.suffix.lower() != ".csv" or not file.is_file():
                continue
            try:
                sheets[file.stem] = RawSheet(file.stem, read_csv_file(file))
            except csv.Error as exc:
                raise SourceError(f"{file} 不是有效的 CSV 文件（{exc}），请重新导出。") from exc
            except OSError as exc:
                raise SourceError(f"无法读取 {file}：{exc.strerror}。") from exc
        if not sheets:
            raise SourceError(f"目录 {self.path} 里没有 .csv 文件，应有 行政村.csv、监测户.csv、帮扶措施.csv。")
        return RawRegister(source=self.label, sheets=sheets)


def open_source(spec: str) -> Source:
    """Pick the source for what the user typed after ``--source``."""
    from .gsheet import GoogleSheetSource, sheet_key

    key = sheet_key(spec)  # a Google Sheets URL or gsheet:KEY (gspread is imported only when it's read)
    if key is not None:
        return GoogleSheetSource(key)
    path = Path(spec).expanduser()
    if path.is_dir():
        return CsvDirSource(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return XlsxSource(path)
    if path.suffix.lower() == ".csv":
        raise SourceError(f"{spec} 是单个 CSV 文件；请给出存放 行政村.csv、监测户.csv、帮扶措施.csv 的目录。")
    if not path.exists():
        raise SourceError(f"找不到名册 {spec}，请给出 .xlsx 工作簿或 CSV 目录的路径。")
    if path.suffix.lower() == ".xls":
        raise SourceError(f"{spec} 是旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后重试。")
    return XlsxSource(path)
