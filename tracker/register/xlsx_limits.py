"""How large a workbook the project reads, judged from the sheet XML before any reader allocates a cell.

A reader that trusts a sheet's extent can be made to ask for any amount of memory: one value at XFD1048576 in an
18 KB file makes calamine reserve a 16,384 × 1,048,576 grid (512 GiB; the process aborts), and openpyxl pads every
row to a declared ``<dimension>``. So each worksheet's *real* extent, the last row and column holding a value (empty
styled cells count for neither reader), is measured on the XML first, and a sheet beyond the limits below is
refused with one Chinese sentence naming the cell (exit 2), never a traceback, an abort or a MemoryError.

The limits hold a large county with room to spare (a person-level export of 50,000 households is ~200,000 rows ×
~47 columns); a province-wide list must be split by county or township first.

The measure is cheap for the files counties have: cells are written ``<c r="B7" …>`` (Excel, WPS, LibreOffice,
openpyxl), so one search finds any cell beyond row 399,999 or column AZ, or written another way; only then are the
far cells measured (two more searches), or, for cells without a leading ``r=``, every cell.
"""

from __future__ import annotations

import re
import zipfile

from tracker.common import SourceError

MAX_ROWS = 400_000  # the last row holding a value
MAX_COLUMNS = 200  # the last column holding a value (GR)
MAX_CELLS = 21_000_000  # rows × columns of the grid a reader builds (400,000 × 52 fits)
MAX_PART_BYTES = 1 << 30  # one uncompressed part of the zip (a sheet's XML)

_WIDE = 52  # AZ: up to here no area check is needed (MAX_ROWS × 52 ≤ MAX_CELLS)
#: a cell not written the common way inside the common bounds: ``<c r="`` + column A…AZ + row 1…399,999
_UNUSUAL_CELL = re.compile(rb'<c(?=[\s>/])(?! r="A?[A-Z](?:[1-9]\d{0,4}|[1-3]\d{5})")')
_BIG_ROW = re.compile(rb'r="\$?[A-Za-z]{1,3}\$?(?:[4-9]\d{5}|[1-9]\d{6,})"')
_BIG_COLUMN = re.compile(rb'r="\$?(?:[A-Za-z]{3,}|[B-Zb-z][A-Za-z])\$?\d+"')
_REF = re.compile(rb'r="\$?([A-Za-z]+)\$?(\d+)"')
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_ROW = re.compile(rb"<row\b([^>]*?)(/?)>")
_CELL = re.compile(rb"<c[\s>/]")


