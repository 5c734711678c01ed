"""The Google Sheet source and the write-back, run with the real gspread client and real service-account
credentials against a local stand-in of the Sheets v4 API (tests/fake_sheets_api.py): no network."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import requests

from tests.builders import headers, household, measure, village
from tests.fake_sheets_api import READONLY, READWRITE, SA_EMAIL, FakeSheetsAPI, Formula, LostAnswer
from tests.test_messy_register import _write_messy_xlsx
from tracker.cli.app import main
from tracker.common.errors import SourceError
from tracker.pipeline.writeback import RESULT_HEADERS, write_back
from tracker.register import gsheet_api
from tracker.register.gsheet import RESULT_TAB, GoogleSheetSource, range_start, sheet_key
from tracker.register.gsheet_api import RetryPolicy
from tracker.register.sources import open_source
from tracker.rules.findings import Finding
from tracker.validate.validator import validate

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"
URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
TIMEOUT = RetryPolicy().timeout


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeSheetsAPI:
    fake = FakeSheetsAPI()
    fake.install(monkeypatch, tmp_path)
    return fake


def _rows(tab_key: str, rows: list[dict[str, object]], title: str | None = None) -> list[list[object]]:
    head = headers(tab_key)
    out: list[list[object]] = [[title]] if title else []
    return out + [list(head)] + [[r.get(h) for h in head] for r in rows]


def clean_register() -> dict[str, list[list[object]]]:
    return {
        "行政村": _rows("villages", [village()]),
        "监测户": _rows("households", [household(1), household(2)], title="清河县防返贫监测对象名册"),
        "帮扶措施": _rows("measures", [measure("H0001")]),
    }


# ------------------------------------------------------------------------------------------- recognising


@pytest.mark.parametrize("spec", [
    URL, f"https://docs.google.com/spreadsheets/d/{KEY}/edit?usp=sharing", f"docs.google.com/spreadsheets/d/{KEY}",
    f"https://docs.google.com/spreadsheets/u/0/d/{KEY}/edit", f"gsheet:{KEY}", f"  GSHEET:{KEY} ",
])
def test_sheet_key_from_what_users_paste(spec: str) -> None:
    assert sheet_key(spec) == KEY
    source = open_source(spec)
    assert isinstance(source, GoogleSheetSource) and source.key == KEY and not source.writable


@pytest.mark.parametrize(("spec", "words"), [
    ("gsheet:", "不完整"), ("gsheet:abc", "不完整"),
    ("https://docs.google.com/spreadsheets/d/e/2PACX-1vQabcdefghijklmnop/pubhtml", "发布到网络"),
    ("https://docs.google.com/spreadsheets/u/0/", "不是完整的 Google 表格网址"),
])
def test_bad_google_specs_say_what_to_copy(spec: str, words: str) -> None:
    with pytest.raises(SourceError, match=words):
        open_source(spec)


def test_file_paths_are_not_google() -> None:
    assert sheet_key("名册.xlsx") is None and sheet_key("/data/csv") is None


@pytest.mark.parametrize(("a1", "start"), [
    ("'监测户'!A1:Z1000", (1, 1)), ("Sheet1!C3:F10", (3, 3)), ("'a!b'''!B2", (2, 2)), ("'x'!$AA$12:$AB$20", (12, 27)),
    ("Sheet1!A:Z", (1, 1)), ("", (1, 1)),
])
def test_range_start(a1: str, start: tuple[int, int]) -> None:
    assert range_start(a1) == start


# ---------------------------------------------------------------------------------------------- reading


def test_one_read_is_two_requests_whatever_the_number_of_tabs(google: FakeSheetsAPI) -> None:
    tabs = clean_register()
    tabs.update({f"附表{i}": [["x"] * 30] * 500 for i in range(8)})
    tabs["CRM26"] = [["looks like a cell reference"]]
    google.add(KEY, tabs)
    register = open_source(URL).read()
    assert set(register.sheets) == set(tabs)
    assert register.sheets["CRM26"].rows == ((1, ("looks like a cell reference",)),)
    assert [s.endpoint for s in google.requests] == ["metadata", "batchGet"]
    assert not google.writes()
    batch = google.requests[1].params
    assert batch["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert batch["dateTimeRenderOption"] == ["SERIAL_NUMBER"]
    assert batch["ranges"] == [f"'{t}'" for t in tabs]  # every title quoted
    assert all(s.timeout == TIMEOUT for s in google.requests)
    assert [c["scope"] for c in google.token_claims] == [READONLY]  # read-only unless writing


def test_row_numbers_survive_trimmed_and_empty_rows(google: FakeSheetsAPI) -> None:
    google.add(KEY, {
        "行政村": [
            ["清河县行政村名单"], [], [None, None], list(headers("villages")),
            ["清河县", "城关镇", "东村", "410102001001", None, "", None, None],  # trailing empty cells
            [], [None, "", None],  # empty middle rows
            ["清河县", "城关镇", "西村", 410102001002],
            [], [], [None],  # trailing empty rows: dropped by the API
        ],
        "监测户": [list(headers("households")), [household(1).get(h) for h in headers("households")]],
        "帮扶措施": [],  # an empty tab: no "values" at all
    })
    register = open_source(f"gsheet:{KEY}").read()
    villages = register.sheets["行政村"].rows
    assert [number for number, _ in villages] == [1, 4, 5, 8]
    assert villages[2] == (5, ("清河县", "城关镇", "东村", "410102001001"))
    assert villages[3] == (8, ("清河县", "城关镇", "西村", 410102001002))
    assert register.sheets["帮扶措施"].rows == ()
    result = validate(register, today=date(2020, 7, 1))
    assert result.errors == ()
    assert list(result.tables["villages"].values.index) == [5, 8]


def test_serial_dates_and_numbers_come_back_as_numbers(google: FakeSheetsAPI) -> None:
    sheet = clean_register()
    sheet["监测户"][2][headers("households").index("首次纳入监测日期")] = 43924  # a date cell: 2020-04-03
    sheet["监测户"][2][headers("households").index("人均可支配收入（元）")] = 6000.5
    sheet["监测户"][3][headers("households").index("首次纳入监测日期")] = 43924.75  # a date-time cell
    google.add(KEY, sheet)
    result = validate(open_source(URL).read(), today=date(2020, 7, 1))
    assert result.errors == ()
    values = result.tables["households"].values
    assert values.at[3, "first_monitored"].date() == date(2020, 4, 3)
    assert values.at[4, "first_monitored"].date() == date(2020, 4, 4)  # rounded to the nearest day
    assert values.at[3, "income_per_capita"] == 6000.5


def test_missing_tab_is_named_by_validation(google: FakeSheetsAPI, capsys: pytest.CaptureFixture[str]) -> None:
    tabs = clean_register()
    del tabs["帮扶措施"]
    google.add(KEY, tabs)
    assert main(["validate", "--source", URL]) == 2
    err = capsys.readouterr().err
    assert "「帮扶措施」" in err and err.count("\n") == 1


# ----------------------------------------------------------------------------------------------- faults


def test_429_then_success(google: FakeSheetsAPI) -> None:
    google.add(KEY, clean_register())
    google.fail("batchGet", 429)
    register = open_source(URL).read()
    assert set(register.sheets) == {"行政村", "监测户", "帮扶措施"}
    assert [(s.endpoint, s.status) for s in google.requests] == [("metadata", 200), ("batchGet", 429),
                                                                  ("batchGet", 200)]
    assert len(google.sleeps) == 1 and 0.5 <= google.sleeps[0] <= 1.0


def test_persistent_503_gives_up_after_bounded_tries(google: FakeSheetsAPI) -> None:
    google.add(KEY, clean_register())
    google.fail("metadata", *[503] * 20)
    with pytest.raises(SourceError, match=r"暂时不可用（HTTP 503），已尝试 5 次仍失败") as caught:
        open_source(URL).read()
    assert "\n" not in str(caught.value)
    assert len(google.requests) == 5 and not any(s.endpoint == "batchGet" for s in google.requests)
    assert len(google.sleeps) == 4 and sum(google.sleeps) <= 15  # 1 + 2 + 4 + 8 at most, never waited here
    assert all(lo / 2 <= s <= lo for s, lo in zip(google.sleeps, (1, 2, 4, 8), strict=True))


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    low, high = RetryPolicy(jitter=lambda: 0.0), RetryPolicy(jitter=lambda: 1.0)
    assert [low.delay(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]
    assert [high.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 16, 16]
    assert high.delay(1, retry_after=30) == 16 and low.delay(1, retry_after=3) == 3


def test_timeouts_and_connection_errors_are_retried(google: FakeSheetsAPI) -> None:
    google.add(KEY, clean_register())
    google.fail("metadata", requests.exceptions.ConnectTimeout("connect timeout=10"))
    google.fail("batchGet", requests.exceptions.ReadTimeout("read timeout=60"),
                requests.exceptions.ConnectionError("Connection reset by peer"), 500)
    register = open_source(URL).read()
    assert len(register.sheets) == 3
    assert [s.status for s in google.requests] == ["ConnectTimeout", 200, "ReadTimeout", "ConnectionError", 500, 200]
    assert len(google.sleeps) == 4


@pytest.mark.parametrize(("fault", "words"), [
    (requests.exceptions.ReadTimeout("read timeout=60"), "超时，已尝试 5 次仍失败"),
    (requests.exceptions.ConnectionError("Name or service not known"), "无法连接 Google 表格.*代理"),
    (429, "超过配额.*已尝试 5 次仍失败.*过几分钟"),
])
def test_persistent_faults_end_in_one_sentence(google: FakeSheetsAPI, fault: object, words: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    google.add(KEY, clean_register())
    google.fail("batchGet", *[fault] * 5)
    assert main(["validate", "--source", URL, "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # never a partial register or a partial report
    assert captured.err.startswith("错误：") and captured.err.count("\n") == 1
    import re

    assert re.search(words, captured.err)
    assert len([s for s in google.requests if s.endpoint == "batchGet"]) == 5


def test_403_names_the_service_account_to_share_with(google: FakeSheetsAPI) -> None:
    google.add(KEY, clean_register(), shared={})
    with pytest.raises(SourceError) as caught:
        open_source(URL).read()
    message = str(caught.value)
    assert SA_EMAIL in message and "共享" in message and KEY in message
    assert len(google.requests) == 1  # a 403 is not retried


def test_403_when_the_sheets_api_is_disabled(google: FakeSheetsAPI) -> None:
    google.add(KEY, clean_register())
    google.fail("metadata", (403, "Google Sheets API has not been used in project 123456789012 before or it is "
                                  "disabled. Enable it by visiting https://console.developers.google.com/apis/api/"
                                  "sheets.googleapis.com/overview?project=123456789012 then retry."))
    with pytest.raises(SourceError, match="启用 Google Sheets API"):
        open_source(URL).read()


def test_404_says_check_the_key_or_url(google: FakeSheetsAPI) -> None:
    google.add("someOtherSpreadsheetKey123", clean_register())
    with pytest.raises(SourceError, match=r"找不到 Google 表格.*检查.*网址或 key"):
        open_source(URL).read()
    assert len(google.requests) == 1


def test_missing_credentials_say_how_to_set_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    assert main(["validate", "--source", URL]) == 2
    err = capsys.readouterr().err
    assert "GOOGLE_APPLICATION_CREDENTIALS" in err and "export" in err and err.count("\n") == 1
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "nope.json"))
    with pytest.raises(SourceError, match=r"nope\.json 不存在"):
        open_source(URL).read()
    (tmp_path / "user.json").write_text(json.dumps({"type": "authorized_user", "client_id": "x"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "user.json"))
    with pytest.raises(SourceError, match="不是服务账号密钥（这是个人账号的登录凭据"):
        open_source(URL).read()


# ------------------------------------------------------------------------------------------------ parity


def _as_spreadsheet_stores(path: Path) -> None:
    """Numbers are doubles in Excel and in Sheets alike: an integer beyond 2**53 can't be kept exactly."""
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, int) and not isinstance(cell.value, bool) and abs(cell.value) > 2**53:
                    cell.value = float(cell.value)
    book.save(path)


