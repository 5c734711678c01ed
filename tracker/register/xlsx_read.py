"""Read an ``.xlsx`` register with python-calamine (Rust), giving cell for cell what openpyxl gave.

openpyxl's read-only reader needs about 8 s for a 10,000-household register; calamine parses the same
workbook in well under a second.  The rest of the pipeline was built on openpyxl's raw values, so the fast
reader hands over exactly those: the same Python type per cell, the same 1-based row numbers, the same
tabs.  Where calamine reports a cell differently, the cell is fixed up:

* every number is a float in calamine; openpyxl gives ``int`` when the stored text has no ``.``/``e``
  (``6000``) and ``float`` otherwise (``6000.0``, ``4.1E+17``).  Whole numbers below 1e16 become ``int``;
  the rare stored texts that break that rule (``6000.0``, 16+ digit integers, ``1E+3``) are re-read;
* empty cells come back as ``""``: they become ``None``;
* date-formatted whole numbers come back as ``date``: openpyxl gives a ``datetime`` at midnight;
* what calamine cannot report at all (error cells such as ``#N/A``, ISO ``t="d"`` cells, empty strings,
  strings whose edge whitespace calamine trims or whose ``_x000D_`` escapes it decodes, number formats the
  two libraries classify differently as date / duration / number) is found by a byte scan of the sheet
  XML and those few cells are re-read from their XML with openpyxl's own rules.

Files this reader does not handle (not a zip, password-protected, corrupt, namespace-prefixed or strict
OOXML, cells without ``r=`` that need a fix-up) go through openpyxl exactly as before, so they give the
same values or the same one-line error.
"""

from __future__ import annotations

import bisect
import contextlib
import posixpath
import re
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from tracker.common import SourceError

from .merges import xlsx_merges
from .sheets import Cell, Merge, RawRegister, RawSheet
from .xlsx_formats import DURATION, OPENPYXL_BUILTIN_DATES, OTHER, calamine_builtin_kind, calamine_kind, openpyxl_kind
from .xlsx_limits import check_extent, check_part_sizes, column_number
from .xlsx_openpyxl import read_xlsx_openpyxl

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_V, _IS = f"{{{_MAIN_NS}}}v", f"{{{_MAIN_NS}}}is"
_EMPTY = ""
_KEEP = object()  # "calamine's value is already right" (a shared string this reader did not re-read)

_ROOT_TAG = re.compile(rb"<(?![?!])([^\s>/]+)[^>]*>")
_NUMBER_TEXT = re.compile(rb"<v>\s*[-+]?(?:\d*\.0*|[\d.]*[eE][-+]?\d+|\d{16,}|(?i:nan|inf(?:inity)?))\s*</v>")
_TYPE_E_OR_D = re.compile(rb"t=[\"'][ed][\"']")
#: a <t> that is empty, or without xml:space="preserve" has whitespace at an edge (which calamine trims)
_RISKY_T = re.compile(  # (the preserve case spelled out first only because it is the common one: faster)
    rb"<t(?:>(?:[\s<]|[^<]*\s</t>)|/>| xml:space=\"preserve\"(?:/>|></t>)"
    rb"|\s(?!xml:space=\"preserve\">)[^>]*(?:/>|></t>))"
)
_EMPTY_CONTAINER = {b"is": re.compile(rb"<is(?:/>|></is>)"), b"si": re.compile(rb"<si(?:/>|></si>)")}
_SI_START = re.compile(rb"<si[\s>/]")
_REF = re.compile(r"([A-Za-z]{1,3})(\d+)")


class _NeedsOpenpyxl(Exception):
    """This workbook uses something the fast reader does not reproduce; read it with openpyxl."""


