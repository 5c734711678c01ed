"""Department warning lists (issue 9): read and validated like the register, matched by ID number against heads
and family members, reported by ``tracker check --warnings`` and shown, masked, on the right pages."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.builders import household, id_number, measure, member, register, village
from tests.decrypt import decrypted_html, is_encrypted
from tests.test_privacy import Scanner
from tracker.cli.app import main
from tracker.common.resources import resource
from tracker.pipeline.run import build_site, check
from tracker.protect.passwords import Secrets
from tracker.register.contract import load_contract, parse_contract
from tracker.register.sheets import RawRegister, SheetData
from tracker.register.writers import write_register
from tracker.rules import RULES, rule
from tracker.validate.warning_lists import read_warning_lists, warnings_contract

AS_OF = date(2020, 7, 20)
COUNTY_PASSWORD = "yefufa-bicica-zapuli-xufawu-374"
POLICY = "urban_dibao_monthly: 800\nrural_dibao_annual: 5000\nregistered_population: 200\n"

WEST = {"行政村": "西村"}
RIVER = {"乡镇（街道）": "河西乡", "行政村": "河西村"}

# people of the register
HEAD_1 = id_number(seq="001")  # H0001, monitored
MEMBER_2 = id_number(birth="20100101", seq="202")  # member of H0002, monitored
HEAD_3 = id_number(seq="003")  # H0003, risk cleared
MEMBER_4 = id_number(birth="20100101", seq="204")  # member of H0004, 返贫
HEAD_19 = id_number(seq="019")  # H0019, ends with X: listed with a lower-case x
# people in no household
STRANGER_WEST = id_number(region="410103", seq="301")  # list gives 城关镇 西村
STRANGER_NOWHERE = id_number(region="410103", seq="302")  # list gives no place
STRANGER_UNKNOWN_PLACE = id_number(region="410103", seq="303")  # list gives a village the register lacks
STRANGER_RIVER = id_number(region="410103", seq="304")  # list gives 河西乡 河西村 (full-width digits)
STRANGER_MALFORMED = id_number(region="410103", seq="305")  # on a row with a bad 预警类型: never matched
BAD_HEAD_1 = HEAD_1[:-1] + ("0" if HEAD_1[-1] != "0" else "1")  # a wrong check digit: not matched

LIST_NAMES = ("王1", "成员202", "王3", "成员204", "王19", "西村陌生人", "无址陌生人", "外县陌生人", "河西陌生人",
              "坏行甲", "坏行乙", "坏行丙")
LIST_IDS = (HEAD_1, MEMBER_2, HEAD_3, MEMBER_4, HEAD_19, STRANGER_WEST, STRANGER_NOWHERE, STRANGER_UNKNOWN_PLACE,
            STRANGER_RIVER, STRANGER_MALFORMED)

HEADER = ("来源部门", "预警类型", "姓名", "身份证号", "乡镇（街道）", "行政村", "金额（元）", "预警日期")


def crafted() -> RawRegister:
    return register(
        villages=[village(), village(**{**WEST, "村代码": "410102001002"}),
                  village(**{**RIVER, "村代码": "410102002001"})],
        households=[
            household(1),                                                            # row 2
            household(2),                                                            # row 3
            household(3, **{**WEST, "监测状态": "风险已消除", "风险消除日期": "2020-06-30",
                            "人均可支配收入（元）": 7000}),                            # row 4
            household(4, **{**RIVER, "监测状态": "返贫"}),                           # row 5
            household(19, **RIVER),                                                  # row 6
        ],
        measures=[measure("H0001"), measure("H0002"), measure("H0004"), measure("H0019")],
        members=[
            member("H0002", 202, **{"姓名": "成员202"}),                              # row 2: on a list
            member("H0001", 1, **{"姓名": "王1", "身份证号": HEAD_1, "与户主关系": "户主",
                                  "劳动能力": "有劳动能力", "是否在校生": "否"}),       # row 3: own head, fine
            member("H0009", 209),                                                    # row 4: no such household
            member("H0002", 210, **{"身份证号": HEAD_3}),                             # row 5: another head
            member("H0001", 211, **{"身份证号": MEMBER_2}),                           # row 6: twice
            member("H0004", 204, **{"姓名": "成员204", "健康状况": "大病", "是否残疾": "是"}),  # row 7: on a list
            member("H0004", 212, **{"身份证号": "410102201001012121"}),               # row 8: bad check digit
        ],
    )


def sheets_of(raw: RawRegister) -> list[SheetData]:
    return [SheetData(s.name, tuple(str(c) for c in s.rows[0][1]), [list(cells) for _, cells in s.rows[1:]])
            for s in raw.sheets.values()]


def write_lists(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    # The health-insurance office: a title row, header variants (身份证号码, 乡镇, 村, 金额, 日期), number forms.
    header = ("来源部门", "预警类型", "姓名", "身份证号码", "乡镇", "村", "金额", "日期")
    write_register([SheetData("Sheet1", header, [
        ["县医保局", "大额医疗支出", "王1", HEAD_1, None, None, 52000, "2020-07-01"],                  # row 3
        ["县医保局", "大额医疗支出", "成员202", MEMBER_2, None, None, "3,000元", "2020/7/2"],          # row 4
        ["县医保局", "大额医疗支出", "王3", HEAD_3, None, None, None, "2020年7月3日"],                # row 5
        ["县医保局", "大额医疗支出", "西村陌生人", STRANGER_WEST, " 城关镇 ", "西村", 100, "20200704"],  # row 6
        ["县医保局", "大额医疗支出", "无址陌生人", STRANGER_NOWHERE, None, None, 200.5, "2020-07-05"],  # row 7
        ["县医保局", "大额医疗支出", "坏行甲", BAD_HEAD_1, None, None, 1000, "2020-07-06"],            # row 8
        ["县医保局", "大病", "坏行乙", STRANGER_MALFORMED, None, None, 1000, "2020-07-06"],            # row 9
    ], title="县医保局 2020年7月 大额医疗支出预警名单")], folder / "医保局大额医疗.xlsx")
    # Emergency management: a GB18030 CSV.
    rows = [
        ["县应急管理局", "因灾受损", "外县陌生人", STRANGER_UNKNOWN_PLACE, "河东乡", "某村", "8000", "2020-07-08"],  # 2
        ["县应急管理局", "因灾受损", "成员204", MEMBER_4, "", "", "", "2020-07-09"],                              # 3
        ["县应急管理局", "因灾受损", "坏行丙", STRANGER_NOWHERE, "", "", "-5", "2020-02-30"],                      # 4
        ["县应急管理局", "收入骤减", "王19", HEAD_19.lower(), "", "", "", "2020-07-10"],                           # 5
    ]
    text = "\n".join(",".join(r) for r in [list(HEADER), *rows]) + "\n"
    (folder / "应急局.csv").write_bytes(text.encode("gb18030"))
    # The disabled persons' federation: a workbook whose first worksheet is a note (no header): ignored.
    wide = "".join(chr(ord(c) + 0xFEE0) for c in STRANGER_RIVER)  # full-width digits
    write_register([SheetData("说明", ("本表为县残联新增残疾人名单，请勿外传。",), []),
                    SheetData("名单", HEADER, [["县残联", "新增残疾", "河西陌生人", wide, "河西乡", "河西村", None,
                                                 date(2020, 7, 11)]])], folder / "残联.xlsx")
    (folder / "~$医保局大额医疗.xlsx").write_bytes(b"lock file of an open workbook")  # skipped
    (folder / "说明.txt").write_text("not a list", encoding="utf-8")  # skipped
    return folder


#: (rule, household, township, village, sheet, row) of every warning finding.
EXPECTED = {
    ("warning.monitored", "H0001", "城关镇", "东村", "监测户", 2),
    ("warning.monitored", "H0002", "城关镇", "东村", "监测户", 3),
    ("warning.cleared", "H0003", "城关镇", "西村", "监测户", 4),
    ("warning.monitored", "H0004", "河西乡", "河西村", "监测户", 5),
    ("warning.monitored", "H0019", "河西乡", "河西村", "监测户", 6),
    ("warning.unmonitored", None, "城关镇", "西村", "医保局大额医疗.xlsx", 6),
    ("warning.unmonitored", None, None, None, "医保局大额医疗.xlsx", 7),
    ("warning.unmonitored", None, None, None, "应急局.csv", 2),
    ("warning.unmonitored", None, "河西乡", "河西村", "残联.xlsx", 2),
}
EXPECTED_LIST_ERRORS = [
    ("医保局大额医疗.xlsx", 8, "身份证号码", "id_number"),
    ("医保局大额医疗.xlsx", 9, "预警类型", "enum"),
    ("应急局.csv", 4, "金额（元）", "range"),
    ("应急局.csv", 4, "预警日期", "type"),
]
EXPECTED_MEMBER_ERRORS = [
    ("家庭成员", 4, "户编号", "reference"),
    ("家庭成员", 5, "身份证号", "duplicate"),
    ("家庭成员", 6, "身份证号", "duplicate"),
    ("家庭成员", 8, "身份证号", "id_number"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("warnings")
    write_register(sheets_of(crafted()), root / "register.xlsx")
    (root / "policy.yaml").write_text(POLICY, encoding="utf-8")
    return {"register": root / "register.xlsx", "lists": write_lists(root / "lists"), "policy": root / "policy.yaml",
            "root": root}


def run_check(capsys: pytest.CaptureFixture[str], files: dict[str, Path], *extra: str) -> tuple[int, dict]:
    code = main(["check", "--source", str(files["register"]), "--policy", str(files["policy"]), "--as-of",
                 AS_OF.isoformat(), "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


# ------------------------------------------------------------------------------------------- contract


def test_the_lists_contract_is_data_in_the_register_format() -> None:
    contract = load_contract(resource("schemas") / "warnings.yaml")
    assert contract == warnings_contract()
    tab = contract.tab("warnings")
    assert [c.header for c in tab.columns] == list(HEADER)
    assert tab.column("kind").values == ("大额医疗支出", "因灾受损", "新增残疾", "收入骤减", "其他")
    assert [c.key for c in tab.columns if c.required] == ["department", "kind", "name", "id_number", "date"]
    import yaml

    data = yaml.safe_load((resource("schemas") / "warnings.yaml").read_text(encoding="utf-8"))
    assert parse_contract(data, "warnings.yaml") == contract


def test_warning_rules_are_in_the_registry_with_their_clause() -> None:
    ids = [spec.id for spec in RULES if spec.source == "warnings"]
    assert ids == ["warning.monitored", "warning.cleared", "warning.unmonitored"]
    for rule_id in ids:
        spec = rule(rule_id)
        assert "三、(三)" in spec.clause and "六、(二)" in spec.clause
        assert spec.title and spec.explanation and spec.next_action.startswith("请")


# ------------------------------------------------------------------------------------------- check


def test_check_json_gives_exactly_the_expected_findings(files: dict[str, Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, payload = run_check(capsys, files, "--warnings", str(files["lists"]))
    warnings = [f for f in payload["findings"] if f["rule"].startswith("warning.")]
    got = {(f["rule"], f["household"], f["township"], f["village"], f["sheet"], f["row"]) for f in warnings}
    assert got == EXPECTED
    assert len(warnings) == len(EXPECTED)
    keys = {"rule", "severity", "household", "township", "village", "message", "next_action", "sheet", "row",
            "citations", "setting"}
    for f in payload["findings"]:
        if f["rule"] == "warning.unmonitored":
            assert set(f) == keys | {"id_number"}
        else:
            assert set(f) == keys
    ids = {(f["sheet"], f["row"]): f["id_number"] for f in warnings if f["rule"] == "warning.unmonitored"}
    assert ids == {("医保局大额医疗.xlsx", 6): STRANGER_WEST, ("医保局大额医疗.xlsx", 7): STRANGER_NOWHERE,
                   ("应急局.csv", 2): STRANGER_UNKNOWN_PLACE, ("残联.xlsx", 2): STRANGER_RIVER}
    assert code == 0  # warnings are not errors


def test_messages_name_type_amount_date_and_mask_the_id(files: dict[str, Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    _, payload = run_check(capsys, files, "--warnings", str(files["lists"]))
    by_place = {(f["rule"], f["household"] or f["sheet"], f["row"]): f for f in payload["findings"]}
    head = by_place[("warning.monitored", "H0001", 2)]
    assert head["message"].startswith("新预警：大额医疗支出, 52,000 元, 2020年7月1日")
    assert "县医保局" in head["message"] and "医保局大额医疗.xlsx 第 3 行" in head["message"]
    assert "重新评估返贫致贫风险" in head["next_action"]
    assert "家庭成员 成员202（子）" in by_place[("warning.monitored", "H0002", 3)]["message"]
    assert "3,000 元, 2020年7月2日" in by_place[("warning.monitored", "H0002", 3)]["message"]
    assert "返贫" in by_place[("warning.monitored", "H0004", 5)]["message"]
    cleared = by_place[("warning.cleared", "H0003", 4)]
    assert cleared["message"].startswith("新预警：大额医疗支出, 2020年7月3日")  # no amount on the list
    assert "风险已消除" in cleared["message"] and "监测中" in cleared["next_action"]
    nowhere = by_place[("warning.unmonitored", "医保局大额医疗.xlsx", 7)]
    assert nowhere["message"].startswith("新预警：大额医疗支出, 200.50 元, 2020年7月5日")
    assert "县级扶贫部门查明" in nowhere["next_action"]
    assert "「河东乡」「某村」" in by_place[("warning.unmonitored", "应急局.csv", 2)]["message"]
    for f in payload["findings"]:
        assert not re.search(r"\d{17}[\dXx]", f["message"]), f["message"]
        if f["rule"] == "warning.unmonitored":
            assert f"{f['id_number'][:4]}{'*' * 10}{f['id_number'][-4:]}" in f["message"]


def test_malformed_rows_are_validation_errors_and_not_matched(files: dict[str, Path],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _, payload = run_check(capsys, files, "--warnings", str(files["lists"]))
    lists = payload["summary"]["warning_lists"]
    assert [(e["sheet"], e["row"], e["column"], e["code"]) for e in lists["errors"]] == EXPECTED_LIST_ERRORS
    assert lists["lists"] == {"医保局大额医疗.xlsx": 7, "应急局.csv": 4, "残联.xlsx": 1}
    # every file of the folder accounted for: the lock file and the note skipped with their reasons
    assert [(f["file"], f["status"], f["rows"]) for f in lists["files"]] == [
        ("~$医保局大额医疗.xlsx", "skipped", 0), ("医保局大额医疗.xlsx", "read", 7), ("应急局.csv", "read", 4),
        ("残联.xlsx", "read", 1), ("说明.txt", "skipped", 0)]
    assert all(f["reason"] for f in lists["files"] if f["status"] == "skipped") and lists["unreadable"] == 0
    assert lists["rows"] == 12 and lists["rows_with_errors"] == 3 and lists["error_count"] == 4
    assert lists["matched"] == {"warning.monitored": 4, "warning.cleared": 1, "warning.unmonitored": 4}
    assert lists["village_leads"] == 2 and lists["county_leads"] == 2
    # the register's own validation errors (the members tab) keep their count, as without lists
    assert payload["summary"]["validation_errors"] == len(EXPECTED_MEMBER_ERRORS)
    rows = {(f["sheet"], f["row"]) for f in payload["findings"]}
    assert not rows & {("医保局大额医疗.xlsx", 8), ("医保局大额医疗.xlsx", 9), ("应急局.csv", 4)}


def test_without_lists_the_report_is_unchanged(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, plain = run_check(capsys, files)
    _, listed = run_check(capsys, files, "--warnings", str(files["lists"]))
    assert "warning_lists" not in plain["summary"]
    assert not [f for f in plain["findings"] if f["rule"].startswith("warning.")]
    others = [f for f in listed["findings"] if not f["rule"].startswith("warning.")]
    assert others == plain["findings"]  # same findings, same order
    assert set(plain) == set(listed) == {"as_of", "policy", "policy_file", "findings", "skipped", "blind",
                                         "summary"}


def test_check_text_summarises_the_lists(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--source", str(files["register"]), "--policy", str(files["policy"]), "--as-of",
                 AS_OF.isoformat(), "--warnings", str(files["lists"])])
    out = capsys.readouterr().out
    assert code == 0
    assert "3 份共 12 行" in out and "不在名册中的待走访线索 4 条（其中 2 条未能归属到村）" in out
    assert "预警名单中有 4 处数据错误" in out and "tracker validate" in out
    assert "医保局大额医疗.xlsx 第 7 行" in out and STRANGER_NOWHERE not in out


def test_validate_lists_the_list_errors_cell_by_cell(files: dict[str, Path],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--source", str(files["register"]), "--warnings", str(files["lists"]),
                 "--format", "json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 1
    got = [(e["sheet"], e["row"], e["column"], e["code"]) for e in payload["errors"]]
    assert got == EXPECTED_MEMBER_ERRORS + EXPECTED_LIST_ERRORS
    assert payload["summary"]["error_count"] == len(EXPECTED_MEMBER_ERRORS)
    assert payload["summary"]["warning_lists"]["error_count"] == len(EXPECTED_LIST_ERRORS)
    code = main(["validate", "--source", str(files["register"]), "--warnings", str(files["lists"])])
    text = capsys.readouterr().out
    assert code == 1 and "【医保局大额医疗.xlsx】" in text and "第 4 行「预警日期」，填的是「2020-02-30」" in text


def test_missing_folder_is_a_source_error(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--source", str(files["register"]), "--warnings", str(files["root"] / "nope")])
    err = capsys.readouterr().err
    assert code == 2 and "找不到预警名单目录" in err and "Traceback" not in err


def test_library_entry_point(files: dict[str, Path]) -> None:
    """What the nightly job's configuration calls: a folder in, validated lists out."""
    lists = read_warning_lists(files["lists"], AS_OF)
    assert [lst.sheet for lst in lists.lists] == ["医保局大额医疗.xlsx", "应急局.csv", "残联.xlsx"]
    assert sum(1 for _ in lists.valid_rows()) == 12 - 3
    validated, outcome = check(str(files["register"]), str(files["policy"]), AS_OF, warnings=files["lists"])
    assert outcome.warnings is not None and len(outcome.warnings.hits) == len(EXPECTED)
    empty = files["root"] / "empty"
    empty.mkdir(exist_ok=True)
    _, none = check(validated, str(files["policy"]), AS_OF, warnings=empty)
    assert none.warnings is not None and none.warnings.hits == () and none.warnings.lists.lists == ()


