"""Registers in the national system's export shapes (issue 17): a person list (one row per person), a household sheet
with the risk over numbered columns, the export's header spellings. Fixtures are invented; the headers are the
export's, as published."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.builders import id_number
from tracker.cli.app import main
from tracker.register.sheets import SheetData
from tracker.register.sources import open_source
from tracker.register.writers import write_register
from tracker.validate.validator import validate

AS_OF = date(2026, 11, 15)
PERSON_HEADER = (  # 边缘易致贫人口名单, 2022
    "序号", "县(市、区、旗)", "乡(镇)", "行政村", "自然村", "户编号", "人编号", "姓名", "证件号码", "人数",
    "与户主关系", "民族", "文化程度", "在校生状况", "健康状况", "劳动技能", "务工时间（月）", "是否参加大病保险",
    "致贫原因1", "危房户", "是否解决安全饮用水", "人均纯收入", "户联系电话", "人联系电话", "首次识别时间",
    "人员识别时间", "户类型", "易返贫致贫户(监测对象)类型", "风险是否消除", "风险识别时间", "风险消除时间",
)
FAMILIES = (  # 户编号, 乡(镇), 村, 人数, 类别, 风险是否消除, 致贫原因
    ("4101020010010001", "城关镇", "东村", 3, "边缘易致贫户", "否", "因病"),
    ("4101020010010002", "城关镇", "东村", 2, "脱贫不稳定户", "是", "因学"),
    ("4101020010020001", "城关镇", "西村", 4, "突发严重困难户", "否", "因自然灾害"),
)


def person_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for h, (hid, town, village, size, category, cleared, risk) in enumerate(FAMILIES, start=1):
        for k in range(size):
            relation = "户主" if k == 0 else ("配偶", "之子", "之女")[k - 1]
            person = id_number(birth="19800101" if k < 2 else "20100101", seq=f"{h}{k}{k}")
            labor = "普通劳动力" if k < 2 else "无劳动力"
            rows.append([len(rows) + 1, "清河县", town, village, "一组", hid, f"{hid}{k:02d}", f"成员{h}{k}", person,
                         size, relation, "汉族", "初中", "非在校生", "健康", labor, 6, "是", risk, "否", "是", 6800,
                         "13812345678", "13812345678", "2021-05-01", "2021-05-01", "一般户", category, cleared,
                         "2022-06-15", "2023-01-10" if cleared == "是" else None])
    return rows


@pytest.fixture(params=["xlsx", "csv"])
def person_list(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    sheet = SheetData("边缘易致贫人口名单", PERSON_HEADER, person_rows())
    if request.param == "xlsx":
        write_register([sheet], tmp_path / "名单.xlsx")
        return tmp_path / "名单.xlsx"
    folder = tmp_path / "名单"
    folder.mkdir()
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in [list(PERSON_HEADER), *sheet.rows])
    (folder / "边缘易致贫人口名单.csv").write_bytes((text + "\n").encode("gb18030"))
    return folder


def test_a_person_list_reads_as_households_members_and_villages(person_list: Path) -> None:
    result = validate(open_source(str(person_list)).read(), today=AS_OF)
    assert result.errors == ()
    assert result.shape is not None and result.shape.kind == "person_list"
    tables = result.tables
    assert len(tables["households"].values) == 3 and len(tables["members"].values) == 9
    assert len(tables["villages"].values) == 2 and not tables["measures"].present
    households = tables["households"].values
    assert list(households.index) == [2, 5, 7]  # each household is its 户主's row of the sheet
    assert households["head_name"].tolist() == ["成员10", "成员20", "成员30"]
    assert households["status"].tolist() == ["监测中", "风险已消除", "监测中"]  # from 风险是否消除
    assert [list(v) for v in households["risk_types"]] == [["因病"], ["因学"], ["因灾"]]
    assert tables["households"].headers["township"] == "乡(镇)"  # headers as written
    summary = result.summary()
    assert summary["shape"] == {"kind": "person_list", "sheet": "边缘易致贫人口名单", "persons": 9, "households": 3,
                                "villages": 2, "absent_tabs": ["measures"], "measures_sheet": None, "measures": 0}


def test_validate_and_check_say_how_the_list_was_read(person_list: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--source", str(person_list)]) == 0
    assert "按人员名单读取：工作表「边缘易致贫人口名单」9 行人员 → 3 户、2 个行政村" in capsys.readouterr().out
    assert main(["check", "--source", str(person_list), "--as-of", AS_OF.isoformat(), "--format", "json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    blind = payload["blind"]
    assert len(blind) == 1 and blind[0]["column"] == "" and "没有「帮扶措施」工作表" in blind[0]["message"]
    assert "assist.none" in blind[0]["rules"]  # said once, not on every household
    assert not [f for f in payload["findings"] if f["rule"] == "assist.none"]


def test_rows_of_one_household_that_disagree_are_an_error_at_the_later_row(tmp_path: Path) -> None:
    rows = person_rows()
    rows[2][2] = "河西乡"  # the third person of household 1 names another township
    rows[3][9] = 3  # household 2 (2 rows) says 人数 3, on its 户主 row (sheet row 5) and its other row
    rows[4][9] = 3
    write_register([SheetData("名单", PERSON_HEADER, rows)], tmp_path / "r.xlsx")
    result = validate(open_source(str(tmp_path / "r.xlsx")).read(), today=AS_OF)
    found = [(e.sheet, e.row, e.column, e.value, e.code) for e in result.errors]
    assert found == [("名单", 4, "乡(镇)", "河西乡", "inconsistent"), ("名单", 5, "人数", "3", "inconsistent")]
    assert "第 2 行填的是「城关镇」" in result.errors[0].message
    assert "这一户（户编号 4101020010010002）有 2 行人员" in result.errors[1].message


def test_a_bad_cell_of_a_head_row_is_reported_once_under_its_sheet_as_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The 户主 row is both the household and a member: a bad 证件号码 there is one error, not one per tab, and a
    message names the column as the sheet writes it."""
    rows = person_rows()
    rows[3][8] = rows[3][8][:-1] + ("0" if rows[3][8][-1] != "0" else "1")  # household 2's head: check digit wrong
    rows[5][15] = None  # 劳动技能 (the contract's 劳动能力) left empty on household 3's head row (sheet row 7)
    write_register([SheetData("名单", PERSON_HEADER, rows)], tmp_path / "r.xlsx")
    result = validate(open_source(str(tmp_path / "r.xlsx")).read(), today=AS_OF)
    found = [(e.sheet, e.row, e.column, e.code) for e in result.errors]
    assert found == [("名单", 5, "证件号码", "id_number"), ("名单", 7, "劳动技能", "required")]
    assert result.errors[1].message.startswith("「劳动技能」是必填项")
    assert main(["validate", "--source", str(tmp_path / "r.xlsx")]) == 1
    text = capsys.readouterr().out
    assert text.count("【名单】") == 1 and text.count("第 5 行「证件号码」") == 1


