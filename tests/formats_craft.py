"""Save a workbook the ways county offices save one (BIFF8 .xls, .ods, HTML "Excel", Unicode text, a password to
open, merged runs), so tests can check that the project reads every format identically. Test support, no tests."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator, Sequence
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

XLS_MAX_ROWS = 65_536
XLS_MAX_COLUMNS = 256
SHEET_NAME_MAX = 31
CELL_TEXT_MAX = 32_767

Merge = tuple[int, int, int, int]  # first_row, first_col, last_row, last_col: 1-based, inclusive


def _merges(ws: Worksheet) -> list[Merge]:
    return sorted((r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges)


def _covered(merges: Sequence[Merge]) -> set[tuple[int, int]]:
    """Cells a merge covers beyond its top-left cell."""
    return {(row, col) for r1, c1, r2, c2 in merges for row in range(r1, r2 + 1) for col in range(c1, c2 + 1)
            if (row, col) != (r1, c1)}


def _values(ws: Worksheet) -> Iterator[tuple[int, int, object]]:
    """(row, column, value) of every non-empty cell, 1-based."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                yield cell.row, cell.column, cell.value


def _check_text(value: object, where: str) -> None:
    if isinstance(value, str) and len(value) > CELL_TEXT_MAX:
        raise ValueError(f"{where}: {len(value)} characters, a cell holds at most {CELL_TEXT_MAX}")


def to_xls(src: Path, dest: Path) -> Path:
    """Write every sheet of the .xlsx ``src`` as a BIFF8 .xls (xlwt): values, dates as date cells, merges."""
    import xlwt

    book = openpyxl.load_workbook(src, data_only=True)
    out = xlwt.Workbook(encoding="utf-8")
    plain = xlwt.XFStyle()
    formats = {dt.datetime: "YYYY-MM-DD HH:MM:SS", dt.date: "YYYY-MM-DD", dt.time: "HH:MM:SS"}
    styles = {kind: xlwt.easyxf(num_format_str=fmt) for kind, fmt in formats.items()}

    def style_of(value: object) -> xlwt.XFStyle:
        if isinstance(value, dt.datetime):
            return styles[dt.datetime if value.time() != dt.time() else dt.date]
        return styles.get(type(value), plain)

    for ws in book.worksheets:
        if len(ws.title) > SHEET_NAME_MAX:
            raise ValueError(f"sheet name {ws.title!r} is longer than {SHEET_NAME_MAX} characters")
        if ws.max_row > XLS_MAX_ROWS or ws.max_column > XLS_MAX_COLUMNS:
            raise ValueError(f"sheet {ws.title!r} is {ws.max_row}x{ws.max_column}; .xls holds "
                             f"{XLS_MAX_ROWS}x{XLS_MAX_COLUMNS}")
        sheet = out.add_sheet(ws.title)
        merges = _merges(ws)
        tops = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in merges}
        covered = _covered(merges)
        for r1, c1, r2, c2 in reversed(merges):  # xlwt stores merges last-written first
            value = ws.cell(r1, c1).value
            _check_text(value, f"{ws.title}!{ws.cell(r1, c1).coordinate}")
            sheet.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, value, style_of(value))
        for row, col, value in _values(ws):
            if (row, col) in tops or (row, col) in covered:
                continue
            _check_text(value, f"{ws.title}!{ws.cell(row, col).coordinate}")
            if isinstance(value, dt.timedelta):
                value = value.total_seconds() / 86_400
            sheet.write(row - 1, col - 1, value, style_of(value))
    out.save(str(dest))
    return dest