def test_a_workbook_with_several_lists_names_each_sheet(tmp_path: Path) -> None:
    rows = [["县民政局", "收入骤减", "甲", STRANGER_WEST, None, None, None, "2020-07-01"]]
    write_register([SheetData("6月", HEADER, rows), SheetData("7月", HEADER, rows)], tmp_path / "民政局.xlsx")
    lists = read_warning_lists(tmp_path, AS_OF)
    assert [lst.sheet for lst in lists.lists] == ["民政局.xlsx（6月）", "民政局.xlsx（7月）"]


def test_a_list_missing_a_required_column_matches_nothing(tmp_path: Path) -> None:
    (tmp_path / "无身份证.csv").write_text("来源部门,预警类型,姓名,预警日期\n县医保局,其他,甲,2020-07-01\n",
                                         encoding="utf-8")
    lists = read_warning_lists(tmp_path, AS_OF)
    assert [(e.sheet, e.row, e.column, e.code) for e in lists.errors] == [("无身份证.csv", None, "身份证号",
                                                                          "missing_column")]
    assert list(lists.valid_rows()) == []


# ------------------------------------------------------------------------------------------- site


@pytest.fixture(scope="module")
def site(files: dict[str, Path]) -> Path:
    out = files["root"] / "public"
    build_site(str(files["register"]), out, policy_file=str(files["policy"]), as_of=AS_OF,
               secrets=Secrets(county=COUNTY_PASSWORD), warnings=files["lists"])
    return out


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(decrypted_html(path, COUNTY_PASSWORD), "html.parser")


