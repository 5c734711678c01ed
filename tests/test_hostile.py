"""Hostile registers (issue 14): every bad input goes through ``tracker validate`` and ``tracker nightly`` in a
process of its own.  No traceback, no abort; the documented exit codes (validate: 0 clean, 1 errors, 2 the
register can't be used; nightly: 0 published, 2 not usable); and when the nightly run fails, the site published
the night before stays byte for byte."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import formats_craft as craft
from tests.builders import headers, household, measure, register, village
from tests.hostile import write_hostile
from tests.xlsx_craft import column_of, text_row, with_xml
from tracker.demo.generator import generate
from tracker.register.sheets import RawRegister, SheetData
from tracker.register.writers import write_register

PASSWORD = "zanuxi-ledesa-nasiji-pudeha-580"
AS_OF = "2026-11-15"


def _xlsx(reg: RawRegister, path: Path, names: dict[str, str] | None = None) -> None:
    """The register's tabs as a workbook (``names``: a tab written under another sheet name)."""
    sheets = []
    for name, sheet in reg.sheets.items():
        rows = list(sheet.rows)
        header = rows[0][1] if rows else ()
        sheets.append(SheetData((names or {}).get(name, name), tuple(str(h) for h in header),
                                [cells for _, cells in rows[1:]]))
    write_register(sheets, path)


def _good() -> RawRegister:
    return register(households=[household(n) for n in range(1, 6)], measures=[measure("H0001")])


def empty_tabs(root: Path) -> Path:
    write_register([SheetData(n, (), []) for n in ("行政村", "监测户", "帮扶措施")], root / "r.xlsx")
    return root / "r.xlsx"


def empty_csv_files(root: Path) -> Path:
    folder = root / "csv"
    folder.mkdir()
    for name in ("行政村", "监测户", "帮扶措施"):
        (folder / f"{name}.csv").write_bytes(b"")
    return folder


def header_only(root: Path) -> Path:
    _xlsx(register(households=[]), root / "r.xlsx")
    return root / "r.xlsx"


def header_at_row_12(root: Path) -> Path:
    _xlsx(register(households=[household(1)], title_rows=11), root / "r.xlsx")
    return root / "r.xlsx"


def header_missing(root: Path) -> Path:
    reg = _good()
    rows = list(reg.sheets["监测户"].rows)
    reg.sheets["监测户"] = type(reg.sheets["监测户"])("监测户", tuple(rows[1:]))
    _xlsx(reg, root / "r.xlsx")
    return root / "r.xlsx"


def unclosed_quote_csv(root: Path) -> Path:
    folder = root / "csv"
    folder.mkdir()
    for key, name in (("villages", "行政村"), ("households", "监测户"), ("measures", "帮扶措施")):
        lines = [",".join(headers(key))]
        rows = {"villages": [village()], "households": [household(n) for n in range(1, 60)],
                "measures": [measure("H0001")]}[key]
        for row in rows:
            lines.append(",".join("" if row.get(h) is None else str(row.get(h)) for h in headers(key)))
        if key == "households":
            lines[3] = lines[3].replace(",", ',"', 1)
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def two_sheets_for_one_tab(root: Path) -> Path:
    reg = _good()
    decoy = register(households=[household(99)]).sheets["监测户"]
    reg = RawRegister("t", {"行政村": reg.sheets["行政村"], "监测户 ": decoy, "监测户": reg.sheets["监测户"],
                            "帮扶措施": reg.sheets["帮扶措施"]})
    _xlsx(reg, root / "r.xlsx")
    return root / "r.xlsx"


def hostile_cells(root: Path) -> Path:
    write_hostile(root / "r.xlsx")
    return root / "r.xlsx"


def messy_values(root: Path) -> Path:
    """Control characters, NUL, a 100,000-character cell, formulas, absurd numbers, an RTL override."""
    weird = {"户主姓名": "王\x00\x07\x1b[31m五\u202e", "备注": "长" * 100_000, "联系电话": "=cmd|' /C calc'!A0",
             "家庭人口数": "1e308", "人均可支配收入（元）": "-0", "上年度家庭收入（元）": "NaN",
             "刚性支出（元）": "Infinity", "本年预计家庭收入（元）": "9" * 400,
             "乡镇审核人": "@SUM(1+1)*cmd|'/C calc'!A0"}
    _xlsx(register(households=[household(1, **weird), household(2)]), root / "r.xlsx")
    return root / "r.xlsx"


