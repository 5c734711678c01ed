"""An OpenDocument spreadsheet's real extent and merged ranges, read from ``content.xml`` before calamine reads it.

calamine reads ``.ods`` cells but reports no merged ranges, and it expands repeated cells: one value written with
``table:number-columns-repeated="16384"`` in a row repeated a million times is a 17-billion-cell grid. So the table
XML is walked once, streaming (bounded memory whatever its size), counting repeats without expanding them: each
table's last row and column holding a value is judged by the limits of :mod:`tracker.register.xlsx_limits`, and each
cell's ``table:number-rows-spanned`` / ``table:number-columns-spanned`` is a merged range. LibreOffice repeats
*empty* rows and cells up to the sheet's edge in every file; those count for nothing.
"""

from __future__ import annotations

import zipfile
from typing import Any

from .sheets import Merge
from .xlsx_limits import judge_extent

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_T = f"{{{_TABLE}}}table"
_ROW = f"{{{_TABLE}}}table-row"
_CELL = f"{{{_TABLE}}}table-cell"
_NAME = f"{{{_TABLE}}}name"
_ROWS_REPEATED = f"{{{_TABLE}}}number-rows-repeated"
_COLS_REPEATED = f"{{{_TABLE}}}number-columns-repeated"
_ROWS_SPANNED = f"{{{_TABLE}}}number-rows-spanned"
_COLS_SPANNED = f"{{{_TABLE}}}number-columns-spanned"
_VALUED = (f"{{{_OFFICE}}}", f"{{{_TABLE}}}formula")  # office:value, office:string-value … or a formula: a value


def _count(element: Any, attribute: str) -> int:
    value = element.get(attribute)
    if value is None:
        return 1
    try:
        return max(int(value), 1)
    except ValueError:
        return 1


def scan_ods(archive: zipfile.ZipFile) -> dict[str, tuple[Merge, ...]]:
    """Each table's merged ranges, by table name; raises SourceError for a table beyond the size limits."""
    from lxml import etree

    merges: dict[str, tuple[Merge, ...]] = {}
    found: list[Merge] = []
    row = last_row = last_column = 0
    far = (0, 0)
    with archive.open("content.xml") as stream:
        for _, element in etree.iterparse(stream, events=("end",), tag=(_T, _ROW), resolve_entities=False,
                                          no_network=True, huge_tree=True):
            if element.tag == _T:  # the table's rows are all counted: judge it, start the next one afresh
                name = element.get(_NAME, "")
                judge_extent(name, last_row, last_column, far)
                merges[name] = tuple(found)
                found, row, last_row, last_column, far = [], 0, 0, 0, (0, 0)
                element.clear()
                continue
            repeat = _count(element, _ROWS_REPEATED)
            column = 0
            for cell in element:
                span = _count(cell, _COLS_REPEATED)
                if cell.tag == _CELL and (len(cell) or any(name.startswith(_VALUED) for name in cell.attrib)):
                    rows_spanned, cols_spanned = _count(cell, _ROWS_SPANNED), _count(cell, _COLS_SPANNED)
                    if rows_spanned > 1 or cols_spanned > 1:
                        found.append((row + 1, column + 1, row + rows_spanned, column + cols_spanned))
                    if column + span > last_column:
                        last_column, far = column + span, (column + span, row + repeat)
                    last_row = row + repeat
                column += span
            row += repeat
            element.clear()
            while element.getprevious() is not None:  # rows already counted: let them go
                del element.getparent()[0]
    return merges