HOUSEHOLD_HEADER = (  # 基础信息表 / 摸排 fields
    "户编号", "县(市、区、旗)", "乡(镇)", "村", "户主姓名", "户主证件号码", "家庭人口数", "农户联系电话",
    "监测对象类别", "劳动技能", "致贫/返贫风险1", "致贫/返贫风险2", "致贫/返贫风险3", "致贫/返贫风险4",
    "致贫/返贫风险5", "识别监测时间", "风险是否已消除", "风险消除方式", "家庭人均纯收入(元)",
)


def _save(sheets: list[SheetData], path: Path, form: str) -> Path:
    """The sheets as one workbook (xlsx), or as a folder of GB18030 CSV files (csv)."""
    if form == "xlsx":
        write_register(sheets, path.with_suffix(".xlsx"))
        return path.with_suffix(".xlsx")
    path.mkdir()
    for sheet in sheets:
        text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in [sheet.header, *sheet.rows])
        (path / f"{sheet.name}.csv").write_bytes((text + "\n").encode("gb18030"))
    return path


@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_a_household_sheet_with_numbered_risks_and_wide_measures(tmp_path: Path, form: str) -> None:
    rows = [
        ["H1", "清河县", "城关镇", "东村", "甲", id_number(seq="101"), 3, "13812345678", "边缘易致贫户", "普通劳动力",
         "因病", "因学", None, None, None, "2021-05-01", "否", None, 6000],
        ["H2", "清河县", "城关镇", "西村", "乙", id_number(seq="102"), 2, "13812345678", "脱贫不稳定户", "丧失劳动力",
         "因残", None, None, None, None, "2021-05-01", "是", "帮扶消除", 9000],
    ]
    wide = [["H1", "甲", "养殖", None, None, "是", None, None, None],
            ["H2", "乙", None, None, None, None, "是", "低保", None]]
    source = _save([SheetData("基础信息表", HOUSEHOLD_HEADER, rows), SheetData("帮扶措施", WIDE_HEADER, wide)],
                   tmp_path / "r", form)
    result = validate(open_source(str(source)).read(), today=AS_OF)
    assert not [e for e in result.errors if e.code == "missing_column"], result.errors
    assert result.errors == ()
    assert result.tables["measures"].values["kind"].tolist() == ["产业帮扶", "公益岗位帮扶", "健康帮扶", "综合保障"]
    households = result.tables["households"]
    assert [list(v) for v in households.values["risk_types"]] == [["因病", "因学"], ["因残"]]
    assert households.headers["risk_types"] == "致贫/返贫风险1"
    assert households.values["status"].tolist() == ["监测中", "风险已消除"]
    assert len(result.tables["villages"].values) == 2 and result.shape.kind == "household_sheet"