def read_xlsx(path: Path, label: str, *, fallback: bool = True) -> RawRegister:
    """Every worksheet's non-empty rows, as openpyxl's read-only reader gave them.

    ``fallback=False`` (for tests) raises instead of quietly reading the workbook with openpyxl."""
    if not path.is_file():
        raise SourceError(f"找不到名册文件 {path}，请检查路径。")
    try:
        return RawRegister(source=label, sheets=_read_fast(path))
    except SourceError:  # beyond the limits of tracker.register.xlsx_limits: no reader may try it
        raise
    except Exception:  # calamine, zip or XML errors, or _NeedsOpenpyxl: openpyxl decides, as it always did
        if not fallback:
            raise
    _guard(path)
    book = read_xlsx_openpyxl(path, label)
    merges = _merges_of(path)
    return RawRegister(book.source, {name: RawSheet(name, sheet.rows, merges.get(name, ()))
                                     for name, sheet in book.sheets.items()})


def _merges_of(path: Path) -> dict[str, tuple[Merge, ...]]:
    """Each worksheet's merged ranges, for a workbook the fast reader gave up on (none when its parts cannot be
    followed: the cells are still read, as before)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return {name: xlsx_merges(archive.read(target)) for name, target in _worksheets(archive)}
    except Exception:
        return {}


def _guard(path: Path) -> None:
    """The limits of :mod:`tracker.register.xlsx_limits` for a workbook the fast reader gave up on: every part that
    holds sheet data, named by its sheet where the workbook says, else by its part name. A file that is not a zip
    is left to openpyxl's own error."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    with archive:
        check_part_sizes(archive)
        try:
            names = {target: name for name, target in _worksheets(archive)}
        except Exception:  # a workbook part this reader cannot follow: name the sheets by their parts
            names = {}
        for info in archive.infolist():
            if info.filename.endswith(".xml") and not info.is_dir():
                try:
                    xml = archive.read(info)
                except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
                    continue  # (openpyxl reports the damaged file)
                if b"sheetData" in xml:
                    check_extent(names.get(info.filename, info.filename), xml)


# ------------------------------------------------------------------------------------------ workbook


def open_calamine(path: Path, kind: str) -> CalamineWorkbook:
    """calamine's workbook for ``path``, whose content is ``kind`` whatever its name (calamine picks its reader by
    the suffix of a path, so a file under another name is handed over as bytes and read by content)."""
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() in _SUFFIXES[kind]:
        return CalamineWorkbook.from_path(str(path))
    with path.open("rb") as stream:
        return CalamineWorkbook.from_filelike(stream)


_SUFFIXES = {"xlsx": (".xlsx", ".xlsm", ".xltx", ".xltm"), "xls": (".xls", ".xla"), "xlsb": (".xlsb",),
             "ods": (".ods",)}


def _read_fast(path: Path) -> dict[str, RawSheet]:
    sheets: dict[str, RawSheet] = {}
    with zipfile.ZipFile(path) as archive:
        check_part_sizes(archive)
        _, book, rels = _workbook(archive)
        pr = book.find(f"{{{_MAIN_NS}}}workbookPr")
        mac = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
        parts = {kind: target for kind, target in rels.values() if kind in ("styles", "sharedStrings")}
        context = _Context(archive, parts.get("styles"), parts.get("sharedStrings"), mac)
        tabs = _worksheets(archive, book, rels)
        xmls = {target: archive.read(target) for _, target in tabs}
        for name, target in tabs:  # before calamine sizes its grids from the cells
            check_extent(name, xmls[target])
        # calamine parses the sheets on a worker thread (it releases the GIL) while this thread scans the XML
        with open_calamine(path, "xlsx") as workbook, ThreadPoolExecutor(1) as pool:
            parsed = [pool.submit(workbook.get_sheet_by_name, name) for name, _ in tabs]
            try:
                for name, target in tabs:
                    xml = xmls.pop(target)
                    patches, merges = _patches(xml, context), xlsx_merges(xml)
                    del xml
                    sheet = parsed.pop(0).result()  # (no reference kept: calamine's copy is freed when done)
                    grid = sheet.to_python(skip_empty_area=False)
                    del sheet
                    sheets[name] = RawSheet(name, grid_rows(grid, patches), merges)
                    del grid
            finally:
                pool.shutdown(cancel_futures=True)
    return sheets