def _villages(site: Path) -> dict[str, BeautifulSoup]:
    pages = {}
    for page in site.glob("t*/v*.html"):
        soup = _soup(page)
        pages[soup.select_one("article h1").get_text(strip=True)] = soup
    return pages


def _with_rules(element: BeautifulSoup) -> str:
    """The element's text, then the rule ids of its findings (pages name rules in Chinese; ids are attributes)."""
    return element.get_text(" ", strip=True) + " " + " ".join(li["data-rule"] for li in element.select("li[data-rule]"))


def _detail(page: BeautifulSoup, household: str) -> str:
    for div in page.select("div.household-detail"):
        if f"户编号 {household}" in div.get_text():
            return _with_rules(div)
    raise AssertionError(f"no detail for {household}")


def test_household_warnings_on_their_village_pages(site: Path) -> None:
    pages = _villages(site)
    east = pages["东村"]
    assert "新预警：大额医疗支出, 52,000 元, 2020年7月1日" in _detail(east, "H0001")
    assert "warning.monitored" in _detail(east, "H0002") and "成员202" in _detail(east, "H0002")
    assert "warning.cleared" in _detail(pages["西村"], "H0003")
    assert "返贫" in _detail(pages["河西村"], "H0004")
    assert "warning.monitored" in _detail(pages["河西村"], "H0019")