def _ods_cell(value: object, date_style: object) -> object:
    from odf import table, teletype, text

    if value is None:
        return table.TableCell()
    if isinstance(value, bool):
        cell = table.TableCell(valuetype="boolean", booleanvalue=str(value).lower())
    elif isinstance(value, int | float):
        cell = table.TableCell(valuetype="float", value=repr(value))
    elif isinstance(value, dt.date):
        midnight = isinstance(value, dt.datetime) and value.time() == dt.time()
        iso = value.isoformat()[:10] if midnight else value.isoformat()  # LibreOffice: a plain date for midnight
        cell = table.TableCell(valuetype="date", datevalue=iso, stylename=date_style)
    elif isinstance(value, dt.time):
        cell = table.TableCell(valuetype="time", timevalue=value.strftime("PT%HH%MM%SS"))
    else:
        cell = table.TableCell(valuetype="string")
    for line in cell_text(value).split("\n"):  # LibreOffice writes one text:p per line
        paragraph = text.P()
        teletype.addTextToElement(paragraph, line)
        cell.addElement(paragraph)
    return cell


def to_ods(src: Path, dest: Path) -> Path:
    """Write every sheet of the .xlsx ``src`` as an OpenDocument spreadsheet (odfpy), merges as LibreOffice does."""
    from odf import number, style, table
    from odf.namespaces import TABLENS
    from odf.opendocument import OpenDocumentSpreadsheet

    book = openpyxl.load_workbook(src, data_only=True)
    doc = OpenDocumentSpreadsheet()
    iso = number.DateStyle(name="N_ISO")
    for part in (number.Year(style="long"), number.Text(text="-"), number.Month(style="long"), number.Text(text="-"),
                 number.Day(style="long")):
        iso.addElement(part)
    doc.automaticstyles.addElement(iso)
    date_style = style.Style(name="ce_date", family="table-cell", datastylename="N_ISO")
    doc.automaticstyles.addElement(date_style)
    for ws in book.worksheets:
        merges = _merges(ws)
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in merges}
        covered = _covered(merges)
        grid: dict[tuple[int, int], object] = {(r, c): v for r, c, v in _values(ws) if (r, c) not in covered}
        width = max([c for _r, c in grid] + [c2 for *_, c2 in merges] + [1])
        height = max([r for r, _c in grid] + [r2 for _r1, _c1, r2, _c2 in merges] + [1])
        sheet = table.Table(name=ws.title)
        sheet.addElement(table.TableColumn(numbercolumnsrepeated=str(width)))
        blank_rows = 0
        for row in range(1, height + 2):  # one past the end flushes the blank rows
            kinds = ["covered" if (row, col) in covered else "value" if (row, col) in grid or (row, col) in spans
                     else "empty" for col in range(1, width + 1)]
            if row <= height and set(kinds) == {"empty"}:
                blank_rows += 1
                continue
            if blank_rows:
                blank = table.TableRow(numberrowsrepeated=str(blank_rows)) if blank_rows > 1 else table.TableRow()
                blank.addElement(table.TableCell(numbercolumnsrepeated=str(width)))
                sheet.addElement(blank)
                blank_rows = 0
            if row > height:
                break
            element = table.TableRow()
            col = 1
            while col <= width:
                kind = kinds[col - 1]
                if kind == "value":
                    cell = _ods_cell(grid.get((row, col)), date_style)
                    if (row, col) in spans:
                        cell.setAttrNS(TABLENS, "number-rows-spanned", str(spans[row, col][0]))
                        cell.setAttrNS(TABLENS, "number-columns-spanned", str(spans[row, col][1]))
                    col += 1
                else:
                    run = 1
                    while col + run <= width and kinds[col + run - 1] == kind:
                        run += 1
                    cell = table.CoveredTableCell() if kind == "covered" else table.TableCell()
                    if run > 1:
                        cell.setAttrNS(TABLENS, "number-columns-repeated", str(run))
                    col += run
                element.addElement(cell)
            sheet.addElement(element)
        doc.spreadsheet.addElement(sheet)
    doc.save(str(dest))
    return dest


