"""The shared Google Sheet as the register: recognise it, read every tab (and its merges) in two Sheets API requests.

One read is ``open_by_key`` (the spreadsheet's metadata: the tab titles) plus a single ``values:batchGet``
over all tabs, whatever their number or size. Values come back UNFORMATTED (numbers as numbers) with dates
as SERIAL_NUMBER (days since 1899-12-30, parsed by :mod:`tracker.validate.cells` like Excel serials). The API trims
trailing empty cells and rows, sends an empty middle row as ``[]`` and omits ``values`` for an empty tab:
row numbers are counted from the start row of each returned range, so they stay the sheet's own.

Merged ranges come from that same metadata, at no extra request: gspread's ``open_by_key`` asks for the
spreadsheet with ``includeGridData=false`` and no ``fields`` mask, so every tab's whole ``Sheet`` resource comes back,
``merges`` included (the API leaves the list out when a tab has none). Each merge is a ``GridRange``: 0-based,
ends exclusive, and, as the API writes JSON, a field equal to 0 is left out (``sheetId`` and the start indexes
then read as 0) while a missing end index means unbounded (clipped here to the rows and columns that hold data).
:func:`sheet_merges` turns them into :attr:`RawSheet.merges`, ``(first_row, first_column, last_row,
last_column)``, 1-based and inclusive; a merge naming the result tab, a chart sheet or an unknown ``sheetId``
is ignored. They are only reported here: filling them is done later, once the header is known.

This module only knows what the user typed and how to turn API values into a :class:`RawRegister`; talking
to Google (credentials, timeouts, bounded retries, Chinese error sentences) is in :mod:`tracker.register.gsheet_api`,
imported only when a Google sheet is actually read, so file sources never load gspread.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.common import SourceError

from .sheets import Cell, Merge, RawRegister, RawSheet

if TYPE_CHECKING:
    from .gsheet_api import RetryPolicy, SheetsConnection

#: The tab the write-back replaces; it is never read as part of the register.
RESULT_TAB = "校验结果"

_KEY = r"[A-Za-z0-9_-]{10,}"
_URL = re.compile(r"^(?:https?://)?docs\.google\.com/spreadsheets/(?:u/\d+/)?d/(?P<key>[A-Za-z0-9_-]+)", re.I)
_PREFIX = "gsheet:"


def sheet_key(spec: str) -> str | None:
    """The spreadsheet key in a Sheets URL as copied from the browser, or in ``gsheet:KEY``; None otherwise.

    Raises SourceError for something that is clearly meant as a Google sheet but carries no usable key.
    """
    text = spec.strip()
    if text.lower().startswith(_PREFIX):
        key = text[len(_PREFIX):].strip()
        if not re.fullmatch(_KEY, key):
            raise SourceError(f"「{spec}」里的表格 key 不完整：应写成 gsheet: 加上表格网址中 /d/ 与 /edit "
                              "之间的那一串字符。")
        return key
    if "docs.google.com/spreadsheets" not in text.lower():
        return None
    match = _URL.match(text)
    if match and match["key"] == "e":
        raise SourceError("这是“发布到网络”的链接，无法用来读取名册：请打开表格，"
                          "复制浏览器地址栏里以 /edit 结尾的网址。")
    if not match or not re.fullmatch(_KEY, match["key"]):
        raise SourceError(f"「{spec}」不是完整的 Google 表格网址：请打开表格，"
                          "复制浏览器地址栏里的网址（含 /d/ 后面的 key）。")
    return match["key"]


# ------------------------------------------------------------------------------------- API values -> cells

_A1_START = re.compile(r"^\$?(?P<col>[A-Za-z]*)\$?(?P<row>\d*)")


def range_start(a1: str) -> tuple[int, int]:
    """1-based (row, column) where a returned range like ``'监测户'!A1:Z1000`` starts; (1, 1) if it can't tell."""
    cells = a1.rsplit("!", 1)[-1] if "!" in a1 else ""
    match = _A1_START.match(cells)
    if not match:
        return 1, 1
    column = 0
    for letter in match["col"].upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(match["row"] or 1), column or 1


def _cell(value: Any) -> Cell:
    if value is None or value == "":
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def sheet_from_values(title: str, value_range: Mapping[str, Any], grids: Sequence[Mapping[str, Any]] = ()) -> RawSheet:
    """One tab from a ``ValueRange``, every kept row numbered as in the sheet; empty rows are omitted.
    ``grids`` are the tab's merged ``GridRange``s from the metadata (see :func:`merge_from_grid`)."""
    start_row, start_col = range_start(str(value_range.get("range", "")))
    pad = (None,) * (start_col - 1)
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    for offset, values in enumerate(value_range.get("values") or ()):
        cells = pad + tuple(_cell(v) for v in values)
        end = len(cells)
        while end and cells[end - 1] is None:
            end -= 1
        if end:
            rows.append((start_row + offset, cells[:end]))
    last_row, last_column = (rows[-1][0], max(len(cells) for _, cells in rows)) if rows else (0, 0)
    merges = (merge_from_grid(grid, last_row, last_column) for grid in grids)
    return RawSheet(title, tuple(rows), tuple(sorted(m for m in merges if m is not None)))