def test_a_tab_without_a_recognisable_header_says_what_was_recognised(tmp_path: Path) -> None:
    from tracker.common import SourceError

    write_register([SheetData("行政村", ("县（市、区）", "乡镇（街道）", "行政村"), [["清河县", "城关镇", "东村"]]),
                    SheetData("监测户", ("户编号", "备注"), [["H1", "x"]]),
                    SheetData("帮扶措施", ("户编号",), [])], tmp_path / "r.xlsx")
    with pytest.raises(SourceError) as caught:
        validate(open_source(str(tmp_path / "r.xlsx")).read(), today=AS_OF)
    expected = "工作表「帮扶措施」的前 10 行里找不到表头：认出了「户编号」，至少还需要「措施类别」「开始日期」列"
    assert expected in str(caught.value)


WIDE_HEADER = ("户编号", "户主姓名", "产业帮扶", "就业帮扶", "金融帮扶", "公益岗位帮扶", "健康帮扶", "综合保障",
               "易地扶贫搬迁")
WIDE_ROWS = [
    ["4101020010010001", "成员10", "养殖牛羊", "已实施", None, "否", "是", None, None],  # 3 measures
    ["4101020010010002", "成员20", None, None, "小额信贷", None, None, "农村低保", None],  # 2
    ["4101020010020001", "成员30", "无", None, None, "保洁员", None, None, "是"],  # 2 (无: none)
]