def _workbook(archive: zipfile.ZipFile) -> tuple[str, ET.Element, dict[str, tuple[str, str]]]:
    """The workbook part's name, its XML and its relationships."""
    book_part = _office_document(archive)
    return book_part, ET.fromstring(archive.read(book_part)), _relationships(archive, book_part)


def _worksheets(archive: zipfile.ZipFile, book: ET.Element | None = None,
                rels: dict[str, tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """(sheet name, zip path) of every worksheet, in the workbook's order: openpyxl's choice (no chart sheets)."""
    if book is None or rels is None:
        _, book, rels = _workbook(archive)
    names = set(archive.namelist())
    tabs = []
    for node in book.iter(f"{{{_MAIN_NS}}}sheet"):
        kind, target = rels.get(node.get(f"{{{_REL_NS}}}id", ""), ("", ""))
        if target in names and "chartsheet" not in kind:
            tabs.append((node.get("name", ""), target))
    return tabs


def _office_document(archive: zipfile.ZipFile) -> str:
    root = ET.fromstring(archive.read("_rels/.rels"))
    for rel in root.iter(_PKG_REL):
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target", "").lstrip("/")
    raise _NeedsOpenpyxl("no workbook part")


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type's last word, zip path of the target) for one part."""
    folder, name = posixpath.split(part)
    root = ET.fromstring(archive.read(posixpath.join(folder, "_rels", f"{name}.rels")))
    out = {}
    for rel in root.iter(_PKG_REL):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], target)
    return out


class _Context:
    """Workbook-wide facts needed to re-read single cells the way openpyxl does."""

    def __init__(self, archive: zipfile.ZipFile, styles: str | None, strings: str | None, mac: bool) -> None:
        self.mac = mac
        self.date_styles: set[int] = set()
        self.duration_styles: set[int] = set()
        self.mismatched_styles: list[int] = []
        if styles and styles in archive.namelist():
            self._read_styles(ET.fromstring(archive.read(styles)))
        self.risky_strings: dict[int, str] = {}
        if strings and strings in archive.namelist():
            self._read_strings(archive.read(strings))

    def _read_styles(self, root: ET.Element) -> None:
        """openpyxl's and calamine's view of each cell style: number, date or duration."""
        formats = root.find(f"{{{_MAIN_NS}}}numFmts")  # (not the numFmts of conditional formats, in <dxfs>)
        custom = {n.get("numFmtId", ""): n.get("formatCode", "") for n in (formats if formats is not None else ())}
        xfs = root.find(f"{{{_MAIN_NS}}}cellXfs")
        for index, xf in enumerate(xfs if xfs is not None else ()):
            raw = xf.get("numFmtId")
            code = custom.get(raw or "0")
            theirs = openpyxl_kind(code if code is not None else OPENPYXL_BUILTIN_DATES.get(int(raw or 0)))
            if theirs != OTHER:
                self.date_styles.add(index)
            if theirs == DURATION:
                self.duration_styles.add(index)
            if raw is None:
                calamines = OTHER
            else:
                calamines = calamine_kind(code) if code is not None else calamine_builtin_kind(raw)
            if calamines != theirs:
                self.mismatched_styles.append(index)
        if 0 in self.date_styles:  # a cell without s= is a date in openpyxl (style 0), never in calamine
            raise _NeedsOpenpyxl("style 0 is a date format")

    def _read_strings(self, xml: bytes) -> None:
        """Shared strings calamine reports differently from openpyxl, re-read with openpyxl's rules."""
        if b"<sst" not in xml:
            raise _NeedsOpenpyxl("prefixed shared strings")
        offsets = _risky_text(xml, b"si")
        if not offsets:
            return
        from openpyxl.cell.text import Text

        starts = [m.start() for m in _SI_START.finditer(xml)]
        root = _root_tag(xml)
        for offset in offsets:
            index = bisect.bisect_right(starts, offset) - 1
            if index < 0 or index in self.risky_strings:
                continue
            start = starts[index]
            end = xml.find(b">", start) + 1
            if xml[end - 2:end] != b"/>":
                end = xml.index(b"</si>", start) + 5
            node = _parse_fragment(root, xml[start:end])
            self.risky_strings[index] = Text.from_tree(node).content.replace("x005F_", "")

    def shared_string(self, index: int) -> object:
        return self.risky_strings.get(index, _KEEP)


