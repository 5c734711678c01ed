"""The original openpyxl reader of ``.xlsx`` registers (read-only mode, cached values of formulas).

:mod:`tracker.register.xlsx_read` reads workbooks with calamine and falls back to this for the few it does not
handle (and for unreadable files, so they keep their one-line error); the tests use it as the reference the
fast reader must match cell for cell.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from tracker.common import SourceError

from .sheets import Cell, RawRegister, RawSheet


def read_xlsx_openpyxl(path: Path, label: str) -> RawRegister:
    """The original openpyxl reader: the fallback, and the reference the fast reader is tested against."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise SourceError(f"找不到名册文件 {path}，请检查路径。")
    stream = path.open("rb")  # (a file, not a name: openpyxl judges a name by its suffix, refusing xlsx bytes as .xls)
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        stream.close()
        raise SourceError(
            f"{path} 不是可以读取的 Excel 工作簿（.xlsx），文件可能已损坏，请用 Excel 另存为 .xlsx 后重试。"
        ) from exc
    sheets: dict[str, RawSheet] = {}
    try:
        for ws in book.worksheets:
            if hasattr(ws, "reset_dimensions"):  # the real extent, not the declared <dimension> (issue 14)
                ws.reset_dimensions()
            rows = []
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = _trim(tuple(values))
                if cells:
                    rows.append((number, cells))
            sheets[ws.title] = RawSheet(ws.title, tuple(rows))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(f"读取 {path} 时出错，文件可能已损坏，请用 Excel 另存为 .xlsx 后重试。") from exc
    finally:
        book.close()
        stream.close()
    return RawRegister(source=label, sheets=sheets)


def _trim(cells: tuple[Cell, ...]) -> tuple[Cell, ...]:
    end = len(cells)
    while end and (cells[end - 1] is None or cells[end - 1] == ""):
        end -= 1
    return cells[:end]
