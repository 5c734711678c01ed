"""``tracker template``: the register template generated from the contract, read back and validated."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml

from tests.builders import household, measure, village
from tests.fake_sheets_api import FakeSheetsAPI
from tracker.cli.app import main
from tracker.common.resources import resource
from tracker.register.contract import load_contract, parse_contract
from tracker.register.template import LIST_TAB, create_template, write_template_xlsx
from tracker.register.template_plan import BOOL_VALUES, DATE_FORMAT, TEMPLATE_ROWS, TEXT_FORMAT, TemplateError

CONTRACT = load_contract()
KEY = "1TemplateSpreadsheetKey0123456789abcdefgh"
TEXT_COLUMNS = {"户编号", "户主身份证号", "联系电话", "村代码"}


def _list_values(formula: str, book: openpyxl.Workbook) -> list[str]:
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, cells = formula.split("!")
    first, last = cells.replace("$", "").split(":")
    return [c.value for row in book[sheet.strip("'")][f"{first}:{last}"] for c in row]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "名册模板.xlsx"
    assert main(["template", str(path)]) == 0
    return path


def test_tabs_and_headers_come_from_the_contract(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == [tab.name for tab in CONTRACT.tabs]
    for tab in CONTRACT.tabs:
        ws = book[tab.name]
        assert [c.value for c in ws[1]] == [col.header for col in tab.columns]
        assert ws.freeze_panes == "A2"
        assert ws.max_row == 1 or all(c.value is None for row in ws.iter_rows(min_row=2) for c in row)


def test_every_header_has_its_help_as_a_note(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    for tab in CONTRACT.tabs:
        for col, cell in zip(tab.columns, book[tab.name][1], strict=True):
            assert cell.comment is not None, col.header
            assert col.help in cell.comment.text
            assert ("（必填）" if col.required else "（选填）") in cell.comment.text


def test_dropdowns_equal_the_contract_values(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    checked = 0
    for tab in CONTRACT.tabs:
        ws = book[tab.name]
        by_range = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
        for index, col in enumerate(tab.columns, 1):
            letter = openpyxl.utils.get_column_letter(index)
            dv = by_range.get(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            if col.type in ("enum", "bool"):
                assert dv is not None and dv.type == "list", col.header
                expected = list(col.values) if col.type == "enum" else list(BOOL_VALUES)
                assert _list_values(dv.formula1, book) == expected
                assert dv.showErrorMessage and dv.allow_blank
                checked += 1
            elif col.type == "multi":  # one dropdown value can't hold several: an input message instead
                assert dv is not None and dv.type is None and dv.showInputMessage
                assert all(v in dv.prompt for v in col.values)
                checked += 1
            else:
                assert dv is None, col.header
    assert checked == sum(c.type in ("enum", "bool", "multi") for t in CONTRACT.tabs for c in t.columns) >= 8


def test_identifier_columns_are_text_and_dates_formatted(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    seen = set()
    for tab in CONTRACT.tabs:
        ws = book[tab.name]
        for index, col in enumerate(tab.columns, 1):
            letter = openpyxl.utils.get_column_letter(index)
            formats = {ws[f"{letter}2"].number_format, ws[f"{letter}{TEMPLATE_ROWS + 1}"].number_format,
                       ws.column_dimensions[letter].number_format}
            if col.header in TEXT_COLUMNS:
                assert formats == {TEXT_FORMAT}, col.header
                seen.add(col.header)
            elif col.type == "date":
                assert formats == {DATE_FORMAT}, col.header
            elif col.type == "text":
                assert formats == {"General"}, col.header
    assert seen == TEXT_COLUMNS


def _only_rows_missing(message: str) -> bool:
    """The refusal of an empty template names the two tabs without data rows, and nothing else."""
    return ("「行政村」没有数据行" in message and "「监测户」没有数据行" in message and "2 处问题" in message
            and "表头" not in message.replace("表头在第 1 行", "") and "缺少" not in message)


def test_the_empty_template_lacks_only_rows(template: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty template is refused only for having no households (issue 14: an empty register is never
    published); filled in, it is a valid register."""
    assert main(["validate", "--source", str(template), "--format", "json"]) == 2
    assert _only_rows_missing(capsys.readouterr().err)
    import openpyxl

    book = openpyxl.load_workbook(template)
    for name, row in (("行政村", village()), ("监测户", household(1)), ("帮扶措施", measure("H0001"))):
        book[name].append([row.get(col.header) for col in next(t for t in CONTRACT.tabs if t.name == name).columns])
    book.save(template)
    assert main(["validate", "--source", str(template), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    rows = payload["summary"]["rows"]
    assert payload["errors"] == [] and (rows["行政村"], rows["监测户"], rows["帮扶措施"]) == (1, 1, 1)


def test_template_never_overwrites_and_needs_xlsx(template: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", str(template)]) == 2
    assert "已经存在" in capsys.readouterr().err
    with pytest.raises(TemplateError, match=r"\.xlsx"):
        create_template(str(tmp_path / "名册.xls"))
    with pytest.raises(TemplateError, match="不存在"):
        create_template(str(tmp_path / "no" / "such" / "名册.xlsx"))


def test_long_or_comma_lists_go_to_a_hidden_tab(tmp_path: Path) -> None:
    data = yaml.safe_load((resource("schemas") / "register.yaml").read_text(encoding="utf-8"))
    status = next(c for c in data["tabs"][1]["columns"] if c["key"] == "status")
    status["values"] = [f"很长很长的监测状态名称第{i}种" for i in range(30)] + ["带,逗号的状态"]
    status["roles"], status["synonyms"] = {}, {}
    contract = parse_contract(data, "test")
    path = tmp_path / "long.xlsx"
    write_template_xlsx(path, contract, rows=10)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-1] == LIST_TAB and book[LIST_TAB].sheet_state == "hidden"
    ws = book["监测户"]
    dv = next(d for d in ws.data_validations.dataValidation if str(d.sqref) == "J2:J11")
    assert dv.formula1.startswith(f"'{LIST_TAB}'!")
    assert _list_values(dv.formula1, book) == status["values"]


# ------------------------------------------------------------------------------------------ Google Sheets


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeSheetsAPI:
    fake = FakeSheetsAPI()
    fake.install(monkeypatch, tmp_path)
    return fake


def test_template_in_an_empty_google_sheet(google: FakeSheetsAPI, capsys: pytest.CaptureFixture[str]) -> None:
    google.add(KEY, {"工作表1": [], "行政村": []})  # a new spreadsheet, one tab already named like a template tab
    assert main(["template", f"gsheet:{KEY}"]) == 0
    assert "已在 Google 表格" in capsys.readouterr().out
    assert [s.endpoint for s in google.requests] == ["metadata", "batchGet", "batchUpdate"]
    sheet = google.spreadsheets[KEY]
    assert [t.title for t in sheet.tabs] == [tab.name for tab in CONTRACT.tabs]
    for tab in CONTRACT.tabs:
        made = sheet.titled(tab.name)
        assert made is not None and made.frozen_rows == 1 and made.row_count == TEMPLATE_ROWS + 1
        assert made.rows == [[col.header for col in tab.columns]]
        assert all(col.help in made.notes[(0, i)] for i, col in enumerate(tab.columns))
        lists = {v[0]["startColumnIndex"]: v[1] for v in made.validations}
        formats = {f[0]["startColumnIndex"]: f[1] for f in made.formats}
        for i, col in enumerate(tab.columns):
            if col.type in ("enum", "bool"):
                rule = lists.pop(i)
                expected = list(col.values) if col.type == "enum" else list(BOOL_VALUES)
                assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == expected
                assert rule["condition"]["type"] == "ONE_OF_LIST" and rule["strict"]
            if col.type == "multi":
                assert all(v in made.notes[(0, i)] for v in col.values)
            if col.header in TEXT_COLUMNS:
                assert formats[i] == {"type": "TEXT", "pattern": "@"}
            if col.type == "date":
                assert formats[i] == {"type": "DATE", "pattern": DATE_FORMAT}
        assert not lists
    capsys.readouterr()
    assert main(["validate", "--source", f"gsheet:{KEY}"]) == 2  # every header found; only rows are missing
    assert _only_rows_missing(capsys.readouterr().err)


def test_google_template_refuses_a_sheet_with_data(google: FakeSheetsAPI, capsys: pytest.CaptureFixture[str]) -> None:
    google.add(KEY, {"工作表1": [], "旧名册": [[None], ["户编号"]]})
    assert main(["template", f"gsheet:{KEY}"]) == 2
    assert "不是空白表格（「旧名册」里有内容）" in capsys.readouterr().err
    assert not google.writes()


# ----------------------------------------------------------------------------------- national layout

NATIONAL = ["序号", "县(市、区、旗)", "乡(镇)", "行政村", "户编号", "姓名", "证件号码", "人数", "与户主关系",
            "健康状况", "劳动技能", "致贫原因1", "致贫原因2", "致贫原因3", "人均纯收入", "户联系电话",
            "易返贫致贫户(监测对象)类型", "风险是否消除", "风险识别时间", "风险消除时间", "风险消除方式"]
HOUSEHOLDS, MEMBERS = CONTRACT.tab("households"), CONTRACT.tab("members")
NATIONAL_LISTS = {  # header -> the contract values its dropdown offers
    "与户主关系": MEMBERS.column("relation").values, "健康状况": MEMBERS.column("health").values,
    "劳动技能": HOUSEHOLDS.column("labor").values, "易返贫致贫户(监测对象)类型": HOUSEHOLDS.column("category").values,
    "致贫原因1": HOUSEHOLDS.column("risk_types").values, "致贫原因2": HOUSEHOLDS.column("risk_types").values,
    "致贫原因3": HOUSEHOLDS.column("risk_types").values, "风险是否消除": BOOL_VALUES,
    "风险消除方式": HOUSEHOLDS.column("clearance_method").values,
}


@pytest.fixture
def national(tmp_path: Path) -> Path:
    path = tmp_path / "人员名单模板.xlsx"
    assert main(["template", str(path), "--layout", "national"]) == 0
    return path


def test_national_headers_are_the_export_s_and_measures_the_contract_s(national: Path) -> None:
    book = openpyxl.load_workbook(national)
    assert book.sheetnames == ["监测对象人员名单", "帮扶措施"]
    people = book["监测对象人员名单"]
    assert [c.value for c in people[1]] == NATIONAL
    assert [c.value for c in book["帮扶措施"][1]] == [col.header for col in CONTRACT.tab("measures").columns]
    assert people.freeze_panes == "A2" and people.max_row <= TEMPLATE_ROWS + 1
    assert all(c.value is None for row in people.iter_rows(min_row=2) for c in row)


def test_every_national_header_is_a_contract_column_by_its_aliases() -> None:
    from tracker.register.template_national import national_columns

    unknown = [h for h in NATIONAL if not national_columns(CONTRACT, h)]
    assert unknown == ["序号"], f"national headers no contract column's header or aliases name: {unknown}"
    found = {h: [(t.key, c.key) for t, c, _ in national_columns(CONTRACT, h)]
             for h in ("证件号码", "致贫原因2", "行政村")}
    assert found == {"证件号码": [("households", "head_id_number"), ("members", "id_number")],
                     "致贫原因2": [("households", "risk_types")], "行政村": [("households", "village")]}


def test_a_national_header_the_contract_does_not_know_stops_the_template(tmp_path: Path) -> None:
    from tracker.common import ConfigError

    data = yaml.safe_load((resource("schemas") / "register.yaml").read_text(encoding="utf-8"))
    phone = next(c for c in data["tabs"][1]["columns"] if c["key"] == "phone")
    phone["aliases"] = [a for a in phone["aliases"] if a != "户联系电话"]
    with pytest.raises(ConfigError, match="「户联系电话」"):
        create_template(str(tmp_path / "t.xlsx"), parse_contract(data, "test"), layout="national")
    assert not (tmp_path / "t.xlsx").exists()


def test_national_dropdowns_come_from_the_contract_values(national: Path) -> None:
    ws = openpyxl.load_workbook(national)["监测对象人员名单"]
    lists = {}
    for dv in ws.data_validations.dataValidation:
        first = str(dv.sqref).split(":")[0]
        assert str(dv.sqref) == f"{first}:{first[:-1]}{TEMPLATE_ROWS + 1}" and dv.type == "list"
        assert dv.showErrorMessage and dv.allow_blank
        lists[ws[first[:-1] + "1"].value] = _list_values(dv.formula1, ws.parent)
    assert lists == {header: list(values) for header, values in NATIONAL_LISTS.items()}


def test_national_identifiers_are_text_dates_formatted_and_headers_noted(national: Path) -> None:
    from tracker.register.template_national import national_columns

    ws = openpyxl.load_workbook(national)["监测对象人员名单"]
    for index, header in enumerate(NATIONAL, 1):
        letter = openpyxl.utils.get_column_letter(index)
        formats = {ws[f"{letter}2"].number_format, ws[f"{letter}{TEMPLATE_ROWS + 1}"].number_format,
                   ws.column_dimensions[letter].number_format}
        if header in ("证件号码", "户编号", "户联系电话"):
            assert formats == {TEXT_FORMAT}, header
        elif header in ("风险识别时间", "风险消除时间"):
            assert formats == {DATE_FORMAT}, header
        elif header in ("姓名", "行政村"):
            assert formats == {"General"}, header
        note = ws[f"{letter}1"].comment
        assert note is not None, header
        for _, col, _ in national_columns(CONTRACT, header):
            assert col.help in note.text, header
    assert "18 位居民身份证号" in ws["G1"].comment.text and "（必填）" in ws["L1"].comment.text
    assert "（选填）" in ws["M1"].comment.text  # 致贫原因2: only the first of the run is required


def test_the_national_template_filled_with_a_person_list_validates(national: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_national import AS_OF, PERSON_HEADER, person_rows
    from tracker.register.sources import open_source
    from tracker.validate.validator import validate

    book = openpyxl.load_workbook(national)
    ws = book["监测对象人员名单"]
    for number, row in enumerate(person_rows(), 2):
        for index, header in enumerate(NATIONAL, 1):
            if header in PERSON_HEADER:
                ws.cell(number, index).value = row[PERSON_HEADER.index(header)]
    book.save(national)
    result = validate(open_source(str(national)).read(), today=AS_OF)
    assert result.errors == ()
    assert result.shape is not None and result.shape.kind == "person_list" and result.shape.absent_tabs == ()
    assert len(result.tables["households"].values) == 3 and len(result.tables["members"].values) == 9
    assert result.tables["households"].values["head_id_number"].str.len().tolist() == [18, 18, 18]
    assert result.tables["measures"].present  # the 帮扶措施 sheet, empty: the measure rules run
    assert main(["check", "--source", str(national), "--as-of", AS_OF.isoformat(), "--format", "json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert not [b for b in payload["blind"] if "帮扶措施" in b["message"]]
    assert [f for f in payload["findings"] if f["rule"] == "assist.none"]


def test_the_blank_national_template_lacks_only_rows(national: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--source", str(national)]) == 2
    message = capsys.readouterr().err
    assert message.count("「监测对象人员名单」没有数据行") == 1, message
    assert "表头" not in message.replace("表头在第 1 行", "") and "缺少" not in message


def test_national_template_in_an_empty_google_sheet(google: FakeSheetsAPI, capsys: pytest.CaptureFixture[str]) -> None:
    google.add(KEY, {"工作表1": []})
    assert main(["template", f"gsheet:{KEY}", "--layout", "national"]) == 0
    assert "全国系统人员名单格式" in capsys.readouterr().out
    sheet = google.spreadsheets[KEY]
    assert [t.title for t in sheet.tabs] == ["监测对象人员名单", "帮扶措施"]
    made = sheet.titled("监测对象人员名单")
    assert made is not None and made.rows == [NATIONAL] and made.frozen_rows == 1
    lists = {NATIONAL[v[0]["startColumnIndex"]]: [x["userEnteredValue"] for x in v[1]["condition"]["values"]]
             for v in made.validations}
    assert lists == {header: list(values) for header, values in NATIONAL_LISTS.items()}
    formats = {NATIONAL[f[0]["startColumnIndex"]]: f[1] for f in made.formats}
    assert formats["证件号码"] == formats["户编号"] == {"type": "TEXT", "pattern": "@"}
    assert main(["validate", "--source", f"gsheet:{KEY}"]) == 2
    assert "「监测对象人员名单」没有数据行" in capsys.readouterr().err
