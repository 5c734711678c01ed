"""Acceptance for issue 2: a messy register reports exactly its injected errors, from xlsx and GB18030 CSV."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from tests.builders import headers, household, id_number, measure, village
from tracker.cli.app import main
from tracker.register.sheets import SheetData
from tracker.register.sources import open_source
from tracker.register.writers import write_csv_dir
from tracker.validate.validator import validate

TODAY = date(2020, 7, 1)

# Header variants an editor may type: half-width brackets, stray spaces, the 身份证号码 alias, no unit.
HOUSEHOLD_HEADERS = {
    "乡镇（街道）": "乡镇 (街道)",
    "户主身份证号": "户主身份证号码",
    "人均可支配收入（元）": "人均可支配收入(元)",
    "上年度家庭收入（元）": "上年度家庭收入 （元）",
    "刚性支出（元）": "刚性支出",
}


def _households() -> list[dict[str, object]]:
    """Rows 4..: clean rows use every tolerant form; the rest carry one injected error each."""
    rows = [
        household(1, **{"人均可支配收入（元）": "6,000", "首次纳入监测日期": datetime(2020, 4, 3)}),
        household(2, **{"人均可支配收入（元）": "6000元", "首次纳入监测日期": "2020/4/3"}),
        household(3, **{"人均可支配收入（元）": "６０００", "首次纳入监测日期": "2020.4.3"}),
        household(4, **{"人均可支配收入（元）": " 6000 ", "首次纳入监测日期": "2020年4月3日"}),
        household(5, **{"人均可支配收入（元）": "6000.00", "首次纳入监测日期": "20200403"}),
        household(6, **{"人均可支配收入（元）": 6000, "首次纳入监测日期": 43924}),
        household(7, **{"户主身份证号": id_number(seq="077")[:-1] + "x" if id_number(seq="077").endswith("X")
                        else id_number(seq="077"), "监测类别": " 边缘户 ", "主要风险类型": "因病，因学；因灾 因残"}),
        household(8, **{"主要风险类型": "因病;缺劳动力,住房安全、饮水安全", "家庭人口数": "4人"}),
        None,  # a blank row inside the data (skipped, still counted)
        # injected errors, one per row, rows 13..
        household(10, **{"户主姓名": None}),  # required
        household(11, **{"家庭人口数": "三口"}),  # type
        household(12, **{"首次纳入监测日期": "2020-02-30"}),  # type (not a real date)
        household(13, **{"家庭人口数": 25}),  # range
        household(14, **{"监测状态": "正常"}),  # enum
        household(15, **{"主要风险类型": "因病、因懒"}),  # enum, one bad value of a multi-value cell
        household(16, **{"户主身份证号": id_number(seq="016")[:-1] + ("0" if id_number(seq="016")[-1] != "0"
                                                                      else "1")}),  # id_number check digit
        household(17, **{"户主身份证号": 410102198001010171}),  # id_number stored as a number
        household(18, **{"联系电话": "1381234"}),  # phone
        household(1, **{"户主身份证号": id_number(seq="901")}),  # duplicate 户编号 H0001
        household(20, **{"户主身份证号": id_number(seq="002")}),  # duplicate ID number of H0002
        household(21, **{"行政村": "不存在村"}),  # reference
        household(22, **{"是否享受低保": "是", "低保渐退期起": "2020-06-01", "低保渐退期止": "2020-01-31"}),
    ]
    return [r if r is not None else {} for r in rows]


EXPECTED = {
    ("监测户", 13, "户主姓名", "required"),
    ("监测户", 14, "家庭人口数", "type"),
    ("监测户", 15, "首次纳入监测日期", "type"),
    ("监测户", 16, "家庭人口数", "range"),
    ("监测户", 17, "监测状态", "enum"),
    ("监测户", 18, "主要风险类型", "enum"),
    ("监测户", 19, "户主身份证号码", "id_number"),
    ("监测户", 20, "户主身份证号码", "id_number"),
    ("监测户", 21, "联系电话", "phone"),
    ("监测户", 22, "户编号", "duplicate"),
    ("监测户", 23, "户主身份证号码", "duplicate"),
    ("监测户", 24, "行政村", "reference"),
    ("监测户", 25, "低保渐退期止", "date_order"),
    ("行政村", 5, "行政村", "duplicate"),
    ("帮扶措施", 3, "户编号", "reference"),
    ("帮扶措施", 4, "结束日期", "date_order"),
    ("帮扶措施", 5, "措施类别", "enum"),
    ("帮扶措施", 6, "开始日期", "required"),
}


def _messy_sheets() -> list[SheetData]:
    hh_header = [HOUSEHOLD_HEADERS.get(h, h) for h in headers("households")]
    hh_rows = [[row.get(h) for h in headers("households")] for row in _households()]
    villages = [village(), village(**{"行政村": "西村", "村代码": 410102001002}), village()]
    measures = [
        measure("H0001"),
        measure("H9999"),  # reference
        measure("H0002", **{"开始日期": "2020-06-01", "结束日期": "2020-05-01"}),  # date_order
        measure("H0003", **{"措施类别": "发钱"}),  # enum
        measure("H0004", **{"开始日期": None}),  # required
    ]
    return [
        SheetData("行政村", tuple(headers("villages")), [[r.get(h) for h in headers("villages")] for r in villages],
                  title="清河县行政村名单"),
        SheetData("监测户", tuple(hh_header), hh_rows, title="清河县防返贫监测对象名册"),
        SheetData("帮扶措施", tuple(headers("measures")), [[r.get(h) for h in headers("measures")] for r in measures]),
    ]


def _write_messy_xlsx(path: Path) -> None:
    """Two title rows above the 监测户 header (a title and a note), real date cells, numeric cells."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in _messy_sheets():
        ws = book.create_sheet(sheet.name)
        ws.append([sheet.title])
        if sheet.name == "监测户":
            ws.append(["填表说明：收入单位为元", None, "注：本表为虚构数据"])
        elif sheet.name == "帮扶措施":
            ws.delete_rows(1)
        ws.append(list(sheet.header))
        for row in sheet.rows:
            ws.append(list(row))
    book.save(path)