# -------------------------------------------------------------------------------------------- sheets


def grid_rows(grid: list[list[object]], patches: dict[int, list[tuple[int, Cell]]] | None = None,
              ) -> tuple[tuple[int, tuple[Cell, ...]], ...]:
    """Every row that holds a value in calamine's grid (from A1), as openpyxl would give it: whole numbers below
    1e16 as ``int``, dates as ``datetime``, empty cells as ``None`` (``patches``: cells to replace)."""
    patches = patches or {}
    missing = max(patches, default=0) - len(grid)
    if missing > 0:  # (calamine keeps every cell that has a value, so this should not happen)
        grid = grid + [[] for _ in range(missing)]
    rows = []
    for number, values in enumerate(grid, start=1):
        cells = [
            None if v is _EMPTY  # calamine's empty cell: the one empty str object
            else ((int(v) if v.is_integer() and -1e16 < v < 1e16 else v) if type(v) is float
                  else datetime(v.year, v.month, v.day) if type(v) is date else v)
            for v in values
        ]
        if patches:
            for column, value in patches.get(number, ()):
                cells.extend([None] * (column - len(cells)))
                cells[column - 1] = value
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if cells:
            rows.append((number, tuple(cells)))
    return tuple(rows)


def _patches(xml: bytes, context: _Context) -> dict[int, list[tuple[int, Cell]]]:
    """Cells whose XML says calamine's value is not openpyxl's: {row: [(column, openpyxl's value)]}."""
    body_start, body_end = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
    if body_start < 0:
        if b":sheetData" in xml:
            raise _NeedsOpenpyxl("namespace-prefixed worksheet")
        return {}
    offsets = {m.start() for m in _TYPE_E_OR_D.finditer(xml, body_start, body_end)}
    offsets.update(m.start() for m in _NUMBER_TEXT.finditer(xml, body_start, body_end))
    if xml.find(b"<is", body_start, body_end) >= 0:  # inline strings
        offsets.update(_risky_text(xml, b"is", body_start, body_end))
    if context.risky_strings:  # cells of type s that show one of those shared strings
        indexes = b"|".join(str(i).encode() for i in sorted(context.risky_strings))
        pattern = re.compile(rb"<v>\s*(?:" + indexes + rb")\s*</v>")
        for found in pattern.finditer(xml, body_start, body_end):
            head = xml[xml.rfind(b"<c", body_start, found.start()):found.start()]
            if b't="s"' in head or b"t='s'" in head:
                offsets.add(found.start())
    if context.mismatched_styles:
        styles = b"|".join(str(i).encode() for i in context.mismatched_styles)
        offsets.update(m.start() for m in re.finditer(rb"<c\s[^>]*?\bs=[\"'](?:" + styles + rb")[\"']", xml))
    patches: dict[int, list[tuple[int, Cell]]] = {}
    if not offsets:
        return patches
    if _MAIN_NS.encode() not in _root_tag(xml):
        raise _NeedsOpenpyxl("not transitional SpreadsheetML")
    done: set[int] = set()
    for offset in sorted(o for o in offsets if body_start < o < body_end):
        start, end = _enclosing_cell(xml, offset)
        if start < 0 or start in done:
            continue
        done.add(start)
        cell = _parse_fragment(_root_tag(xml), xml[start:end])
        ref = _REF.fullmatch(cell.get("r", "").replace("$", ""))
        if ref is None:
            raise _NeedsOpenpyxl("a cell without r=")
        value = _openpyxl_value(cell, context)
        if value is not _KEEP:
            patches.setdefault(int(ref.group(2)), []).append((column_number(ref.group(1)), value))  # type: ignore[arg-type]
    return patches