def merge_from_grid(grid: Mapping[str, Any], last_row: int, last_column: int) -> Merge | None:
    """A ``GridRange`` (0-based, ends exclusive, a missing start is 0, a missing end unbounded) as a 1-based
    inclusive :data:`Merge`, an unbounded end clipped to ``last_row`` / ``last_column`` (the data returned);
    None when nothing is left of it or it is malformed."""
    bounds = [grid.get(name, default) for name, default in (("startRowIndex", 0), ("startColumnIndex", 0),
                                                            ("endRowIndex", last_row), ("endColumnIndex", last_column))]
    if not all(isinstance(b, int) and not isinstance(b, bool) and b >= 0 for b in bounds):
        return None
    top, left, bottom, right = bounds[0] + 1, bounds[1] + 1, bounds[2], bounds[3]
    if bottom < top or right < left:
        return None
    return top, left, bottom, right


def sheet_merges(metadata: Mapping[str, Any], titles: Sequence[str]) -> dict[str, list[Mapping[str, Any]]]:
    """The merged ``GridRange``s of each tab in ``titles``, matched by ``sheetId`` (absent: 0, as the API omits
    zeros); merges on any other tab (the result tab, a chart sheet) or naming an unknown sheet are left out."""
    ids: dict[int, str] = {}
    for sheet in metadata.get("sheets") or ():
        props = sheet.get("properties") or {}
        if props.get("title") in titles:
            ids.setdefault(props.get("sheetId", 0), str(props["title"]))
    found: dict[str, list[Mapping[str, Any]]] = {title: [] for title in titles}
    for sheet in metadata.get("sheets") or ():
        for grid in sheet.get("merges") or ():
            title = ids.get(grid.get("sheetId", 0)) if isinstance(grid, Mapping) else None
            if title is not None:
                found[title].append(grid)
    return found


def register_from_batch(label: str, titles: Sequence[str], response: Mapping[str, Any],
                        merges: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> RawRegister:
    """The whole register from one ``values:batchGet`` answer, or SourceError — never a partial register.
    ``merges`` are each tab's merged ``GridRange``s (:func:`sheet_merges`)."""
    ranges = response.get("valueRanges")
    if not isinstance(ranges, list) or len(ranges) != len(titles):
        raise SourceError(f"Google 表格返回的数据不完整（请求 {len(titles)} 个工作表），请稍后重新运行。")
    merges = merges or {}
    return RawRegister(source=label, sheets={t: sheet_from_values(t, vr, merges.get(t, ()))
                                             for t, vr in zip(titles, ranges, strict=True)})


def data_titles(metadata: Mapping[str, Any]) -> list[str]:
    """Titles of the grid tabs that hold the register (chart sheets and the result tab are skipped)."""
    titles = []
    for sheet in metadata.get("sheets") or ():
        props = sheet.get("properties") or {}
        if props.get("sheetType", "GRID") == "GRID" and props.get("title") != RESULT_TAB:
            titles.append(str(props.get("title")))
    return titles


# ------------------------------------------------------------------------------------------------ source


@dataclass
class GoogleSheetSource:
    """The register in a Google Sheet, read with a service account.

    ``credentials`` is the service-account JSON file (default: ``$GOOGLE_APPLICATION_CREDENTIALS``);
    ``writable`` asks for the read-write scope, needed only by the write-back and the template.
    After :meth:`read`, :attr:`connection` holds the open spreadsheet (its metadata) for the write-back.
    """

    key: str
    credentials: Path | None = None
    writable: bool = False
    policy: RetryPolicy | None = None
    connection: SheetsConnection | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.key}"

    def connect(self) -> SheetsConnection:
        """Open the spreadsheet (one metadata request), once."""
        if self.connection is None:
            from .gsheet_api import SheetsConnection

            self.connection = SheetsConnection.open(self.key, self.credentials, writable=self.writable,
                                                    policy=self.policy)
        return self.connection

    def read(self) -> RawRegister:
        connection = self.connect()
        titles = data_titles(connection.metadata)
        response = connection.batch_get(titles) if titles else {"valueRanges": []}
        return register_from_batch(self.label, titles, response, sheet_merges(connection.metadata, titles))