def _as_google_holds(path: Path) -> dict[str, list[list[object]]]:
    """The same workbook as Google Sheets holds it after an upload: date cells become serial numbers."""
    book = openpyxl.load_workbook(path)
    tabs = {}
    for ws in book.worksheets:
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append([(v - datetime(1899, 12, 30)).total_seconds() / 86400 if isinstance(v, datetime) else v
                         for v in row])
        tabs[ws.title] = rows
    return tabs


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    path = tmp_path / "messy.xlsx"
    _write_messy_xlsx(path)  # title rows above the headers, header variants, date and number cells
    _as_spreadsheet_stores(path)
    return path


@pytest.mark.parametrize("faults", [0, 1])
def test_same_errors_as_the_xlsx_of_the_same_data(google: FakeSheetsAPI, messy: Path, faults: int,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--source", str(messy), "--format", "json"]) == 1
    from_xlsx = json.loads(capsys.readouterr().out)
    google.add(KEY, _as_google_holds(messy))
    google.fail("batchGet", *[429] * faults)
    assert main(["validate", "--source", URL, "--format", "json"]) == 1
    from_google = json.loads(capsys.readouterr().out)
    assert from_google["errors"] == from_xlsx["errors"]
    assert len(from_xlsx["errors"]) >= 17
    assert {k: v for k, v in from_google["summary"].items() if k != "source"} == \
        {k: v for k, v in from_xlsx["summary"].items() if k != "source"}
    assert [s.endpoint for s in google.requests if s.status == 200] == ["metadata", "batchGet"]
    assert len(google.requests) == 2 + faults


# -------------------------------------------------------------------------------------------- write-back


def _tab(google: FakeSheetsAPI, title: str):  # type: ignore[no-untyped-def]
    tab = google.spreadsheets[KEY].titled(title)
    assert tab is not None
    return tab


def test_write_back_replaces_only_the_result_tab_in_one_raw_batch(google: FakeSheetsAPI) -> None:
    tabs = clean_register()
    hh = headers("households")
    tabs["监测户"][2][hh.index("监测类别")] = "=HYPERLINK(\"http://evil.example\",\"点我\")"
    tabs["监测户"][3][hh.index("家庭人口数")] = "+25"
    tabs["监测户"].append(list(tabs["监测户"][3]))
    tabs["监测户"][4][hh.index("主要风险类型")] = "@因病"
    tabs["监测户"][4][hh.index("家庭人口数")] = "-1"
    google.add(KEY, tabs)
    before = {t.title: json.dumps(t.rows, ensure_ascii=False) for t in google.spreadsheets[KEY].tabs}
    source = GoogleSheetSource(KEY, writable=True)
    result = validate(source.read(), today=date(2020, 7, 1))
    assert result.errors
    finding = Finding("procedure_order", "warning", "=1+1 村级评议晚于乡镇审核", "-请补齐评议记录",
                      household="H0001", sheet="监测户", row=3)
    summary = write_back(source, result.errors, [finding], run_time=datetime(2020, 7, 1, 22, 5))
    assert summary.created and summary.errors == len(result.errors) and summary.findings == 1

    assert [s.endpoint for s in google.requests] == ["metadata", "batchGet", "batchUpdate"]
    assert [c["scope"] for c in google.token_claims] == [READWRITE]
    body = google.writes()[0].body
    result_id = _tab(google, RESULT_TAB).sheet_id
    kinds = [next(iter(r)) for r in body["requests"]]
    assert kinds == ["addSheet", "updateCells"]
    assert body["requests"][0]["addSheet"]["properties"]["title"] == RESULT_TAB
    assert body["requests"][1]["updateCells"]["range"] == {"sheetId": result_id}  # the whole tab, nothing else
    data_ids = {t.sheet_id for t in google.spreadsheets[KEY].tabs if t.title != RESULT_TAB}
    assert result_id not in data_ids
    assert json.dumps(body).count('"sheetId"') == 2
    after = {t.title: json.dumps(t.rows, ensure_ascii=False) for t in google.spreadsheets[KEY].tabs}
    assert {k: v for k, v in after.items() if k != RESULT_TAB} == before  # data tabs untouched

    values = [c.get("userEnteredValue", {}) for r in body["requests"][1]["updateCells"]["rows"] for c in r["values"]]
    assert not any("formulaValue" in v for v in values)  # raw input only: nothing is ever a formula
    assert all(set(v) <= {"stringValue", "numberValue"} for v in values)
    written = _tab(google, RESULT_TAB).rows
    assert written[0][0].startswith("校验时间：2020-07-01 22:05") and str(len(result.errors)) in written[0][0]
    assert tuple(written[1]) == RESULT_HEADERS
    texts = [v for row in written for v in row if isinstance(v, str)]
    assert not any(isinstance(v, Formula) for v in texts)
    for risky in ("=HYPERLINK(\"http://evil.example\",\"点我\")", "+25", "-1", "@因病", "=1+1 村级评议晚于乡镇审核",
                  "-请补齐评议记录"):
        matches = [v for v in texts if risky in v]
        assert matches, risky
        assert not any(v.startswith("'") for v in matches)  # kept as text without an apostrophe
    rows_by_cell = {(r[0], r[1], r[2]): r for r in written[2:]}
    assert rows_by_cell[("监测户", 4, "家庭人口数")][3] == "+25"
    assert rows_by_cell[("监测户", 5, "家庭人口数")][3] == "-1"
    last = written[-1]
    assert last[0] == "监测户" and last[1] == 3 and last[4].startswith("户编号 H0001：=1+1")
    assert last[5] == "procedure_order（提醒）" and last[6] == "-请补齐评议记录"
    assert _tab(google, RESULT_TAB).frozen_rows == 2


def test_write_back_again_clears_the_old_report_and_grows_the_grid(google: FakeSheetsAPI) -> None:
    tabs = clean_register()
    tabs[RESULT_TAB] = [["旧的报告"]] + [["旧", i, "x", "y", "z", "r", "n", "第8列"] for i in range(40)]
    google.add(KEY, tabs, sizes={RESULT_TAB: (42, 8)})
    hh = headers("households")
    for n in range(3, 60):
        google.spreadsheets[KEY].titled("监测户").rows.append(
            [household(n, **{"家庭人口数": 99}).get(h) for h in hh])
    source = GoogleSheetSource(KEY, writable=True)
    register = source.read()
    assert RESULT_TAB not in register.sheets  # the result tab is output, never read as register data
    result = validate(register, today=date(2020, 7, 1))
    assert len(result.errors) == 57
    summary = write_back(source, result.errors)
    assert not summary.created
    body = google.writes()[0].body
    assert [next(iter(r)) for r in body["requests"]] == ["appendDimension", "updateSheetProperties", "updateCells"]
    assert body["requests"][0]["appendDimension"] == {"sheetId": _tab(google, RESULT_TAB).sheet_id,
                                                      "dimension": "ROWS", "length": 59 - 42}
    written = _tab(google, RESULT_TAB).rows
    assert len([r for r in written if any(v is not None for v in r)]) == 59
    assert not any("旧" in str(v) or "第8列" in str(v) for row in written for v in row)
    assert len(google.writes()) == 1


def test_write_back_retry_after_a_lost_answer_does_not_add_the_tab_twice(google: FakeSheetsAPI) -> None:
    google.add(KEY, clean_register())
    google.fail("batchUpdate", LostAnswer())
    source = GoogleSheetSource(KEY, writable=True)
    result = validate(source.read(), today=date(2020, 7, 1))
    write_back(source, result.errors)
    assert [s.endpoint for s in google.requests] == ["metadata", "batchGet", "batchUpdate", "metadata", "batchUpdate"]
    assert [t.title for t in google.spreadsheets[KEY].tabs].count(RESULT_TAB) == 1
    assert "addSheet" not in json.dumps(google.writes()[-1].body)


def test_write_back_needs_editor_access(google: FakeSheetsAPI) -> None:
    google.add(KEY, clean_register(), shared={SA_EMAIL: "reader"})
    source = GoogleSheetSource(KEY, writable=True)
    result = validate(source.read(), today=date(2020, 7, 1))
    with pytest.raises(SourceError, match=f"{SA_EMAIL} 对表格 {KEY} 只有查看权限.*“编辑者”"):
        write_back(source, result.errors)
    assert RESULT_TAB not in [t.title for t in google.spreadsheets[KEY].tabs]


def test_validate_write_back_cli(google: FakeSheetsAPI, capsys: pytest.CaptureFixture[str]) -> None:
    tabs = clean_register()
    tabs["监测户"][2][headers("households").index("家庭人口数")] = 25
    google.add(KEY, tabs)
    assert main(["validate", "--source", URL, "--format", "json", "--write-back"]) == 1
    captured = capsys.readouterr()
    errors = json.loads(captured.out)["errors"]
    assert [(e["row"], e["code"]) for e in errors] == [(3, "range")]
    assert "写入 Google 表格的「校验结果」工作表（新建）" in captured.err
    assert [s.endpoint for s in google.requests] == ["metadata", "batchGet", "batchUpdate"]
    assert _tab(google, RESULT_TAB).rows[2][:4] == ["监测户", 3, "家庭人口数", "25"]


def test_write_back_is_off_by_default_and_only_for_google(google: FakeSheetsAPI, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    google.add(KEY, clean_register())
    assert main(["validate", "--source", URL]) == 0
    assert not google.writes()
    assert main(["validate", "--source", str(tmp_path), "--write-back"]) == 2
    assert "--write-back 只能用于 Google 表格" in capsys.readouterr().err


def test_a_read_only_run_cannot_write(google: FakeSheetsAPI) -> None:
    google.add(KEY, clean_register())
    source = GoogleSheetSource(KEY)
    with pytest.raises(ValueError, match="writable"):
        write_back(source, ())
    assert gsheet_api.READ_SCOPES == (READONLY,)


def test_check_write_back_adds_the_rule_findings(google: FakeSheetsAPI, capsys: pytest.CaptureFixture[str]) -> None:
    tabs = clean_register()
    hh = headers("households")
    tabs["监测户"][2][hh.index("家庭人口数")] = 25
    tabs["监测户"][3][hh.index("村级评议日期")] = None
    google.add(KEY, tabs)
    main(["check", "--source", URL, "--as-of", "2020-07-01", "--format", "json", "--write-back"])
    captured = capsys.readouterr()
    findings = json.loads(captured.out)["findings"]
    assert findings and "写入 Google 表格的「校验结果」工作表" in captured.err
    written = _tab(google, RESULT_TAB).rows
    assert written[2][:3] == ["监测户", 3, "家庭人口数"]  # the validation error first
    assert [r[6] for r in written[3:]] == [f["next_action"] for f in findings]
    assert [s.endpoint for s in google.requests] == ["metadata", "batchGet", "batchUpdate"]


def test_a_revoked_key_is_explained(google: FakeSheetsAPI) -> None:
    google.add(KEY, clean_register())
    google.token_error = {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    with pytest.raises(SourceError, match=f"Google 不接受服务账号 {SA_EMAIL} 的密钥.*重新创建并下载 JSON 密钥"):
        open_source(URL).read()
    assert google.requests == []  # nothing reached the Sheets API


def test_never_a_partial_register() -> None:
    from tracker.register.gsheet import register_from_batch, sheet_from_values

    with pytest.raises(SourceError, match="不完整"):
        register_from_batch("x", ["行政村", "监测户"], {"valueRanges": [{"range": "'行政村'!A1:Z1000"}]})
    sheet = sheet_from_values("t", {"range": "'t'!C3:F9", "values": [["a", "", "b", ""], [], ["", "", "", "c"]]})
    assert sheet.rows == ((3, (None, None, "a", None, "b")), (5, (None, None, None, None, None, "c")))


def test_credentials_can_be_passed_explicitly(google: FakeSheetsAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = Path(str(gsheet_api.os.environ["GOOGLE_APPLICATION_CREDENTIALS"]))
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS")
    google.add(KEY, clean_register())
    register = GoogleSheetSource(KEY, credentials=key_file).read()
    assert len(register.sheets) == 3 and [c["iss"] for c in google.token_claims] == [SA_EMAIL]
