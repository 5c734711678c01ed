"""The "Excel" many government web systems export: an HTML ``<table>`` under a ``.xls`` name.

Excel opens such a file as one worksheet named after the file, the document's tables one below the other, each
``<tr>`` a row: so does this reader, and rows are numbered as Excel shows them. A cell is its text as displayed
(``<br>`` a line break, runs of spaces as one); a table inside a cell is part of that cell's text. ``rowspan`` /
``colspan`` are merged ranges (clamped as browsers do: 65,534 rows, 1,000 columns), reported for
:func:`tracker.register.merges.fill_merges` like any workbook's merges.

The encoding is the byte-order mark's, else the ``<meta>`` charset's (GB2312 and GBK read as GB18030, their
superset), else UTF-8 when the file decodes as UTF-8, else GB18030. The document is parsed streaming (lxml), row by
row, so memory stays bounded whatever the file's size; the sheet is judged by the size limits of every workbook.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

from tracker.common import SourceError

from .csv_read import decodes_as
from .sheets import Cell, Merge, RawRegister, RawSheet
from .xlsx_limits import MAX_COLUMNS, MAX_ROWS, judge_extent

_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030"}
_MAX_ROWSPAN, _MAX_COLSPAN = 65_534, 1_000
_SPACES = re.compile(r"[ \t\r\n\f\xa0]+")  # (web exports pad empty cells with &nbsp;)


def html_encoding(path: Path) -> str:
    """The document's encoding (see the module's docstring)."""
    with path.open("rb") as stream:
        head = stream.read(1 << 14)
    for bom, name in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if head.startswith(bom):
            return name
    found = _CHARSET.search(head)
    if found:
        name = found.group(1).decode("ascii").lower()
        try:
            name = codecs.lookup(_SUPERSETS.get(name, name)).name
        except LookupError:
            name = ""
        if name.startswith("utf-16"):
            return "utf-16"  # (the name libxml2 takes, with the byte order from the BOM)
        if name:
            return _SUPERSETS.get(name, name)
    return "utf-8" if decodes_as(path, "utf-8") else "gb18030"


def _span(cell: Any, name: str, cap: int) -> int:
    try:
        return min(max(int(str(cell.get(name, "1")).strip() or 1), 1), cap)
    except ValueError:
        return 1


def _text(cell: Any) -> Cell:
    for br in cell.iter("br"):
        br.tail = "\n" + (br.tail or "")
    text = "".join(cell.itertext())
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()
    return text or None


def read_html(path: Path, label: str) -> RawRegister:
    """One worksheet named after the file: every row of the document's tables."""
    from lxml import etree

    encoding = html_encoding(path)
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    merges: list[Merge] = []
    taken: dict[int, int] = {}  # column -> last row a rowspan from above covers
    number = last_column = 0
    far = (0, 0)
    try:
        with path.open("rb") as stream:
            for _, row in etree.iterparse(stream, events=("end",), tag=("tr", "table"), html=True,
                                          encoding=encoding, no_network=True, huge_tree=True, recover=True):
                depth = sum(1 for _ in row.iterancestors("table"))
                if row.tag == "table":
                    if depth == 0:
                        taken.clear()  # a rowspan ends with its table
                    continue
                if depth > 1:
                    continue  # a table inside a cell: read as that cell's text
                number += 1
                cells: list[Cell] = []
                for cell in row:
                    if cell.tag not in ("td", "th"):
                        continue
                    while taken.get(len(cells) + 1, 0) >= number:
                        cells.append(None)
                    first = len(cells) + 1
                    rowspan, colspan = _span(cell, "rowspan", _MAX_ROWSPAN), _span(cell, "colspan", _MAX_COLSPAN)
                    cells.append(_text(cell))
                    cells.extend([None] * (colspan - 1))
                    if rowspan > 1 or colspan > 1:
                        merges.append((number, first, number + rowspan - 1, first + colspan - 1))
                    if rowspan > 1:
                        taken.update(dict.fromkeys(range(first, first + colspan), number + rowspan - 1))
                    if len(cells) > MAX_COLUMNS:
                        judge_extent(path.stem, number, len(cells), (len(cells), number))
                while cells and cells[-1] is None:
                    cells.pop()
                if cells:
                    rows.append((number, tuple(cells)))
                    if len(cells) > last_column:
                        last_column, far = len(cells), (len(cells), number)
                    if number > MAX_ROWS:
                        judge_extent(path.stem, number, last_column, (len(cells), number))
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
    except (etree.LxmlError, ValueError, LookupError) as exc:
        raise SourceError(f"{label} 是网页表格（HTML），但读不出来（{str(exc)[:80]}）；"
                          "请用 Excel 打开后另存为 .xlsx 再试。") from exc
    if not number:
        raise SourceError(f"{label} 是网页（HTML），但里面没有表格的行（<tr>）：请确认导出的是名单本身，"
                          "或用 Excel 打开后另存为 .xlsx 再试。")
    judge_extent(path.stem, number if rows else 0, last_column, far)
    return RawRegister(source=label, sheets={path.stem: RawSheet(path.stem, tuple(rows), tuple(merges))})