def _risky_text(xml: bytes, container: bytes, start: int = 0, end: int | None = None) -> list[int]:
    """Offsets of strings calamine reads differently from openpyxl: empty strings, ``_x00HH_`` escapes
    (calamine decodes them), whitespace at the edge of a ``<t>`` without ``xml:space="preserve"`` (calamine
    trims it) and, in shared strings, ``x005F_`` (openpyxl drops it)."""
    end = len(xml) if end is None else end
    hits = [m.start() for m in _RISKY_T.finditer(xml, start, end)]
    hits.extend(m.start() for m in _EMPTY_CONTAINER[container].finditer(xml, start, end))
    for needle in (b"_x00", b"x005F_") if container == b"si" else (b"_x00",):
        hits.extend(_find_all(xml, needle, start, end))
    return hits


def _find_all(xml: bytes, needle: bytes, start: int, end: int) -> Iterable[int]:
    offset = xml.find(needle, start, end)
    while offset >= 0:
        yield offset
        offset = xml.find(needle, offset + 1, end)


def _enclosing_cell(xml: bytes, offset: int) -> tuple[int, int]:
    """(start, end) of the ``<c>`` element around *offset*, or (-1, -1) when it is not inside one."""
    start = xml.rfind(b"<c", 0, offset + 2)
    while start >= 0 and xml[start + 2:start + 3] not in (b" ", b"\t", b"\n", b"\r", b">", b"/"):
        start = xml.rfind(b"<c", 0, start)  # <col>, <color> ...
    if start < 0:
        return -1, -1
    head_end = xml.find(b">", start) + 1
    end = head_end if xml[head_end - 2:head_end] == b"/>" else xml.find(b"</c>", head_end) + 4
    return (start, end) if start <= offset < end else (-1, -1)


def _root_tag(xml: bytes) -> bytes:
    found = _ROOT_TAG.search(xml)
    if found is None:
        raise _NeedsOpenpyxl("no root element")
    return found.group(0)


def _parse_fragment(root_tag: bytes, fragment: bytes) -> ET.Element:
    """Parse one element cut out of a part, inside a copy of the part's root tag (its namespaces)."""
    name = _ROOT_TAG.match(root_tag).group(1)  # type: ignore[union-attr]
    opening = root_tag[:-2] + b">" if root_tag.endswith(b"/>") else root_tag
    return ET.fromstring(opening + fragment + b"</" + name + b">")[0]


def _openpyxl_value(cell: ET.Element, context: _Context) -> object:
    """openpyxl's WorkSheetParser.parse_cell with data_only=True (openpyxl 3.1), for one cell."""
    data_type = cell.get("t", "n")
    style: str | int = cell.get("s", 0)
    style = int(style) if style else 0
    value: object = None if data_type == "inlineStr" else (cell.findtext(_V, None) or None)
    if isinstance(value, str):
        if data_type == "n":
            value = float(value) if "." in value or "E" in value or "e" in value else int(value)
            if style in context.date_styles:
                from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

                try:
                    value = from_excel(value, MAC_EPOCH if context.mac else WINDOWS_EPOCH,
                                       timedelta=style in context.duration_styles)
                except (OverflowError, ValueError):
                    value = "#VALUE!"
        elif data_type == "s":
            value = context.shared_string(int(value))
        elif data_type == "b":
            value = bool(int(value))
        elif data_type == "d":
            from openpyxl.utils.datetime import from_ISO8601

            with contextlib.suppress(ValueError):  # "1899-02-30": the cell's error (validation reports it)
                value = from_ISO8601(value)
    elif data_type == "inlineStr":
        child = cell.find(_IS)
        if child is not None:
            from openpyxl.cell.text import Text

            value = Text.from_tree(child).content
    return value
