"""Sources of the register behind one small interface: ``read() -> RawRegister``.

A source only reads cells; it never interprets them. Header finding, cleaning and validation come
after, identically for every source, so the same register gives the same report whatever it came from.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .errors import SourceError
from .sheets import Cell, RawRegister, RawSheet


class Source(Protocol):
    """Anything that can hand over the whole register at once."""

    @property
    def label(self) -> str: ...

    def read(self) -> RawRegister: ...


def _trim(cells: tuple[Cell, ...]) -> tuple[Cell, ...]:
    end = len(cells)
    while end and (cells[end - 1] is None or cells[end - 1] == ""):
        end -= 1
    return cells[:end]


@dataclass(frozen=True)
class XlsxSource:
    path: Path

    @property
    def label(self) -> str:
        return str(self.path)

    def read(self) -> RawRegister:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        if not self.path.is_file():
            raise SourceError(f"找不到名册文件 {self.path}，请检查路径。")
        try:
            book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise SourceError(
                f"{self.path} 不是可以读取的 Excel 工作簿（.xlsx），文件可能已损坏，请用 Excel 另存为 .xlsx 后重试。"
            ) from exc
        sheets: dict[str, RawSheet] = {}
        try:
            for ws in book.worksheets:
                rows = []
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    cells = _trim(tuple(values))
                    if cells:
                        rows.append((number, cells))
                sheets[ws.title] = RawSheet(ws.title, tuple(rows))
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise SourceError(f"读取 {self.path} 时出错，文件可能已损坏，请用 Excel 另存为 .xlsx 后重试。") from exc
        finally:
            book.close()
        return RawRegister(source=self.label, sheets=sheets)


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes cleanly, otherwise GB18030 (a superset of GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SourceError("CSV 文件既不是 UTF-8 也不是 GB18030/GBK 编码，请在 Excel 中另存为“CSV UTF-8”。") from exc


def parse_csv_text(name: str, text: str) -> RawSheet:
    rows = []
    for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = _trim(tuple(record))
        if cells:
            rows.append((number, cells))
    return RawSheet(name, tuple(rows))


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
                text = decode_csv_bytes(file.read_bytes())
                sheets[file.stem] = parse_csv_text(file.stem, text)
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