def merge_runs(src: Path, dest: Path, columns: dict[str, list[str]], header_row: int = 1) -> int:
    """Copy ``src`` to ``dest`` with each run of 2+ equal non-empty data cells in the named columns merged (per
    sheet, per header); return how many cells the merges cover beyond their top-left cells."""
    book = openpyxl.load_workbook(src)
    covered = 0
    for name, headers in columns.items():
        ws = book[name]
        already = _covered(_merges(ws)) | {(r1, c1) for r1, c1, *_ in _merges(ws)}
        header_cells: dict[str, int] = {}
        for cell in ws[header_row]:
            if isinstance(cell.value, str):
                header_cells.setdefault(cell.value, cell.column)
        for header in headers:
            if header not in header_cells:
                raise KeyError(f"{name}: no header {header!r} in row {header_row}")
            col = header_cells[header]
            runs: list[tuple[int, int]] = []
            start, previous = header_row + 1, None
            for row in range(header_row + 1, ws.max_row + 2):
                value = ws.cell(row, col).value if row <= ws.max_row and (row, col) not in already else None
                if value in (None, "") or type(value) is not type(previous) or value != previous:
                    if previous not in (None, "") and row - start >= 2:
                        runs.append((start, row - 1))
                    start, previous = row, value
            for first, last in runs:
                ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
                covered += last - first
    book.save(dest)
    return covered


def cell_text(value: object) -> str:
    """A value as Excel shows it in text: dates 'YYYY-MM-DD', TRUE/FALSE, whole floats without '.0', None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time() else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def to_html_table(rows: list[list[object]], dest: Path, *, encoding: str = "utf-8", meta: bool = True,
                  merges: Sequence[Merge] = ()) -> Path:
    """Write ``rows`` as the HTML table a web system saves as "Excel" (first row as <th>), encoded in ``encoding``;
    ``merges`` as rowspan/colspan with the covered cells left out. Rows are padded to the widest row."""
    cells = [(r, c) for r1, c1, r2, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    if any(not 1 <= r1 <= r2 or not 1 <= c1 <= c2 for r1, c1, r2, c2 in merges) or len(set(cells)) != len(cells):
        raise ValueError(f"merges must be 1-based, first <= last, not overlapping: {merges}")
    covered = _covered(merges)
    spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in merges}
    width = max([len(row) for row in rows] + [c2 for *_, c2 in merges] + [0])
    height = max([len(rows)] + [r2 for _r1, _c1, r2, _c2 in merges])
    lines = ["<html><head>"]
    if meta:
        lines.append(f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">')
    lines += [f"<title>{html.escape(dest.stem)}</title>", "</head><body>", "<table border=1>"]
    for r in range(1, height + 1):
        row = rows[r - 1] if r <= len(rows) else []
        tag = "th" if r == 1 else "td"
        cells = []
        for c in range(1, width + 1):
            if (r, c) in covered:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
            value = row[c - 1] if c <= len(row) else None
            cells.append(f"<{tag}{attrs}>{html.escape(cell_text(value))}</{tag}>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines += ["</table>", "</body></html>", ""]
    dest.write_bytes("\n".join(lines).encode(encoding, errors="xmlcharrefreplace"))
    return dest


def to_unicode_text(rows: list[list[object]], dest: Path) -> Path:
    """Write ``rows`` as Excel's "Unicode 文本": UTF-16LE with BOM, tabs, CRLF, fields with a tab, quote or line
    break quoted with doubled quotes."""

    def field(value: object) -> str:
        text = cell_text(value)
        return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in '\t"\r\n') else text

    body = "".join("\t".join(field(value) for value in row) + "\r\n" for row in rows)
    dest.write_bytes(b"\xff\xfe" + body.encode("utf-16-le"))
    return dest


def encrypt_xlsx(src: Path, dest: Path, password: str = "1234") -> Path:
    """Write ``src`` with a password to open (ECMA-376 agile encryption in an OLE2 file, msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with src.open("rb") as plain, dest.open("wb") as out:
        OOXMLFile(plain).encrypt(password, out)
    return dest


def sheet_rows(src: Path, sheet: str) -> list[list[object]]:
    """The values of ``sheet`` in the .xlsx ``src`` (merge-covered cells None), trailing empty cells and rows
    trimmed."""
    ws = openpyxl.load_workbook(src, data_only=True)[sheet]
    rows: list[list[object]] = []
    for values in ws.iter_rows(values_only=True):
        row = list(values)
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows
