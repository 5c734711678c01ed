"""Every file a county saves (issue 21): the same register or list saved as .xls, .ods, HTML "xls", Unicode text or
xlsx bytes under a .xls name reads exactly as the .xlsx (or the CSV) does; what cannot be read says why."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests import formats_craft as craft
from tests.builders import household, measure, member, register, village
from tests.test_warnings import AS_OF as LISTS_AS_OF
from tests.test_warnings import POLICY, crafted, sheets_of, write_lists
from tracker.cli.app import main
from tracker.demo.generator import generate
from tracker.register import read_table_file
from tracker.register.sheets import RawRegister
from tracker.register.writers import write_register
from tracker.rules import evaluate, load_policy
from tracker.rules.warnings import with_warnings
from tracker.site.render import RenderContext, render_pages
from tracker.site.views import build_site_model
from tracker.validate.validator import validate

AS_OF = date(2026, 11, 15)
LABEL = "名册.xlsx"  # every copy is read under one label: the pages name their source


def _errors(result: object) -> list[tuple[object, ...]]:
    return [(e.sheet, e.row, e.column, e.code) for e in result.errors]  # type: ignore[attr-defined]


def _outcome(raw: RawRegister, as_of: date = AS_OF, policy: Path | None = None) -> tuple[object, object]:
    validated = validate(raw, today=as_of)
    return validated, evaluate(validated, load_policy(policy), as_of)


def _pages(raw: RawRegister) -> dict[str, str]:
    validated, outcome = _outcome(raw)
    return render_pages(build_site_model(validated, outcome), RenderContext(built_at="2026年11月15日 02:00"))


# --------------------------------------------------------------------------------- the demo register


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("demo")
    xlsx = folder / "demo.xlsx"
    write_register(generate(villages=8, households=60, seed=5, today=AS_OF), xlsx)  # with the demo's spoilt cells
    renamed = folder / "另存.xls"
    shutil.copy(xlsx, renamed)  # xlsx bytes under an old name
    return {"xlsx": xlsx, "xls": craft.to_xls(xlsx, folder / "demo.xls"),
            "ods": craft.to_ods(xlsx, folder / "demo.ods"), "renamed": renamed}


@pytest.mark.parametrize("form", ["xls", "ods", "renamed"])
def test_the_demo_register_reads_the_same_in_every_format(demo: dict[str, Path], form: str) -> None:
    reference = read_table_file(demo["xlsx"], LABEL)
    other = read_table_file(demo[form], LABEL)
    assert list(other.sheets) == list(reference.sheets)
    want, got = validate(reference, today=AS_OF), validate(other, today=AS_OF)
    assert want.errors and _errors(got) == _errors(want)
    assert _pages(other) == _pages(reference)


def test_validate_json_of_an_xls_is_the_xlsx_s(demo: dict[str, Path]) -> None:
    def run(path: Path) -> list[tuple[object, ...]]:
        proc = subprocess.run([sys.executable, "-m", "tracker", "validate", "--source", str(path), "--format", "json"],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc.stderr  # the demo has errors
        return [(e["sheet"], e["row"], e["column"], e["code"]) for e in json.loads(proc.stdout)["errors"]]

    assert run(demo["xls"]) == run(demo["xlsx"])


# ------------------------------------------------------------------------------------- merged cells


def _family_register() -> RawRegister:
    """Four households of two villages, three members each: rows that county sheets show merged."""
    villages = [village(), village(**{"行政村": "西村", "村代码": "410102001002"})]
    households = [household(n, **({"行政村": "西村"} if n > 2 else {})) for n in range(1, 5)]
    members = [member(f"H{n:04d}", 100 * n + k) for n in range(1, 5) for k in range(3)]
    return register(villages=villages, households=households, measures=[measure(f"H{n:04d}") for n in range(1, 5)],
                    members=members)


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("merged")
    plain = folder / "plain.xlsx"
    write_register(sheets_of(_family_register()), plain)
    xlsx = folder / "merged.xlsx"
    count = craft.merge_runs(plain, xlsx, {"家庭成员": ["户编号"], "监测户": ["乡镇（街道）", "行政村"]})
    return {"plain": plain, "xlsx": xlsx, "xls": craft.to_xls(xlsx, folder / "merged.xls"),
            "ods": craft.to_ods(xlsx, folder / "merged.ods"), "count": count}


@pytest.mark.parametrize("form", ["xlsx", "xls", "ods"])
def test_merged_household_fields_read_as_the_clerk_sees_them(merged: dict[str, object], form: str) -> None:
    plain = read_table_file(merged["plain"], LABEL)  # type: ignore[arg-type]
    raw = read_table_file(merged[form], LABEL)  # type: ignore[arg-type]
    assert raw.sheets["家庭成员"].merges  # the file records them
    want, got = validate(plain, today=date(2020, 7, 20)), validate(raw, today=date(2020, 7, 20))
    assert not [e for e in got.errors if e.code == "required"]
    assert _errors(got) == _errors(want)
    assert got.merged_cells == merged["count"] == 4 * 2 + 3 + 1 + 1  # 2 members a household; 城关镇, 东村, 西村
    assert want.merged_cells == 0
    policy = load_policy(None)
    a, b = evaluate(want, policy, date(2020, 7, 20)), evaluate(got, policy, date(2020, 7, 20))
    assert a.findings == b.findings
    ctx = RenderContext(built_at="2020年7月20日 02:00")
    assert render_pages(build_site_model(got, b), ctx) == render_pages(build_site_model(want, a), ctx)


def test_the_report_says_how_many_cells_merges_filled(merged: dict[str, object],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--source", str(merged["xls"])]) in (0, 1)
    assert f"合并单元格：填充 {merged['count']} 格" in capsys.readouterr().out
    main(["validate", "--source", str(merged["ods"]), "--format", "json"])
    assert json.loads(capsys.readouterr().out)["summary"]["merged_cells"] == merged["count"]


# ------------------------------------------------------------------------------------ warning lists


def _list_rows(folder: Path) -> list[list[object]]:
    """The health-insurance list of the warnings tests (a title row, header variants, number forms)."""
    write_lists(folder)
    return craft.sheet_rows(folder / "医保局大额医疗.xlsx", "Sheet1")


def _findings(register_path: Path, policy: Path, folder: Path) -> tuple[list[object], list[object]]:
    raw = read_table_file(register_path, LABEL)
    validated, outcome = _outcome(raw, LISTS_AS_OF, policy)
    outcome = with_warnings(validated, outcome, folder, LISTS_AS_OF)  # type: ignore[arg-type]
    lists = outcome.warnings.lists  # type: ignore[attr-defined]
    assert [f.status for f in lists.files] == ["read"], lists.files
    name = lists.files[0].file  # the file's name differs by format, and findings quote it: compare without it
    findings = [json.loads(json.dumps(f.as_dict(), ensure_ascii=False).replace(name, "名单"))
                for f in outcome.findings if f.rule.startswith("warning.")]  # type: ignore[attr-defined]
    errors = [(e.sheet.replace(name, "名单"), e.row, e.column, e.code, e.message.replace(name, "名单"))
              for e in lists.errors]
    return findings, errors


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("lists")
    write_register(sheets_of(crafted()), root / "register.xlsx")
    (root / "policy.yaml").write_text(POLICY, encoding="utf-8")
    rows = _list_rows(root / "source")
    out = {"register": root / "register.xlsx", "policy": root / "policy.yaml"}
    forms = {
        "csv": lambda p: _write_csv(rows, p),
        "biff": lambda p: craft.to_xls(root / "source" / "医保局大额医疗.xlsx", p),
        "html_utf8": lambda p: craft.to_html_table(rows, p),
        "html_gbk": lambda p: craft.to_html_table(rows, p, encoding="gbk"),
        "html_gbk_no_meta": lambda p: craft.to_html_table(rows, p, encoding="gbk", meta=False),
        "unicode_text": lambda p: craft.to_unicode_text(rows, p),
        "ods": lambda p: craft.to_ods(root / "source" / "医保局大额医疗.xlsx", p),
    }
    for name, write in forms.items():
        folder = root / name
        folder.mkdir()
        write(folder / ("医保局大额医疗.csv" if name == "csv" else
                        "医保局大额医疗.ods" if name == "ods" else "医保局大额医疗.xls"))
        out[name] = folder
    return out


def _write_csv(rows: list[list[object]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([craft.cell_text(v) for v in r] for r in rows)


@pytest.mark.parametrize("form", ["biff", "html_utf8", "html_gbk", "html_gbk_no_meta", "unicode_text", "ods"])
def test_a_warning_list_gives_the_csv_s_findings_in_every_format(lists: dict[str, Path], form: str) -> None:
    want = _findings(lists["register"], lists["policy"], lists["csv"])
    got = _findings(lists["register"], lists["policy"], lists[form])
    assert want[0] and want[1]  # matches, and rows with errors
    assert got == want


# ------------------------------------------------------------------------------------ what cannot be read


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("broken")
    xlsx = folder / "good.xlsx"
    write_register(sheets_of(_family_register()), xlsx)
    truncated = folder / "truncated.xlsx"
    truncated.write_bytes(xlsx.read_bytes()[: xlsx.stat().st_size // 2])
    empty = folder / "empty.xlsx"
    empty.write_bytes(b"")
    return {"good": xlsx, "password": craft.encrypt_xlsx(xlsx, folder / "locked.xlsx"), "empty": empty,
            "truncated": truncated}


@pytest.mark.parametrize(("form", "cause"), [
    ("password", "设置了打开密码：请在 Excel/WPS 中取消密码，或另存一份不加密的副本"),
    ("empty", "文件是空的（0 字节）"),
    ("truncated", "不是可以读取的 Excel 工作簿（文件结构残缺"),
])
def test_unreadable_registers_exit_2_with_their_cause(broken: dict[str, Path], form: str, cause: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "tracker", "validate", "--source", str(broken[form])],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert cause in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_a_folder_with_one_readable_and_one_unreadable_list(lists: dict[str, Path], broken: dict[str, Path],
                                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "lists"
    shutil.copytree(lists["csv"], folder)
    shutil.copy(broken["password"], folder / "民政局.xlsx")
    args = ["check", "--source", str(lists["register"]), "--policy", str(lists["policy"]), "--as-of",
            LISTS_AS_OF.isoformat(), "--warnings", str(folder)]
    assert main(args) == 1
    text = capsys.readouterr().out
    assert "民政局.xlsx 没有读取" in text and "设置了打开密码" in text
    assert main([*args, "--format", "json"]) == 1
    summary = json.loads(capsys.readouterr().out)["summary"]["warning_lists"]
    by_file = {f["file"]: f for f in summary["files"]}
    assert by_file["医保局大额医疗.csv"]["status"] == "read" and by_file["医保局大额医疗.csv"]["rows"] == 7
    assert by_file["民政局.xlsx"]["status"] == "unreadable" and "设置了打开密码" in by_file["民政局.xlsx"]["reason"]
    assert summary["matched"]["warning.monitored"] > 0  # the readable list was still matched
    raw = read_table_file(lists["register"], LABEL)
    validated, outcome = _outcome(raw, LISTS_AS_OF, lists["policy"])
    outcome = with_warnings(validated, outcome, folder, LISTS_AS_OF)  # type: ignore[arg-type]
    pages = render_pages(build_site_model(validated, outcome), RenderContext(built_at="x"))
    home = next(p.body for p in pages if p.path == "index.md")
    assert "有预警名单读不出来" in home and "民政局.xlsx" in home and "设置了打开密码" in home


def test_every_file_of_a_csv_register_folder_is_accounted_for(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    write_register(sheets_of(_family_register()), tmp_path / "reg")
    (tmp_path / "reg" / "说明.pdf").write_bytes(b"%PDF-1.4 a note")
    assert main(["validate", "--source", str(tmp_path / "reg"), "--format", "json"]) == 0
    files = {f["file"]: f for f in json.loads(capsys.readouterr().out)["summary"]["files"]}
    assert files["监测户.csv"] == {"file": "监测户.csv", "status": "read", "rows": 5, "reason": ""}
    assert files["说明.pdf"]["status"] == "skipped" and "PDF" in files["说明.pdf"]["reason"]
    assert main(["validate", "--source", str(tmp_path / "reg")]) == 0
    assert "说明.pdf 没有读取" in capsys.readouterr().out


def test_xls_dates_in_both_date_systems_and_numeric_ids(tmp_path: Path) -> None:
    import datetime as dt

    import xlwt

    for system in (False, True):  # 1900 (Windows) and 1904 (old Mac) date systems
        book = xlwt.Workbook()
        book.dates_1904 = system
        sheet = book.add_sheet("表")
        sheet.write(0, 0, dt.date(2021, 4, 5), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
        sheet.write(0, 1, 410102198001010171)  # an ID typed as a number: a float, flagged by validation as in xlsx
        sheet.write(0, 2, "   ")
        path = book.save(tmp_path / f"d{int(system)}.xls") or tmp_path / f"d{int(system)}.xls"
        rows = read_table_file(path).sheets["表"].rows
        assert rows == ((1, (dt.datetime(2021, 4, 5), 4.101021980010102e17, "   ")),)


def test_sheets_measured_apart_in_a_capped_child(tmp_path: Path, broken: dict[str, Path]) -> None:
    """The .xlsb path (no writer library exists to make one here): calamine measures in a child process."""
    from tracker.common import SourceError
    from tracker.register import calamine_read

    calamine_read._measure_apart(broken["good"], "good.xlsx", "xlsx")  # within the limits: nothing raised
    (tmp_path / "bad.xlsb").write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(SourceError, match="超过本程序能读取的上限，或者文件已损坏"):
        calamine_read._measure_apart(tmp_path / "bad.xlsb", "bad.xlsb", "xlsb")


def test_html_in_utf16_and_rowspans_that_end_with_their_table(tmp_path: Path) -> None:
    page = ("<html><body><table><tr><td rowspan=3>甲</td><td>1</td></tr><tr><td>2</td></tr></table>"
            "<table><tr><td>户编号</td><td>姓名</td></tr></table></body></html>")
    (tmp_path / "网页.xls").write_bytes(b"\xff\xfe" + page.encode("utf-16-le"))
    rows = read_table_file(tmp_path / "网页.xls").sheets["网页"].rows
    assert rows == ((1, ("甲", "1")), (2, (None, "2")), (3, ("户编号", "姓名")))  # the rowspan stops with its table
    (tmp_path / "空.xls").write_text("<html><body><p>没有数据</p></body></html>", encoding="utf-8")
    from tracker.common import SourceError

    with pytest.raises(SourceError, match="没有表格的行"):
        read_table_file(tmp_path / "空.xls")