def _csv_copy(path: Path, encoding: str) -> Path:
    """The same register as CSV files, as Excel would export it (same rows, text cells)."""
    source = openpyxl.load_workbook(path)
    sheets = []
    for ws in source.worksheets:
        rows = [["" if c is None else (c.date().isoformat() if isinstance(c, datetime) else c) for c in row]
                for row in ws.iter_rows(values_only=True)]
        sheets.append(SheetData(ws.title, tuple(rows[0]), rows[1:]))
    target = path.parent / f"csv-{encoding}"
    write_csv_dir(sheets, target, encoding=encoding)
    return target


def _report(source: Path) -> set[tuple[str, int | None, str, str]]:
    result = validate(open_source(str(source)).read(), today=TODAY)
    return {(e.sheet, e.row, e.column, e.code) for e in result.errors}


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("messy") / "messy.xlsx"
    _write_messy_xlsx(path)
    return path


def test_messy_xlsx_reports_exactly_the_injected_errors(messy: Path) -> None:
    assert _report(messy) == EXPECTED


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_copy_gives_the_same_report(messy: Path, encoding: str) -> None:
    assert _report(_csv_copy(messy, encoding)) == EXPECTED


def test_clean_rows_parse_every_tolerant_form(messy: Path) -> None:
    result = validate(open_source(str(messy)).read(), today=TODAY)
    hh = result.tables["households"].values
    for row in range(4, 10):
        assert hh.at[row, "income_per_capita"] == 6000
        assert hh.at[row, "first_monitored"].date() == date(2020, 4, 3)
    assert hh.at[10, "category"] == "边缘户"
    assert hh.at[10, "risk_types"] == ("因病", "因学", "因灾", "因残")
    assert hh.at[11, "people"] == 4
    assert 12 not in hh.index  # the blank row is skipped, not an error
    assert result.tables["households"].header_row == 3


def test_bad_rows_are_kept_and_flagged(messy: Path) -> None:
    result = validate(open_source(str(messy)).read(), today=TODAY)
    table = result.tables["households"]
    assert {13, 16, 24} <= set(table.values.index)
    assert {13, 16, 24} <= table.error_rows
    assert table.values.at[16, "people"] is not None and str(table.values.at[16, "people"]) == "<NA>"
    assert table.values.at[16, "head_name"] == "王13"  # the rest of a bad row travels on


def test_validate_cli_json_and_exit_codes(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--source", str(messy), "--format", "json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"errors", "summary"}
    first = payload["errors"][0]
    assert list(first) == ["sheet", "row", "column", "value", "code", "message"]
    by_cell = {(e["sheet"], e["row"], e["column"]): e for e in payload["errors"]}
    number_id = by_cell[("监测户", 20, "户主身份证号码")]
    assert number_id["value"].startswith("4101021980010101")  # Excel kept only ~15 significant digits
    assert "文本" in number_id["message"]
    assert by_cell[("监测户", 14, "家庭人口数")]["value"] == "三口"
    assert payload["summary"]["error_count"] == len(EXPECTED)


def test_validate_cli_text_groups_by_sheet(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--source", str(messy)]) == 1
    out = capsys.readouterr().out
    assert out.index("【行政村】") < out.index("【监测户】") < out.index("【帮扶措施】")
    assert "第 14 行「家庭人口数」，填的是「三口」" in out