def check_part_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose parts unpack beyond :data:`MAX_PART_BYTES` (a zip bomb, or a sheet no reader could hold)."""
    for info in archive.infolist():
        if info.file_size > MAX_PART_BYTES:
            raise SourceError(
                f"工作簿中的 {info.filename} 解压后有 {info.file_size / (1 << 30):.1f} GB，超过本程序能读取的上限"
                f"（{MAX_PART_BYTES >> 30} GB）：请删除多余的行、列和对象后另存，或把名册按乡镇拆成几份。")


def check_extent(sheet: str, xml: bytes) -> None:
    """Refuse ``sheet`` when its last value lies beyond :data:`MAX_ROWS` / :data:`MAX_COLUMNS`, or its grid beyond
    :data:`MAX_CELLS`."""
    if _UNUSUAL_CELL.search(xml) is None:  # (one pass, ~3 ms per MB: the common case ends here)
        return
    if _all_cells_have_leading_refs(xml):
        beyond = _first_value_beyond_rows(xml)
        if beyond is not None:  # refused: name the last row with a value (cells are in row order, read from the end)
            far = max(beyond, _last_value(xml), key=lambda ref: ref[1])
            judge_extent(sheet, far[1], 0, far)
        wide = [_ref_of(xml, m) for m in _BIG_COLUMN.finditer(xml) if _holds_value(xml, m.end())]
        last_column = max((c for c, _ in wide), default=0)
        if last_column <= _WIDE:
            return
        # wide: the grid is every row (a row number is cheap to find) by the last column
        last_row = max((int(n) for n in _ROW_NUMBER.findall(xml)), default=0)
        far = max(wide)
    else:
        last_column, last_row, far = _scan_cells(xml)
    judge_extent(sheet, last_row, last_column, far)


def judge_extent(sheet: str, last_row: int, last_column: int, far: tuple[int, int]) -> None:
    if last_row <= MAX_ROWS and last_column <= MAX_COLUMNS and last_row * last_column <= MAX_CELLS:
        return
    where = f"内容一直到第 {last_row:,} 行" + (f"、第 {last_column:,} 列" if last_column else "")
    if far[0] and far[1]:
        where += f"（例如单元格 {_letters(far[0])}{far[1]}）"
    raise SourceError(
        f"工作表「{sheet}」的{where}，超过本程序能读取的上限（每张工作表最多 {MAX_ROWS:,} 行、{MAX_COLUMNS} 列，"
        f"行数×列数不超过 {MAX_CELLS // 10_000:,} 万）。如果远处的单元格是误填的，请删除那些行和列后保存再试；"
        "名册确实这么大时，请按乡镇拆成几份。")


def _all_cells_have_leading_refs(xml: bytes) -> bool:
    """Every ``<c>`` element starts with its ``r=`` reference (how every common writer saves cells)."""
    return xml.count(b'<c r="') == xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/") + xml.count(b"<c\t") \
        + xml.count(b"<c\n") + xml.count(b"<c\r")


def _holds_value(xml: bytes, after: int) -> bool:
    """The cell whose reference ends at ``after`` is not an empty ``<c …/>`` or ``<c …></c>`` (a styled blank cell,
    which neither reader keeps; openpyxl writes the second form when lxml is installed)."""
    end = xml.find(b">", after)
    return end >= 0 and xml[end - 1:end] != b"/" and not xml.startswith(b"</c>", end + 1)  # <c …/>, <c …></c>


def _first_value_beyond_rows(xml: bytes) -> tuple[int, int] | None:
    """(column, row) of the first cell holding a value below row :data:`MAX_ROWS`, or None.  It stops there: a
    sheet filled to row 1,048,576 has millions of such cells, and one is enough to refuse it."""
    for match in _BIG_ROW.finditer(xml):
        if _holds_value(xml, match.end()):
            ref = _ref_of(xml, match)
            if ref[1] > MAX_ROWS:
                return ref
    return None


def _last_value(xml: bytes) -> tuple[int, int]:
    """(column, row) of the last cell in the XML that holds a value, found from the end ((0, 0) if none)."""
    end = len(xml)
    while (start := xml.rfind(b'<c r="', 0, end)) >= 0:
        found = _REF.match(xml, start + 3)
        if found is not None and _holds_value(xml, found.end()):
            return column_number(found.group(1)), int(found.group(2))
        end = start
    return 0, 0


def _ref_of(xml: bytes, match: re.Match[bytes]) -> tuple[int, int]:
    found = _REF.match(xml, match.start())
    assert found is not None
    return column_number(found.group(1)), int(found.group(2))


def _scan_cells(xml: bytes) -> tuple[int, int, tuple[int, int]]:
    """(last column, last row, that cell) of the values, cell by cell, for cells written without a leading ``r=``
    (their place is then the next after the previous cell, as both readers take it)."""
    last_column = last_row = 0
    far = (0, 0)
    row = 0
    rows = list(_ROW.finditer(xml))
    for index, found in enumerate(rows):
        number = re.search(rb'\sr="(\d+)"', b" " + found.group(1))
        row = int(number.group(1)) if number else row + 1
        if found.group(2):  # <row …/>
            continue
        end = rows[index + 1].start() if index + 1 < len(rows) else len(xml)
        column = 0
        for cell in _CELL.finditer(xml, found.end(), end):
            close = xml.find(b">", cell.start())
            head = xml[cell.start():close + 1]
            ref = _REF.search(head)
            column = column_number(ref.group(1)) if ref else column + 1
            if head.endswith(b"/>") or xml.startswith(b"</c>", close + 1):  # an empty cell, styled
                continue
            if column > last_column:
                last_column, far = column, (column, row)
            last_row = max(last_row, row)
    return last_column, last_row, far


def column_number(letters: bytes | str) -> int:
    """A cell reference's column letters as a number (A = 1); beyond 4 letters every column is past the limits."""
    number = 0
    for char in (letters if isinstance(letters, str) else letters.decode("ascii")).upper()[:4]:
        number = number * 26 + ord(char) - 64
    return number


def _letters(column: int) -> str:
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text