def test_village_leads_on_village_pages_masked(site: Path) -> None:
    pages = _villages(site)
    west = _with_rules(pages["西村"].select_one("article ul.findings"))
    assert "西村陌生人" in west and f"{STRANGER_WEST[:4]}{'*' * 10}{STRANGER_WEST[-4:]}" in west
    assert "warning.unmonitored" in west
    river = pages["河西村"].select_one("article ul.findings").get_text(" ", strip=True)
    assert "河西陌生人" in river and "新增残疾" in river
    assert "无址陌生人" not in pages["东村"].get_text() + pages["西村"].get_text() + pages["河西村"].get_text()


def test_county_leads_page_is_county_level_and_linked_from_home(site: Path) -> None:
    raw = (site / "leads.html").read_text(encoding="utf-8")
    assert is_encrypted(raw) and "无址陌生人" not in raw
    leads = _soup(site / "leads.html")
    tables = leads.select("article table.leads")
    county = tables[0].get_text(" ", strip=True)
    assert "无址陌生人" in county and "外县陌生人" in county and "西村陌生人" not in county
    assert f"{STRANGER_NOWHERE[:4]}{'*' * 10}{STRANGER_NOWHERE[-4:]}" in county
    village_links = {a["href"] for a in tables[1].select("a")}
    assert len(village_links) == 2 and all(re.fullmatch(r"t\w+/v\w+\.html", h) for h in village_links)
    errors = leads.select_one("article table.errors").get_text(" ", strip=True)
    assert "预警类型" in errors and BAD_HEAD_1 not in errors and "2020-02-30" in errors
    home = _soup(site / "index.html")
    link = home.select_one('article a[href="leads.html"]')
    assert link is not None and "未能归属到村" in link.parent.get_text()
    assert "无址陌生人" not in home.select_one("article").get_text()  # leads are not repeated on the home page


