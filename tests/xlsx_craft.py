"""Crafted workbooks for the hostile-register tests: a register written by ``write_register``, then with raw cells or
rows put straight into one sheet's XML (what a hand-edited or hostile file can hold and Excel cannot always make)."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path


def sheet_part(path: Path, sheet: str) -> str:
    """The zip path of the worksheet called ``sheet``."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet [^>]*name="' + re.escape(sheet) + r'"[^>]*r:id="([^"]+)"', book)
    assert rid, sheet
    target = re.search(r'Id="' + re.escape(rid.group(1)) + r'"[^>]*Target="([^"]+)"', rels) or re.search(
        r'Target="([^"]+)"[^>]*Id="' + re.escape(rid.group(1)) + '"', rels)
    assert target
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def with_xml(src: Path, dst: Path, sheet: str, rows_xml: Iterable[bytes] = (), *, dimension: str | None = None,
             cells: dict[str, bytes] | None = None) -> Path:
    """Copy ``src`` to ``dst`` with ``rows_xml`` (whole ``<row>`` elements, numbered after the sheet's last row)
    added at the end of the sheet's data; optionally its ``<dimension ref>`` set, and ``cells`` (reference -> a whole
    ``<c>`` element) put in place of existing cells."""
    part = sheet_part(src, sheet)
    shutil.copyfile(src, dst)
    with zipfile.ZipFile(src) as archive:
        items = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == part:
                end = data.rindex(b"</sheetData>")
                data = data[:end] + b"".join(rows_xml) + data[end:]
                if dimension is not None:
                    data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="' + dimension.encode() + b'"/>',
                                  data)
                for ref, element in (cells or {}).items():
                    data, n = re.subn(rb'<c r="' + ref.encode() + rb'"(?:[^>]*/>|[^>]*>.*?</c>)', element, data,
                                      count=1)
                    assert n == 1, ref
            out.writestr(info.filename, data)
    return dst


def column_of(path: Path, sheet: str, header: str) -> str:
    """The column letter of ``header`` in the first row of ``sheet`` that holds it (as read by the project)."""
    from tracker.register.xlsx_read import read_xlsx

    for _number, cells in read_xlsx(path, path.name).sheets[sheet].rows:
        if header in cells:
            index = cells.index(header) + 1
            letters = ""
            while index:
                index, rest = divmod(index - 1, 26)
                letters = chr(65 + rest) + letters
            return letters
    raise AssertionError(header)


def text_row(row: int, column: str, text: str) -> bytes:
    return (f'<row r="{row}"><c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c></row>').encode()
