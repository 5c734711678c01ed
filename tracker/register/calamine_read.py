"""Excel 97-2003 ``.xls``, Excel binary ``.xlsb`` and OpenDocument ``.ods`` workbooks, read with python-calamine.

Cells come over as the ``.xlsx`` reader gives them (:func:`tracker.register.xlsx_read.grid_rows`): whole numbers as
``int``, dates as ``datetime`` (calamine applies the workbook's 1900 or 1904 date system), empty cells as ``None``,
rows numbered as the spreadsheet numbers them. Merged ranges come from calamine for ``.xls``, from ``content.xml`` for
``.ods`` (:mod:`tracker.register.ods_scan`, which also measures the sheets before calamine expands repeated cells).

Size: an ``.xls`` or ``.xlsb`` sheet can claim any extent in binary records this project does not parse itself (a
BIFF cell record may say row 65,535, column 65,535: a 137 GB grid for calamine): their sheets are measured by calamine
in a child process whose address space is capped, so a crafted file costs a refusal, never the nightly's memory or
an abort; each sheet is then judged by the limits of :mod:`tracker.register.xlsx_limits`.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import zipfile
from pathlib import Path

from tracker.common import SourceError

from .ods_scan import scan_ods
from .sheets import Merge, RawRegister, RawSheet
from .xlsx_limits import check_part_sizes, judge_extent
from .xlsx_read import grid_rows, open_calamine

_CHILD_MEMORY = 3 << 30  # the address space an .xlsb measure may add to the process's own


def read_calamine(path: Path, label: str, kind: str) -> RawRegister:
    """Every worksheet of an ``.xls``, ``.xlsb`` or ``.ods`` workbook (``kind`` as sniffed)."""
    from lxml import etree
    from python_calamine import CalamineError, PasswordError, SheetTypeEnum

    merges: dict[str, tuple[Merge, ...]] = {}
    try:
        if kind in ("ods", "xlsb"):
            with zipfile.ZipFile(path) as archive:
                check_part_sizes(archive)
                if kind == "ods":
                    merges = scan_ods(archive)
        if kind in ("xlsb", "xls"):  # (a BIFF cell record may name any row and column up to 65,535)
            _measure_apart(path, label, kind)
        sheets: dict[str, RawSheet] = {}
        with open_calamine(path, kind) as book:
            for meta in book.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet:  # (chart, dialog and macro sheets hold no table)
                    continue
                sheet = book.get_sheet_by_name(meta.name)
                if sheet.end is not None:
                    judge_extent(meta.name, sheet.end[0] + 1, sheet.end[1] + 1, (sheet.end[1] + 1, sheet.end[0] + 1))
                grid = sheet.to_python(skip_empty_area=False)
                found = merges.get(meta.name) or _calamine_merges(sheet)
                del sheet
                sheets[meta.name] = RawSheet(meta.name, grid_rows(grid), found)
                del grid
    except PasswordError as exc:
        raise SourceError(password_sentence(label)) from exc
    except (CalamineError, zipfile.BadZipFile, OSError, ValueError, KeyError, etree.LxmlError) as exc:
        raise SourceError(f"{label} 读不出来（{_name(kind)}，{_short(exc)}），文件可能已损坏；请用 Excel 或 WPS 打开后"
                          "另存为 .xlsx 再试。") from exc
    return RawRegister(source=label, sheets=sheets)


def password_sentence(label: str) -> str:
    return f"{label} 设置了打开密码：请在 Excel/WPS 中取消密码，或另存一份不加密的副本后再试。"


def _name(kind: str) -> str:
    from .sniff import NAMES

    return NAMES.get(kind, kind)


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:80]


def _calamine_merges(sheet: object) -> tuple[Merge, ...]:
    ranges = getattr(sheet, "merged_cell_ranges", None) or ()
    return tuple((r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in ranges)


# ------------------------------------------------------------------------- measuring apart (.xlsb)


def _measure_apart(path: Path, label: str, kind: str) -> None:
    """Each sheet's extent, found by calamine in a child process with a capped address space; a sheet beyond the
    limits, or a child that could not hold the workbook, is refused here."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_measure_child, args=(str(path), kind, send), daemon=True)
    child.start()
    send.close()
    try:
        extents = receive.recv() if receive.poll(600) else None
    except EOFError:
        extents = None
    child.join(5)
    if child.is_alive():
        child.kill()
    if extents is None or isinstance(extents, str):
        if isinstance(extents, str) and extents.startswith("password"):
            raise SourceError(password_sentence(label))
        raise SourceError(f"{label} 读不出来（{_name(kind)}）：它声明的表格大小超过本程序能读取的上限，或者文件已损坏；"
                          "请用 Excel 打开后删除多余的行和列，另存为 .xlsx 再试。")
    for name, (rows, columns) in extents:
        judge_extent(name, rows, columns, (columns, rows))


def _measure_child(path: str, kind: str, send: object) -> None:
    from python_calamine import PasswordError

    try:
        with open(f"/proc/{multiprocessing.current_process().pid}/statm") as statm:
            used = int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:
        used = 1 << 30
    resource.setrlimit(resource.RLIMIT_AS, (used + _CHILD_MEMORY, used + _CHILD_MEMORY))
    devnull = os.open(os.devnull, os.O_WRONLY)  # an allocation that fails aborts with a Rust backtrace: not for clerks
    os.dup2(devnull, 2)
    try:
        extents = []
        with open_calamine(Path(path), kind) as book:
            for name in book.sheet_names:
                sheet = book.get_sheet_by_name(name)
                end = sheet.end
                extents.append((name, (0, 0) if end is None else (end[0] + 1, end[1] + 1)))
                del sheet
        send.send(extents)  # type: ignore[attr-defined]
    except PasswordError:
        send.send("password")  # type: ignore[attr-defined]
    except Exception as exc:  # the parent turns any failure into one sentence
        send.send(f"error: {exc}")  # type: ignore[attr-defined]
