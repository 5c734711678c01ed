"""Merged ranges of a Google Sheet: reported per tab in RawSheet.merges (1-based, inclusive), from the metadata the
read already fetches, so a read stays exactly 2 requests. Same stand-in as tests/test_gsheet.py: no network."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.fake_sheets_api import FakeSheetsAPI, grid_range
from tests.test_gsheet import KEY, URL, clean_register
from tracker.register.gsheet import RESULT_TAB, merge_from_grid, sheet_merges
from tracker.register.sources import open_source
from tracker.validate.validator import validate


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeSheetsAPI:
    fake = FakeSheetsAPI()
    fake.install(monkeypatch, tmp_path)
    return fake


def test_merges_reported_per_tab_in_the_same_two_requests(google: FakeSheetsAPI) -> None:
    tabs = clean_register()  # 行政村 (sheetId 0), 监测户 (title line above the header), 帮扶措施
    google.add(KEY, tabs, merges={
        "行政村": ["A2:A3", "C2:D2"],  # sheetId 0: sent without sheetId (Google leaves out fields equal to 0)
        "监测户": ["A1:H1", "AA10:AB12"],  # a title line; one well beyond the data (bounded: kept as is)
    })
    raw = google._metadata(google.spreadsheets[KEY])["sheets"]
    assert raw[0]["merges"][0] == {"startRowIndex": 1, "endRowIndex": 3, "endColumnIndex": 1}  # no sheetId, no 0s
    register = open_source(URL).read()
    assert register.sheets["行政村"].merges == ((2, 1, 3, 1), (2, 3, 2, 4))
    assert register.sheets["监测户"].merges == ((1, 1, 1, 8), (10, 27, 12, 28))
    assert register.sheets["帮扶措施"].merges == ()
    assert [s.endpoint for s in google.requests] == ["metadata", "batchGet"]  # still exactly 2 requests
    assert "fields" not in google.requests[0].params  # no field mask: the whole Sheet resource, merges included
    # filled as the clerk sees them: C2:D2 puts the village name over its 村代码 cell, which is then judged as such
    result = validate(register, today=date(2020, 7, 1))
    assert [(e.sheet, e.row, e.column, e.value, e.code) for e in result.errors] == [
        ("行政村", 2, "村代码", "东村", "type")]
    assert result.merged_cells == 1  # D2 from C2 (A3 already holds A2's county: nothing to fill)


def test_merges_on_the_result_tab_or_an_unknown_sheet_are_ignored(google: FakeSheetsAPI) -> None:
    tabs = clean_register()
    tabs[RESULT_TAB] = [["旧的报告"], ["表", "行", "列"]]
    google.add(KEY, tabs, merges={
        RESULT_TAB: ["A1:C1"],
        "监测户": ["A1:H1", {"sheetId": 424242, "startRowIndex": 0, "endRowIndex": 2, "endColumnIndex": 2}],
    })
    register = open_source(URL).read()
    assert RESULT_TAB not in register.sheets
    assert {t: s.merges for t, s in register.sheets.items()} == {"行政村": (), "监测户": ((1, 1, 1, 8),),
                                                                 "帮扶措施": ()}
    assert [s.endpoint for s in google.requests] == ["metadata", "batchGet"]


def test_unbounded_ends_are_clipped_to_the_data_returned(google: FakeSheetsAPI) -> None:
    rows: list[list[Any]] = [["名册"], [], ["a", "b", "c"], ["d", "e", "f", "g"], [None, "h"]]
    google.add(KEY, {"t": rows}, merges={"t": [
        {"startRowIndex": 2, "startColumnIndex": 1},  # C.. to the end of the sheet both ways
        {"startColumnIndex": 3, "endColumnIndex": 4},  # the whole column D
        {"startRowIndex": 40, "endColumnIndex": 2},  # starts below the last row holding data: nothing left
    ]})
    sheet = open_source(URL).read().sheets["t"]
    assert sheet.merges == ((1, 4, 5, 4), (3, 2, 5, 4))


@pytest.mark.parametrize(("grid", "merge"), [
    ({"startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 8}, (1, 1, 1, 8)),
    ({"endRowIndex": 2, "endColumnIndex": 3}, (1, 1, 2, 3)),  # starts left out: 0
    ({"startRowIndex": 4}, (5, 1, 9, 6)),  # ends unbounded: the last data row and column
    ({"startRowIndex": 9, "endColumnIndex": 1}, None),  # below the data and unbounded: nothing left
    ({"startRowIndex": 3, "endRowIndex": 3}, None),  # empty
    ({"startRowIndex": "1", "endRowIndex": 3}, None), ({"startRowIndex": -1}, None), ({"endRowIndex": True}, None),
])
def test_merge_from_grid(grid: dict[str, Any], merge: tuple[int, int, int, int] | None) -> None:
    assert merge_from_grid(grid, 9, 6) == merge


def test_sheet_merges_matches_by_sheet_id() -> None:
    metadata = {"sheets": [
        {"properties": {"title": "a"}, "merges": [{"endRowIndex": 1, "endColumnIndex": 2}]},  # sheetId 0 left out
        {"properties": {"sheetId": 7, "title": "b"}, "merges": [{"sheetId": 7, "endRowIndex": 1}, {"sheetId": 9}]},
        {"properties": {"sheetId": 8, "title": RESULT_TAB}, "merges": [{"sheetId": 8, "endRowIndex": 1}]},
    ]}
    assert sheet_merges(metadata, ["a", "b"]) == {"a": [{"endRowIndex": 1, "endColumnIndex": 2}],
                                                   "b": [{"sheetId": 7, "endRowIndex": 1}]}
    assert sheet_merges({}, ["a"]) == {"a": []}


def test_a_field_mask_without_merges_would_lose_them(google: FakeSheetsAPI) -> None:
    """The stand-in honours a ``fields`` mask, so adding one to the metadata call that drops merges fails above."""
    google.add(KEY, {"t": [["x"]]}, merges={"t": ["A1:B1"]})
    sheet = google.spreadsheets[KEY]
    assert "merges" not in google._metadata(sheet, "properties,sheets.properties")["sheets"][0]
    assert google._metadata(sheet, "sheets(properties,merges)")["sheets"][0]["merges"] == [{"endRowIndex": 1,
                                                                                             "endColumnIndex": 2}]
    assert grid_range("B2:AA3") == {"startRowIndex": 1, "endRowIndex": 3, "startColumnIndex": 1, "endColumnIndex": 27}
