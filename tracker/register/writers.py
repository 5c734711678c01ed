"""Write a register: an Excel workbook (one worksheet per tab) or a directory of CSV files.

Both writers take the same :class:`~tracker.register.sheets.SheetData` tabs and follow the same conventions:

* an optional title line comes first, then the header, then the data rows;
* dates are real date cells formatted ``yyyy-mm-dd`` in Excel and ``YYYY-MM-DD`` in CSV;
* columns whose header names an identifier (身份证号, 电话, 户编号, 村代码) are always written as text
  (number format ``@``), so Excel never turns an ID number into ``4.11790E+17``;
* booleans are written as 是/否, the way the register contract spells them; ``None`` is an empty cell.

The workbook is written as SpreadsheetML straight into the zip file rather than through openpyxl:
openpyxl builds an object per cell and needs about ten seconds for a 10,000-household register,
this writer under two.  Everything it writes reads back with openpyxl (see tests/test_demo.py).
"""

from __future__ import annotations

import csv
import math
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl.utils import get_column_letter

from .sheets import Cell, SheetData

#: A column whose header contains one of these is written as text (number format ``@``).
TEXT_COLUMN_MARKERS = ("身份证号", "电话", "户编号", "村代码")


def is_text_column(header: str) -> bool:
    """True if the column holds identifiers that must stay text."""
    return any(marker in header for marker in TEXT_COLUMN_MARKERS)


def cell_text(value: Cell) -> str:
    """The text form of a cell: ISO dates, 是/否 for booleans, no ``.0`` on whole floats, '' for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ----------------------------------------------------------------------------------------------- CSV


def write_csv_dir(sheets: Sequence[SheetData], directory: Path, encoding: str = "utf-8-sig") -> None:
    """Write one ``<tab name>.csv`` per tab into *directory* (created if needed).

    The default ``utf-8-sig`` opens correctly in Excel; ``gb18030`` suits older Chinese office software.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for sheet in sheets:
        with (directory / f"{sheet.name}.csv").open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            if sheet.title:
                writer.writerow([sheet.title])
            writer.writerow(sheet.header)
            writer.writerows([cell_text(value) for value in row] for row in sheet.rows)


def write_register(sheets: Sequence[SheetData], path: Path) -> None:
    """Write a ``.xlsx`` workbook if *path* ends in ``.xlsx``, otherwise a directory of CSV files."""
    if path.suffix.lower() == ".xlsx":
        write_xlsx(sheets, path)
    else:
        write_csv_dir(sheets, path)


# --------------------------------------------------------------------------------------------- Excel

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

# Cell styles (indexes into cellXfs below).
_DATE, _DATETIME, _TEXT, _BOLD, _TITLE = 1, 2, 3, 4, 5
_STYLES = f"""{_XML_HEAD}<styleSheet xmlns="{_MAIN_NS}">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>\
<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""

_EXCEL_EPOCH = datetime(1899, 12, 30)
#: XML escapes, and the control characters XML 1.0 cannot carry at all (dropped).
_XML_ESCAPES: dict[int, str | None] = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_XML_ESCAPES.update((c, None) for c in (*range(9), 11, 12, *range(14, 32)))
_BAD_SHEET_CHARS = frozenset("[]:*?/\\")


def write_xlsx(sheets: Sequence[SheetData], path: Path) -> None:
    """Write the tabs as one workbook, one worksheet each, header row frozen."""
    for sheet in sheets:
        if not 0 < len(sheet.name) <= 31 or _BAD_SHEET_CHARS & set(sheet.name):
            raise ValueError(f"not a valid worksheet name: {sheet.name!r}")
    count = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>' for i in range(1, count + 1)
    )
    content_types = (
        f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
        f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'{_XML_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView/></bookViews>'
        "<sheets>"
        + "".join(
            f'<sheet name="{_xml(sheet.name)}" sheetId="{i}" r:id="rId{i}"/>' for i, sheet in enumerate(sheets, 1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)
        )
        + f'<Relationship Id="rId{count + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>'
    )

    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/styles.xml", _STYLES)
        for i, sheet in enumerate(sheets, 1):
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w") as stream:
                for chunk in _worksheet_xml(sheet):
                    stream.write(chunk.encode("utf-8"))


def _worksheet_xml(sheet: SheetData) -> Iterator[str]:
    width = max([len(sheet.header), *map(len, sheet.rows)])
    letters = [get_column_letter(i + 1) for i in range(max(width, 1))]
    text_columns = [is_text_column(name) for name in sheet.header]
    text_columns += [False] * (width - len(text_columns))
    first_data = 3 if sheet.title else 2
    last_row = first_data + len(sheet.rows) - 1
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{22 if text else max(10, 2 * len(name) + 2)}" customWidth="1"/>'
        for i, (name, text) in enumerate(zip(sheet.header, text_columns, strict=False), 1)
    )
    yield (
        f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        f'<dimension ref="A1:{letters[-1]}{max(last_row, first_data - 1)}"/>'
        f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{first_data - 1}" '
        f'topLeftCell="A{first_data}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="A{first_data}" sqref="A{first_data}"/>'
        '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
    )
    if sheet.title:
        yield f'<row r="1"><c r="A1" s="{_TITLE}" t="inlineStr"><is><t>{_xml(sheet.title)}</t></is></c></row>'
    header_row = first_data - 1
    yield (
        f'<row r="{header_row}">'
        + "".join(
            f'<c r="{letters[i]}{header_row}" s="{_BOLD}" t="inlineStr"><is><t>{_xml(name)}</t></is></c>'
            for i, name in enumerate(sheet.header)
        )
        + "</row>"
    )
    for number, row in enumerate(sheet.rows, first_data):
        cells = [f'<row r="{number}">']
        for i, value in enumerate(row):
            if value is not None:
                cells.append(_cell_xml(f"{letters[i]}{number}", value, text_columns[i]))
        cells.append("</row>")
        yield "".join(cells)
    yield '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    yield "</worksheet>"


def _cell_xml(ref: str, value: Cell, text: bool) -> str:
    if text or isinstance(value, str | bool):
        style = f' s="{_TEXT}"' if text else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{_xml(cell_text(value))}</t></is></c>'
    if isinstance(value, datetime):
        serial = (value.replace(tzinfo=None) - _EXCEL_EPOCH).total_seconds() / 86400
        style = _DATE if value.time() == datetime.min.time() else _DATETIME
        return f'<c r="{ref}" s="{style}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{_DATE}"><v>{value.toordinal() - _EXCEL_EPOCH.toordinal()}</v></c>'
    if isinstance(value, float) and not math.isfinite(value):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value!r}</v></c>'


def _xml(text: str) -> str:
    return text.translate(_XML_ESCAPES)
