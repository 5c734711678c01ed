"""The format writers in formats_craft write what they claim: read back with calamine, lxml and msoffcrypto."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
from lxml import html as lxml_html
from python_calamine import CalamineWorkbook

from tests.formats_craft import (
    encrypt_xlsx,
    merge_runs,
    sheet_rows,
    to_html_table,
    to_ods,
    to_unicode_text,
    to_xls,
)
from tests.xlsx_craft import with_xml

ID = "110101199001011234"
SHEET = "监测对象"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["户主", "认定日期", "人均纯收入", "身份证号"])
    ws.append(["张三", dt.date(2024, 1, 5), 1234.5, ID])
    ws.append([None, dt.datetime(2024, 3, 1, 10, 30), 7, "x"])
    ws.append([None, None, None, "y"])
    ws.append([])
    ws.append(["李四", "合并", None, None])
    ws.merge_cells("A2:A4")
    ws.merge_cells("B6:C6")
    wb.create_sheet("说明")["A1"] = "备注"
    path = tmp_path / "register.xlsx"
    wb.save(path)
    return path


def _read(path: Path, sheet: str = SHEET) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def test_xls_keeps_sheets_values_dates_and_merges(source: Path, tmp_path: Path) -> None:
    dest = to_xls(source, tmp_path / "register.xls")
    book = CalamineWorkbook.from_path(str(dest))
    assert book.sheet_names == [SHEET, "说明"]
    rows = _read(dest)
    assert rows[0] == ["户主", "认定日期", "人均纯收入", "身份证号"]
    assert rows[1] == ["张三", dt.date(2024, 1, 5), 1234.5, ID]
    assert rows[2] == ["", dt.datetime(2024, 3, 1, 10, 30), 7, "x"]
    assert rows[5][:3] == ["李四", "合并", ""]
    assert book.get_sheet_by_name(SHEET).merged_cell_ranges == [((1, 0), (3, 0)), ((5, 1), (5, 2))]
    assert _read(dest, "说明") == [["备注"]]


@pytest.mark.filterwarnings("ignore:Title is more than 31 characters")
def test_xls_refuses_what_biff8_cannot_hold(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.cell(1, 257, "wide")
    wb.save(tmp_path / "wide.xlsx")
    with pytest.raises(ValueError, match="256"):
        to_xls(tmp_path / "wide.xlsx", tmp_path / "wide.xls")
    wb = openpyxl.Workbook()
    wb.active.title = "脱贫户和监测对象帮扶措施落实情况逐户核查明细表（2024年第三季度）"
    wb.save(tmp_path / "named.xlsx")
    with pytest.raises(ValueError, match="31"):
        to_xls(tmp_path / "named.xlsx", tmp_path / "named.xls")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "header"
    wb.save(tmp_path / "short.xlsx")
    # openpyxl cuts a longer string on assignment but not on reading: put it in the XML
    long_cell = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"x" * 32_768 + b"</t></is></c></row>"
    with_xml(tmp_path / "short.xlsx", tmp_path / "long.xlsx", "Sheet", [long_cell])
    with pytest.raises(ValueError, match="32767"):
        to_xls(tmp_path / "long.xlsx", tmp_path / "long.xls")


def test_ods_keeps_values_and_writes_merges_as_libreoffice(source: Path, tmp_path: Path) -> None:
    dest = to_ods(source, tmp_path / "register.ods")
    rows = _read(dest)
    assert rows[1] == ["张三", dt.date(2024, 1, 5), 1234.5, ID]
    assert rows[2] == ["", dt.datetime(2024, 3, 1, 10, 30), 7.0, "x"]
    assert rows[5][:2] == ["李四", "合并"]
    content = zipfile.ZipFile(dest).read("content.xml").decode()
    assert 'table:number-rows-spanned="3"' in content
    assert 'table:number-columns-spanned="2"' in content
    assert content.count("<table:covered-table-cell/>") == 3  # A3, A4, C6
    assert 'office:value-type="date" office:date-value="2024-01-05"' in content
    assert f'office:value-type="string"><text:p>{ID}</text:p>' in content


def test_merge_runs_counts_covered_cells(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["户编号", "村", "姓名"])
    for household, village, name in [("H1", "东村", "a"), ("H1", "东村", "b"), ("H1", "西村", "c"), ("H2", "西村", "d"),
                                     (None, None, "e"), (None, None, "f"), ("H3", "西村", "g")]:
        ws.append([household, village, name])
    wb.save(tmp_path / "flat.xlsx")
    dest = tmp_path / "merged.xlsx"
    assert merge_runs(tmp_path / "flat.xlsx", dest, {SHEET: ["户编号", "村"]}) == 2 + 1 + 1
    merged = openpyxl.load_workbook(dest)[SHEET]
    assert sorted(str(r) for r in merged.merged_cells.ranges) == ["A2:A4", "B2:B3", "B4:B5"]
    assert [merged.cell(r, 1).value for r in range(2, 6)] == ["H1", None, None, "H2"]
    with pytest.raises(KeyError):
        merge_runs(tmp_path / "flat.xlsx", dest, {SHEET: ["没有"]})


def test_html_table_in_gbk_with_spans(source: Path, tmp_path: Path) -> None:
    rows = sheet_rows(source, SHEET)
    dest = to_html_table(rows, tmp_path / "export.xls", encoding="gbk", merges=[(2, 1, 4, 1), (6, 2, 6, 3)])
    raw = dest.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gbk")
    assert 'charset=gbk"' in text and "<th>户主</th>" in text
    assert '<td rowspan="3">张三</td>' in text and '<td colspan="2">合并</td>' in text
    table = lxml_html.fromstring(text).find(".//table")
    assert [len(tr) for tr in table.findall("tr")] == [4, 4, 3, 3, 4, 3]
    assert [td.text_content() for td in table.findall("tr")[1]] == ["张三", "2024-01-05", "1234.5", ID]
    bare = to_html_table([["a<b", None]], tmp_path / "bare.xls", meta=False).read_text(encoding="utf-8")
    assert "http-equiv" not in bare and "<th>a&lt;b</th><th></th>" in bare


def test_unicode_text_is_utf16_tabs_and_excel_quoting(tmp_path: Path) -> None:
    rows: list[list[object]] = [["户主", "日期", "备注"], ["张三", dt.datetime(2024, 1, 5), 'say "hi"\tnow'],
                                [None, 3.0, True]]
    raw = to_unicode_text(rows, tmp_path / "register.txt").read_bytes()
    assert raw.startswith(b"\xff\xfe")
    lines = raw[2:].decode("utf-16-le").split("\r\n")
    assert lines == ["户主\t日期\t备注", '张三\t2024-01-05\t"say ""hi""\tnow"', "\t3\tTRUE", ""]


def test_encrypted_workbook_opens_with_the_password(source: Path, tmp_path: Path) -> None:
    dest = encrypt_xlsx(source, tmp_path / "locked.xlsx", password="县办2024")
    assert dest.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    with dest.open("rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        assert office.is_encrypted()
        office.load_key(password="县办2024")
        plain = io.BytesIO()
        office.decrypt(plain)
    assert openpyxl.load_workbook(plain)[SHEET]["D2"].value == ID


def test_sheet_rows_trims_trailing_empties(source: Path) -> None:
    rows = sheet_rows(source, SHEET)
    assert rows[0] == ["户主", "认定日期", "人均纯收入", "身份证号"]
    assert rows[3] == [None, None, None, "y"]
    assert rows[4] == []
    assert rows[5] == ["李四", "合并"]
    assert len(rows) == 6