def not_a_workbook(root: Path) -> Path:
    (root / "r.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    return root / "r.xlsx"


def empty_file(root: Path) -> Path:
    (root / "r.xlsx").write_bytes(b"")
    return root / "r.xlsx"


def zip_without_workbook(root: Path) -> Path:
    with zipfile.ZipFile(root / "r.xlsx", "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return root / "r.xlsx"


def folder_without_csv(root: Path) -> Path:
    (root / "csv").mkdir()
    (root / "csv" / "notes.txt").write_text("x", encoding="utf-8")
    return root / "csv"


def _demo(root: Path) -> Path:
    write_register(generate(villages=3, households=20, seed=4, errors=False, mechanism="2020"), root / "base.xlsx")
    return root / "base.xlsx"


def value_at_xfd1048576(root: Path) -> Path:
    """18 KB: one value in the last cell Excel has (a reader trusting it asks for a 16,384 × 1,048,576 grid)."""
    return with_xml(_demo(root), root / "r.xlsx", "监测户", [text_row(1_048_576, "XFD", "x")])


def a_million_rows(root: Path) -> Path:
    """Every row of the sheet down to 1,048,576 holds a value (a 5 MB file)."""
    return with_xml(_demo(root), root / "r.xlsx", "监测户", (text_row(r, "B", "x") for r in range(30, 1_048_577)))


def cells_without_references(root: Path) -> Path:
    """300 cells written without ``r=`` on one row: their places are counted, not read."""
    return with_xml(_demo(root), root / "r.xlsx", "帮扶措施",
                    [b'<row r="90">' + b"<c><v>1</v></c>" * 300 + b"</row>"])


def absurd_dates(root: Path) -> Path:
    """9999-12-31 and 1899-12-31 as real date cells, 1899-02-30 as an ISO date cell (t="d")."""
    base = _demo(root)
    reported, decided = column_of(base, "监测户", "农户申报或发现日期"), column_of(base, "监测户", "县级确定日期")
    return with_xml(base, root / "r.xlsx", "监测户", cells={
        f"{reported}3": f'<c r="{reported}3" s="1"><v>2958465</v></c>'.encode(),  # 9999-12-31 as Excel stores it
        f"{reported}4": f'<c r="{reported}4" t="d"><v>1899-02-30</v></c>'.encode(),
        f"{decided}5": f'<c r="{decided}5" t="d"><v>1899-12-31T00:00:00</v></c>'.encode()})


# ------------------------------------------------------------ the same attacks in every format a county saves


def _saved_as(make: Callable[[Path], Path], form: str) -> Callable[[Path], Path]:
    """``make``'s workbook saved as .xls or .ods (issue 21)."""
    def made(root: Path) -> Path:
        convert = craft.to_xls if form == "xls" else craft.to_ods
        return convert(make(root), root / f"r.{form}")

    made.__name__ = f"{make.__name__}_{form}"
    return made


def ods_value_repeated_to_the_edge(root: Path) -> Path:
    """A value repeated over 16,384 columns of 1,048,000 rows: 17 billion cells for a reader that expands repeats."""
    base = craft.to_ods(_demo(root), root / "base.ods")
    with zipfile.ZipFile(base) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    content = parts["content.xml"].decode("utf-8")
    start = content.index('table:name="监测户"')
    end = content.index("</table:table>", start)
    far = ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell office:value-type="string" '
           'table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row>')
    parts["content.xml"] = (content[:end] + far + content[end:]).encode("utf-8")
    return _ods(root / "r.ods", parts)


def _ods(path: Path, parts: dict[str, bytes | str]) -> Path:
    """An OpenDocument package: the ``mimetype`` first and stored, as the format wants, then the other parts."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", parts.pop("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
                         compress_type=zipfile.ZIP_STORED)
        for name, data in parts.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def html_spans_to_the_edge(root: Path) -> Path:
    """A web "xls" whose cells claim 100 million rows and 100,000 columns (browsers clamp them; so must we)."""
    cells = "".join(f'<td rowspan="100000000" colspan="99999">{i}</td>' for i in range(3))
    rows = "".join(f"<tr>{cells}</tr>" for _ in range(2000))
    (root / "r.xls").write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    return root / "r.xls"


def xls_cell_at_65535_65535(root: Path) -> Path:
    """A BIFF NUMBER record whose row and column say 65,535: a 137 GB grid for a reader that trusts it."""
    import xlwt

    book = xlwt.Workbook()
    book.add_sheet("监测户").write(5, 5, 1234.56789)  # (not an RK number: a NUMBER record)
    book.save(root / "r.xls")
    data = (root / "r.xls").read_bytes()
    record = b"\x03\x02\x0e\x00\x05\x00\x05\x00"  # NUMBER, 14 bytes, row 5, column 5
    assert data.count(record) == 1
    (root / "r.xls").write_bytes(data.replace(record, b"\x03\x02\x0e\x00\xff\xff\xff\xff"))
    return root / "r.xls"


def ods_without_content(root: Path) -> Path:
    return _ods(root / "r.ods", {})


def ods_values_without_a_type(root: Path) -> Path:
    """office:value alone (no office:value-type) repeated over 200 columns of 400,000 rows: calamine expands them."""
    content = ('<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
               'office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body>'
               '<office:spreadsheet><table:table table:name="监测户"><table:table-row table:number-rows-repeated='
               '"400000"><table:table-cell office:value="1" table:number-columns-repeated="200"/></table:table-row>'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    return _ods(root / "r.ods", {"content.xml": content})


def spreadsheetml_2003(root: Path) -> Path:
    (root / "r.xls").write_text('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
                                '<Worksheet ss:Name="监测户"><Table><Row><Cell><Data>户编号</Data></Cell></Row></Table>'
                                "</Worksheet></Workbook>", encoding="utf-8")
    return root / "r.xls"


def password_to_open(root: Path) -> Path:
    return craft.encrypt_xlsx(_demo(root), root / "r.xlsx")


def truncated_xls(root: Path) -> Path:
    whole = craft.to_xls(_demo(root), root / "whole.xls").read_bytes()
    (root / "r.xls").write_bytes(whole[: len(whole) // 3])
    return root / "r.xls"


@dataclass(frozen=True)
class Case:
    make: Callable[[Path], Path]
    validate: int  # the documented exit code of tracker validate
    nightly: int  # and of tracker nightly
    says: str = ""  # what the message must name
    reports: tuple[str, ...] = ()  # what tracker validate must report, cell by cell

    @property
    def id(self) -> str:
        return self.make.__name__


CASES = [
    Case(empty_tabs, 2, 2, "没有数据行"),
    Case(empty_csv_files, 2, 2, "没有数据行"),
    Case(header_only, 2, 2, "「监测户」没有数据行"),
    Case(header_at_row_12, 2, 2, "找不到表头"),
    Case(header_missing, 2, 2, "找不到表头"),
    Case(unclosed_quote_csv, 2, 2, "双引号"),
    Case(two_sheets_for_one_tab, 2, 2, "都对应「监测户」"),
    Case(hostile_cells, 1, 0),
    Case(messy_values, 1, 0),
    Case(not_a_workbook, 2, 2),
    Case(empty_file, 2, 2),
    Case(zip_without_workbook, 2, 2),
    Case(folder_without_csv, 2, 2),
    Case(value_at_xfd1048576, 2, 2, "XFD1048576"),
    Case(a_million_rows, 2, 2, "第 1,048,576 行"),
    Case(cells_without_references, 2, 2, "第 300 列"),
    Case(_saved_as(hostile_cells, "xls"), 1, 0),
    Case(_saved_as(hostile_cells, "ods"), 1, 0),
    Case(_saved_as(header_at_row_12, "xls"), 2, 2, "找不到表头"),
    Case(_saved_as(header_missing, "ods"), 2, 2, "找不到表头"),
    Case(_saved_as(two_sheets_for_one_tab, "ods"), 2, 2, "都对应「监测户」"),
    Case(ods_value_repeated_to_the_edge, 2, 2, "第 1,048,0"),
    Case(html_spans_to_the_edge, 2, 2, "超过本程序能读取的上限"),
    Case(password_to_open, 2, 2, "设置了打开密码"),
    Case(xls_cell_at_65535_65535, 2, 2, "超过本程序能读取的上限"),
    Case(ods_without_content, 2, 2, "文件可能已损坏"),
    Case(ods_values_without_a_type, 2, 2, "第 400,000 行、第 200 列"),
    Case(spreadsheetml_2003, 2, 2, "SpreadsheetML"),
    Case(truncated_xls, 2, 2, "文件可能已损坏"),
    Case(absurd_dates, 1, 0, reports=(
        "第 3 行「农户申报或发现日期」，填的是「9999-12-31」\n      超出范围（range）",
        "第 4 行「农户申报或发现日期」，填的是「1899-02-30」\n      格式不对（type）",
        "第 5 行「县级确定日期」，填的是「1899-12-31」\n      超出范围（range）")),
]


def _tracker(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACKER_COUNTY_PASSWORD": PASSWORD}
    return subprocess.run([sys.executable, "-m", "tracker", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def _nightly(root: Path, source: Path) -> subprocess.CompletedProcess[str]:
    return _tracker("nightly", "--source", str(source), "--out", str(root / "public"), "--data", str(root / "data"),
                    "--as-of", AS_OF, "--quiet", "--accept-vanished", cwd=root)


def _tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A county whose nightly job published a good site (copied for every case)."""
    root = tmp_path_factory.mktemp("published")
    write_register(generate(villages=3, households=20, seed=4), root / "good.xlsx")
    done = _nightly(root, root / "good.xlsx")
    assert done.returncode == 0, done.stderr
    return root


def _clean(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr and "panicked" not in done.stderr, done.stderr[-2000:]
    assert "backtrace" not in done.stderr and "memory allocation" not in done.stderr, done.stderr[-2000:]
    assert done.returncode >= 0, f"killed by signal {-done.returncode}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hostile_register(case: Case, published: Path, tmp_path: Path) -> None:
    root = tmp_path / "county"
    shutil.copytree(published, root, symlinks=True)
    source = case.make(tmp_path)
    checked = _tracker("validate", "--source", str(source), cwd=root)
    _clean(checked)
    assert checked.returncode == case.validate, (checked.stdout[-2000:], checked.stderr[-2000:])
    if case.validate == 2:
        message = checked.stderr.strip()
        assert message.startswith("错误：") and len(message.splitlines()) <= 6, message
        assert case.says in message
    for report in case.reports:
        assert report in checked.stdout, checked.stdout[-3000:]
    before = _tree(root / "public")
    night = _nightly(root, source)
    _clean(night)
    assert night.returncode == case.nightly, night.stderr[-2000:]
    if night.returncode != 0:
        assert _tree(root / "public") == before
        assert case.says in night.stderr
    else:
        assert (root / "public" / "index.html").is_file() and _tree(root / "public") != before


def test_a_register_without_a_required_column_publishes_but_exits_1(published: Path, tmp_path: Path) -> None:
    """Issue 16: the site is published (every rule that can run did), but the run says which rules were not run
    and exits 1, so a cron job never reads "no problems" from a register missing 劳动能力."""
    root = tmp_path / "county"
    shutil.copytree(published, root, symlinks=True)
    sheets = generate(villages=3, households=20, seed=4)
    trimmed = []
    for s in sheets:
        if s.name == "监测户":
            at = list(s.header).index("劳动能力")
            s = SheetData(s.name, tuple(h for i, h in enumerate(s.header) if i != at),
                          [[c for i, c in enumerate(row) if i != at] for row in s.rows], s.title)
        trimmed.append(s)
    write_register(trimmed, root / "no-labour.xlsx")
    before = _tree(root / "public")
    night = _nightly(root, root / "no-labour.xlsx")
    _clean(night)
    assert night.returncode == 1, night.stderr
    assert "错误：以下规则因名册缺少列「劳动能力」（监测户工作表）未检查" in night.stderr
    assert _tree(root / "public") != before and "网站已生成" in night.stdout