def test_checklists_have_the_warnings_section(site: Path) -> None:
    county = _soup(site / "checklist.html").select_one("article").get_text(" ", strip=True)
    assert "未能归属到村的预警线索（2 条）" in county and "无址陌生人" in county
    assert "部门预警（2 条）" in county and "部门预警（3 条）" in county  # 城关镇 and 河西乡
    assert "待走访的预警线索（1 条" in county
    town = next(p for p in site.glob("t*/checklist.html") if "东村" in _soup(p).get_text())
    text = _soup(town).select_one("article").get_text(" ", strip=True)
    assert "部门预警（3 条）" in text and "西村陌生人" in text and "无址陌生人" not in text
    groups = [h.get_text() for h in _soup(town).select("article h4")]
    assert not [g for g in groups if "warning." in g]  # not repeated among the rule groups


def test_members_shown_masked_on_the_household(site: Path) -> None:
    east = _villages(site)["东村"]
    detail = next(d for d in east.select("div.household-detail") if "户编号 H0002" in d.get_text())
    table = detail.select_one("table.members").get_text(" ", strip=True)
    assert "成员202" in table and f"{MEMBER_2[:4]}{'*' * 10}{MEMBER_2[-4:]}" in table and "在校生" in table
    river = _villages(site)["河西村"]
    detail = next(d for d in river.select("div.household-detail") if "户编号 H0004" in d.get_text())
    assert "大病" in detail.get_text() and "残疾" in detail.get_text()
    errors = detail.get_text(" ", strip=True)
    assert "家庭成员 第 8 行" in errors  # a member row's error travels to its household


