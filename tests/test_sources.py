"""Sources and the CLI's handling of unreadable registers (exit 2, one sentence, no traceback)."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.builders import headers, household, id_number, register, village
from tracker.cli.app import main
from tracker.common.errors import SourceError
from tracker.register.sheets import RawRegister
from tracker.register.sources import CsvDirSource, decode_csv_bytes, open_source
from tracker.validate.validator import validate


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tracker", *args], capture_output=True, text=True, check=False)


def test_corrupt_workbook_exits_2_with_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "名册.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a workbook")
    proc = _run("validate", "--source", str(bad))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert "不是可以读取的 Excel 工作簿" in proc.stderr


def test_missing_file_and_single_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--source", str(tmp_path / "nope.xlsx")]) == 2
    assert "找不到" in capsys.readouterr().err
    (tmp_path / "监测户.csv").write_text("户编号\n", encoding="utf-8")
    assert main(["validate", "--source", str(tmp_path / "监测户.csv")]) == 2
    assert "目录" in capsys.readouterr().err


def test_missing_required_tab_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "行政村"
    book.active.append(headers("villages"))
    book.create_sheet("监测户").append(headers("households"))
    book.save(path)
    assert main(["validate", "--source", str(path)]) == 2
    err = capsys.readouterr().err
    assert "帮扶措施" in err and "Traceback" not in err


def test_csv_encodings_detected() -> None:
    text = "户编号,户主姓名\nH1,王五\n"
    for encoding in ("utf-8", "utf-8-sig", "gb18030", "gbk"):
        assert decode_csv_bytes(text.encode(encoding)) == text


def test_csv_directory_keeps_row_numbers_with_blank_lines(tmp_path: Path) -> None:
    (tmp_path / "行政村.csv").write_text("名单\n" + ",".join(headers("villages")) + "\n清河县,城关镇,东村\n\n"
                                         "清河县,城关镇,西村\n", encoding="gb18030")
    raw = CsvDirSource(tmp_path).read()
    assert [n for n, _ in raw.sheets["行政村"].rows] == [1, 2, 3, 5]


def test_missing_column_reported_and_others_still_validated() -> None:
    reg = register(households=[household(1, **{"家庭人口数": 0})])
    hh = reg.sheets["监测户"]
    drop = headers("households").index("劳动能力")
    rows = tuple((n, cells[:drop] + cells[drop + 1:]) for n, cells in hh.rows)
    reg.sheets["监测户"] = type(hh)(hh.name, rows)
    result = validate(reg)
    found = {(e.sheet, e.row, e.column, e.code) for e in result.errors}
    assert found == {("监测户", None, "劳动能力", "missing_column"), ("监测户", 2, "家庭人口数", "range")}


def test_header_is_searched_only_in_the_first_ten_rows() -> None:
    """A header below row 10 is not found: the tab's rows can't be read, so the register is refused (issue 14:
    it used to read as a county without households)."""
    reg = register(households=[household(1)], title_rows=10)
    with pytest.raises(SourceError, match="「监测户」的前 10 行里找不到表头") as caught:
        validate(reg)
    assert "户编号" in str(caught.value)
    ok = validate(register(households=[household(1)], title_rows=9))
    assert not ok.errors


def test_tab_names_tolerate_spaces(tmp_path: Path) -> None:
    reg = register(villages=[village()], households=[household(1)])
    reg.sheets[" 监测户 "] = reg.sheets.pop("监测户")
    assert not validate(reg).errors


def test_a_broken_xls_says_it_is_damaged(tmp_path: Path) -> None:
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SourceError, match=r"文件可能已损坏.*另存为 \.xlsx"):
        open_source(str(old)).read()


def _write_csv_register(folder: Path, reg: RawRegister, title: dict[str, list[str]]) -> None:
    """The register as CSV files, with a title row above the header of the tabs named in ``title``."""
    for name, sheet in reg.sheets.items():
        lines = [title[name]] if name in title else []
        lines += [["" if c is None else str(c) for c in cells] for _, cells in sheet.rows]
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(lines)


def test_csv_cells_above_the_header_never_reach_the_column_checks(tmp_path: Path) -> None:
    """A note row above the header holding odd text where a date or ID column sits is not a data cell: it
    must neither stop the run nor change how that column's data cells are judged."""
    wrong_check = id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1")
    reg = register(households=[household(1), household(2, **{"户主身份证号": wrong_check})])
    date_at = headers("villages").index("最近排查日期")
    id_at = headers("households").index("户主身份证号")
    _write_csv_register(tmp_path, reg, {
        "行政村": ["说明"] + [""] * (date_at - 1) + ["٤٣٩٢٤"],
        "监测户": ["说明"] + [""] * (id_at - 1) + ["١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧X"]})
    from_csv = validate(CsvDirSource(tmp_path).read(), today=date(2020, 7, 1))
    assert [(e.sheet, e.row, e.code) for e in from_csv.errors] == [("监测户", 4, "id_number")]