@pytest.mark.parametrize("name", ["帮扶措施", "帮扶信息"])
def test_a_wide_measures_sheet_is_read_as_measure_rows(tmp_path: Path, name: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    write_register([SheetData("边缘易致贫人口名单", PERSON_HEADER, person_rows()),
                    SheetData(name, WIDE_HEADER, WIDE_ROWS)], tmp_path / "r.xlsx")
    result = validate(open_source(str(tmp_path / "r.xlsx")).read(), today=AS_OF)
    assert result.errors == ()  # no missing 开始日期: the export never has it
    measures = result.tables["measures"]
    assert measures.present and list(measures.values.index) == [2, 2, 2, 3, 3, 4, 4]  # each at its spreadsheet row
    kinds = ["产业帮扶", "就业帮扶", "健康帮扶", "金融帮扶", "综合保障", "公益岗位帮扶", "搬迁"]
    assert measures.values["kind"].tolist() == kinds
    assert measures.values["detail"].fillna("").tolist()[:3] == ["养殖牛羊", "", ""]  # 已实施, 是: no sub-measure
    assert result.summary()["shape"]["measures"] == 7
    assert main(["check", "--source", str(tmp_path / "r.xlsx"), "--as-of", AS_OF.isoformat(), "--format", "json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert [b["column"] for b in payload["blind"]] == ["开始日期"] and "assist.none" in payload["blind"][0]["rules"]
    assert not [f for f in payload["findings"] if f["rule"] == "assist.none"]
    assert main(["validate", "--source", str(tmp_path / "r.xlsx")]) == 0
    assert f"帮扶措施按全国系统的宽表读取：工作表「{name}」每类措施一列，读出 7 条措施" in capsys.readouterr().out


def _contract_layout(measures: list[list[object]]) -> list[SheetData]:
    """The person list's data in the contract's own layout (the same households, members and measures)."""
    from tests.builders import headers

    people = person_rows()
    at = {h: i for i, h in enumerate(PERSON_HEADER)}
    heads = [r for r in people if r[at["与户主关系"]] == "户主"]
    households = [{"户编号": r[at["户编号"]], "县（市、区）": "清河县", "乡镇（街道）": r[at["乡(镇)"]],
                   "行政村": r[at["行政村"]], "户主姓名": r[at["姓名"]], "户主身份证号": r[at["证件号码"]],
                   "联系电话": r[at["户联系电话"]], "家庭人口数": r[at["人数"]],
                   "监测类别": r[at["易返贫致贫户(监测对象)类型"]], "风险是否已消除": r[at["风险是否消除"]],
                   "监测状态": "风险已消除" if r[at["风险是否消除"]] == "是" else "监测中",
                   "人均可支配收入（元）": r[at["人均纯收入"]], "主要风险类型": r[at["致贫原因1"]],
                   "劳动能力": r[at["劳动技能"]], "首次纳入监测日期": r[at["风险识别时间"]],
                   "风险消除日期": r[at["风险消除时间"]]} for r in heads]
    members = [{"户编号": r[at["户编号"]], "姓名": r[at["姓名"]], "身份证号": r[at["证件号码"]],
                "与户主关系": r[at["与户主关系"]], "劳动能力": r[at["劳动技能"]], "健康状况": r[at["健康状况"]]}
               for r in people]
    villages = sorted({(h["乡镇（街道）"], h["行政村"]) for h in households})
    tabs = {"villages": [{"县（市、区）": "清河县", "乡镇（街道）": t, "行政村": v} for t, v in villages],
            "households": households, "members": members}
    out = [SheetData(name, tuple(headers(key)), [[row.get(h) for h in headers(key)] for row in tabs[key]])
           for key, name in (("villages", "行政村"), ("households", "监测户"), ("members", "家庭成员"))]
    return [*out, SheetData("帮扶措施", tuple(headers("measures")), measures)]


def test_a_national_export_and_the_contract_layout_give_the_same_site(tmp_path: Path) -> None:
    import re

    from tests.builders import headers
    from tracker.rules import evaluate, load_policy
    from tracker.site.render import RenderContext, render_pages
    from tracker.site.views import build_site_model

    measure_header = headers("measures")
    given = (("4101020010010001", "产业帮扶", "养殖牛羊"), ("4101020010020001", "综合保障", "农村低保"))
    measures = [[{"户编号": hid, "措施类别": kind, "具体措施": detail, "开始日期": "2026-01-10"}.get(h)
                 for h in measure_header] for hid, kind, detail in given]
    write_register([SheetData("边缘易致贫人口名单", PERSON_HEADER, person_rows()),
                    SheetData("帮扶措施", tuple(measure_header), measures)], tmp_path / "national.xlsx")
    write_register(_contract_layout(measures), tmp_path / "contract.xlsx")

    def site(name: str) -> tuple[list[tuple[str, ...]], dict[str, list[str]]]:
        validated = validate(open_source(str(tmp_path / name)).read(), today=AS_OF)
        assert validated.errors == ()
        outcome = evaluate(validated, load_policy(None), AS_OF)
        findings = sorted((f.rule, f.household or "", f.township or "", f.village or "", f.severity)
                          for f in outcome.findings)
        pages = render_pages(build_site_model(validated, outcome), RenderContext(built_at="x"))
        shown = {p.path: sorted(set(re.findall(r"41010200100\d{5}", p.body))) for p in pages}
        return findings, shown

    national, contract = site("national.xlsx"), site("contract.xlsx")
    assert national[0] and national[0] == contract[0]  # the same findings, household by household
    assert national[1] == contract[1]  # the same pages, each showing the same households (checklists included)
    assert any("checklist" in path and shown for path, shown in national[1].items())
    assert sum(len(shown) for shown in national[1].values()) >= 3 * 3  # each household on several pages


EXPORT_47 = (  # the 47-column person export (省 … 识别标准, as published), the monitoring fields at its end
    "省", "市", "县", "乡", "村", "户编号", "人口编号", "姓名", "性别", "出生日期", "证件类型", "证件号码", "民族",
    "户联系电话", "成员联系电话", "年度", "与户主关系", "文化程度", "在校生状况", "劳动技能", "务工时间（月）",
    "健康状况", "政治面貌", "务工企业名称", "是否享受低保", "是否参加城乡居民基本医疗保险", "是否参加大病保险",
    "是否参加商业补充医疗保险", "是否接受医疗救助", "是否参加城乡居民基本养老保险", "是否享受人身意外保险补贴",
    "残疾类别", "残疾等级", "务工所在地", "户主姓名", "户主证件号码", "户类型", "人数", "是否特困供养人员",
    "残疾证办证年度", "识别标准", "监测对象类别", "风险是否已消除", "风险消除方式", "人均纯收入", "致贫/返贫风险1",
    "致贫/返贫风险2",
)


def test_the_47_column_export(tmp_path: Path) -> None:
    assert len(EXPORT_47) == 47
    at = {h: i for i, h in enumerate(PERSON_HEADER)}
    rows = []
    for r in person_rows():
        head = next(p for p in person_rows() if p[at["户编号"]] == r[at["户编号"]] and p[at["与户主关系"]] == "户主")
        values = {"省": "河南省", "市": "某市", "县": "清河县", "乡": r[at["乡(镇)"]], "村": r[at["行政村"]],
                  "户编号": r[at["户编号"]], "姓名": r[at["姓名"]], "证件号码": r[at["证件号码"]],
                  "与户主关系": r[at["与户主关系"]],
                  "劳动技能": r[at["劳动技能"]], "健康状况": r[at["健康状况"]], "户联系电话": "13812345678",
                  "是否享受低保": "否", "户主姓名": head[at["姓名"]], "户主证件号码": head[at["证件号码"]],
                  "人数": r[at["人数"]], "监测对象类别": r[at["易返贫致贫户(监测对象)类型"]],
                  "风险是否已消除": r[at["风险是否消除"]],
                  "风险消除方式": "帮扶消除" if r[at["风险是否消除"]] == "是" else None,
                  "人均纯收入": 6800, "致贫/返贫风险1": r[at["致贫原因1"]], "致贫/返贫风险2": "因学"}
        rows.append([values.get(h) for h in EXPORT_47])
    write_register([SheetData("人员信息", EXPORT_47, rows)], tmp_path / "r.xlsx")
    folder = tmp_path / "csv"
    folder.mkdir()
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in [list(EXPORT_47), *rows])
    (folder / "人员信息.csv").write_bytes((text + "\n").encode("gb18030"))
    for source in (tmp_path / "r.xlsx", folder):
        result = validate(open_source(str(source)).read(), today=AS_OF)
        assert result.errors == (), result.errors
        counts = {key: len(t.values) for key, t in result.tables.items() if t.present}
        assert counts == {"villages": 2, "households": 3, "members": 9}
        assert [sorted(set(v)) for v in result.tables["households"].values["risk_types"]] == [
            ["因学", "因病"], ["因学"], ["因学", "因灾"]]


def test_a_county_adds_its_own_header_spellings_in_its_policy_file(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    header = tuple("户主身份证件号码" if h == "证件号码" else "户人口" if h == "人数" else h for h in PERSON_HEADER)
    write_register([SheetData("名单", header, person_rows())], tmp_path / "r.xlsx")
    assert main(["validate", "--source", str(tmp_path / "r.xlsx"), "--format", "json"]) == 1  # not recognised yet
    missing = {e["column"] for e in json.loads(capsys.readouterr().out)["errors"] if e["code"] == "missing_column"}
    assert {"户主身份证号", "家庭人口数"} <= missing
    policy = tmp_path / "本县参数.yaml"
    policy.write_text("aliases:\n  监测户:\n    户主身份证号: [户主身份证件号码]\n    家庭人口数: 户人口\n"
                      "  家庭成员:\n    身份证号: [户主身份证件号码]\n", encoding="utf-8")
    assert main(["validate", "--source", str(tmp_path / "r.xlsx"), "--policy", str(policy)]) == 0
    capsys.readouterr()
    assert main(["check", "--source", str(tmp_path / "r.xlsx"), "--policy", str(policy), "--as-of",
                 AS_OF.isoformat(), "--format", "json"]) == 1  # (no 帮扶措施: blind)
    assert json.loads(capsys.readouterr().out)["summary"]["validation_errors"] == 0
    policy.write_text("aliases:\n  监测户:\n    户主身份证号: [联系电话]\n    没有这列: [x]\n  乡镇表:\n    a: b\n",
                      encoding="utf-8")
    assert main(["validate", "--source", str(tmp_path / "r.xlsx"), "--policy", str(policy)]) == 2
    error = capsys.readouterr().err
    assert "表头别名有 3 处错误" in error and "已经是「联系电话」列的写法" in error and "没有列「没有这列」" in error


def test_a_rule_that_needs_a_day_uses_the_month_s_last_day_and_says_so() -> None:
    from tests.builders import household, measure, register
    from tracker.rules import evaluate, load_policy

    steps = {"村级评议日期": None, "乡镇审核日期": None, "县级确定日期": None, "系统录入日期": None}
    raw = register(households=[household(1, **{"农户申报或发现日期": "202004", **steps}),
                               household(2, **{"农户申报或发现日期": "2020-04-30", **steps})],
                   measures=[measure("H0001"), measure("H0002")])
    validated = validate(raw, today=date(2020, 7, 20))
    assert validated.errors == () and validated.tables["households"].month_only("reported", 2)
    overdue = {f.household: f.message for f in evaluate(validated, load_policy(None), date(2020, 7, 20)).findings
               if f.rule == "procedure.overdue"}
    assert "农户申报或发现日期 2020年4月（只填到月，按月末 4月30日 计算）" in overdue["H0001"]
    assert "农户申报或发现日期 2020年4月30日" in overdue["H0002"]  # a full date says nothing more
    month = "2020年4月（只填到月，按月末 4月30日 计算）"
    assert overdue["H0001"].replace(month, "2020年4月30日") == overdue["H0002"]  # judged alike