def test_no_list_or_member_id_and_no_list_name_in_clear(site: Path) -> None:
    raw = crafted()
    members = [cells for _, cells in raw.sheets["家庭成员"].rows[1:]]
    member_ids = {str(c[2]) for c in members} | {str(c[2]).upper() for c in members}
    ids = set(LIST_IDS) | {BAD_HEAD_1} | member_ids
    files, hits = Scanner({"name": set(LIST_NAMES), "id": ids, "phone": set()}).scan_dir(site)
    assert files > 20 and not hits, hits[:10]
    scanner = Scanner({"name": set(), "id": ids, "phone": set()})
    pages = [site / "index.html", site / "leads.html", site / "report.html", site / "checklist.html",
             *site.glob("t*/*.html")]
    for page in pages:
        assert not scanner.scan_text(decrypted_html(page, COUNTY_PASSWORD), page.name), page


def test_lists_merge_beside_a_measure_of_an_unknown_household(files: dict[str, Path], tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A relief measure whose 户编号 matches no household gives a finding without a place beside one with a
    place; merging the list findings in order once failed on it, and the JSON report must stay strict JSON."""
    raw = crafted()
    relief = {"措施类别": "临时救助", "金额（元）": 9000, "审批层级": "乡镇", "救助类型": "支出型"}
    extra = register(measures=[measure("H0001", **relief), measure("H0404", **relief)]).sheets["帮扶措施"].rows[1:]
    sheet = raw.sheets["帮扶措施"]
    raw.sheets["帮扶措施"] = type(sheet)(sheet.name, (*sheet.rows, *((n + 100, cells) for n, cells in extra)))
    write_register(sheets_of(raw), tmp_path / "register.xlsx")
    code = main(["check", "--source", str(tmp_path / "register.xlsx"), "--policy", str(files["policy"]),
                 "--as-of", AS_OF.isoformat(), "--format", "json", "--warnings", str(files["lists"])])

    def no_nan(word: str) -> None:
        raise AssertionError(f"{word} in the JSON report")

    report = json.loads(capsys.readouterr().out, parse_constant=no_nan)
    assert code == 1
    placeless = [f for f in report["findings"] if f["rule"] == "relief.approval_level"]
    assert [(f["household"], f["township"], f["village"]) for f in placeless] == [("H0404", None, None),
                                                                                  ("H0001", "城关镇", "东村")]
    assert {f["rule"] for f in report["findings"]} >= {"warning.monitored", "warning.unmonitored"}
