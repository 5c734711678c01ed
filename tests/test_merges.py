"""Merged cells read as the clerk sees them: the value of a merged range in every cell it covers, below the header."""

from __future__ import annotations

import pytest

from tracker.common import SourceError
from tracker.register.merges import fill_merges, xlsx_merges
from tracker.register.sheets import RawSheet


def _sheet(merges: tuple[tuple[int, int, int, int], ...]) -> RawSheet:
    rows = ((1, ("家庭成员名单",)),  # a title, merged across the header's width
            (2, ("户编号", "姓名", "村")),
            (3, ("H1", "甲", "东村")), (4, (None, "乙")), (5, (None, "丙")),
            (7, ("H2", "丁")), (8, (None, "戊", "")))
    return RawSheet("家庭成员", rows, merges)


def test_a_range_down_a_column_fills_every_row_it_covers() -> None:
    filled, count = fill_merges(_sheet(((3, 1, 5, 1), (7, 1, 8, 1))), header_row=2)
    assert [cells[0] for _, cells in filled.rows[2:]] == ["H1", "H1", "H1", "H2", "H2"]
    assert count == 3


def test_title_and_header_merges_are_layout_not_data() -> None:
    filled, count = fill_merges(_sheet(((1, 1, 1, 3), (2, 1, 3, 1))), header_row=2)
    assert filled.rows[0] == (1, ("家庭成员名单",)) and count == 0


def test_a_range_across_columns_and_down() -> None:
    filled, count = fill_merges(_sheet(((3, 3, 5, 3),)), header_row=2)
    assert [cells[2] if len(cells) > 2 else None for _, cells in filled.rows[2:5]] == ["东村", "东村", "东村"]
    assert count == 2
    filled, count = fill_merges(_sheet(((7, 1, 7, 3),)), header_row=2)
    assert filled.rows[5] == (7, ("H2", "H2", "H2")) and count == 2


def test_blank_rows_under_a_range_do_not_become_households() -> None:
    filled, _ = fill_merges(_sheet(((7, 1, 12, 1),)), header_row=2)  # down to row 12: rows 9-12 are empty
    assert [number for number, _ in filled.rows] == [1, 2, 3, 4, 5, 7, 8]


def test_an_empty_top_left_gives_nothing_and_unfilled_sheets_are_unchanged() -> None:
    sheet = _sheet(((4, 1, 5, 1),))
    assert fill_merges(sheet, header_row=2) == (sheet, 0)
    assert fill_merges(sheet, header_row=None) == (sheet, 0)


def test_ranges_far_beyond_the_sheet_are_clipped_and_bounded() -> None:
    filled, count = fill_merges(_sheet(((3, 1, 1_048_576, 16_384),)), header_row=2)
    assert max(len(cells) for _, cells in filled.rows) == 3  # clipped to the columns the sheet uses
    assert count == 5 * 3 - 1  # five data rows × three columns, less the top-left
    rows = tuple((n, ("x",) * 200) for n in range(1, 40_001))  # overlapping ranges cannot multiply the work
    with pytest.raises(SourceError, match="合并单元格覆盖了"):
        fill_merges(RawSheet("大表", rows, tuple((2, 1, 40_000 - i, 200) for i in range(3))), header_row=1)


def test_xlsx_merge_refs_are_read_from_the_sheet_xml() -> None:
    xml = (b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
           b'<mergeCells count="2"><mergeCell ref="A2:A4"/><mergeCell ref="$B$6:C6"/></mergeCells></worksheet>')
    assert xlsx_merges(xml) == ((2, 1, 4, 1), (6, 2, 6, 3))
    assert xlsx_merges(b'<x:worksheet><x:sheetData/><x:mergeCells><x:mergeCell ref="C3:B2"/></x:mergeCells>') == (
        (2, 2, 3, 3),)
