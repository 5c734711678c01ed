"""The calamine reader gives exactly what the openpyxl reader gave: every cell's type and value, every row number.

``read_xlsx_openpyxl`` is the original openpyxl reader, kept as the fallback and used here as the reference.
Each workbook is read with ``fallback=False`` so a silent fall back to openpyxl cannot make a test pass.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from openpyxl.styles import numbers

from tests.test_messy_register import _write_messy_xlsx
from tracker.common.errors import SourceError
from tracker.demo.generator import generate
from tracker.register import xlsx_formats, xlsx_read
from tracker.register.sheets import RawRegister, SheetData
from tracker.register.sources import open_source
from tracker.register.writers import write_xlsx
from tracker.register.xlsx_openpyxl import read_xlsx_openpyxl
from tracker.register.xlsx_read import read_xlsx

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _typed(register: RawRegister) -> dict[str, list[tuple[int, tuple[tuple[str, object], ...]]]]:
    return {
        name: [(number, tuple((type(c).__name__, c) for c in cells)) for number, cells in sheet.rows]
        for name, sheet in register.sheets.items()
    }


def assert_same(path: Path) -> RawRegister:
    """The fast reader (no fallback) and the openpyxl reader agree on tabs, row numbers, cell types and values."""
    fast = read_xlsx(path, str(path), fallback=False)
    reference = read_xlsx_openpyxl(path, str(path))
    assert list(fast.sheets) == list(reference.sheets)
    expected = _typed(reference)
    for name, rows in _typed(fast).items():
        assert [n for n, _ in rows] == [n for n, _ in expected[name]], name
        for got, want in zip(rows, expected[name], strict=True):
            assert got == want, (name, got, want)
    return fast


def _package(path: Path, sheets: dict[str, str], shared: str | None = None, styles: str | None = None,
             date1904: bool = False, sheet_tag: str = "worksheet") -> Path:
    """A minimal .xlsx from raw XML: {tab name: <sheetData> contents or a whole worksheet document}."""
    rels = [f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)]
    if shared is not None:
        rels.append(f'<Relationship Id="rS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    if styles is not None:
        rels.append(f'<Relationship Id="rT" Type="{REL}/styles" Target="/xl/styles.xml"/>')
    tabs = "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, 1))
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                      'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in range(1, len(sheets) + 1))
            + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
               'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared is not None else "")
            + ('<Override PartName="/xl/styles.xml" ContentType="application/'
               'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' if styles is not None else "")
            + "</Types>"))
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   f'relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}<sheets>{tabs}</sheets>'
                   "</workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships">{"".join(rels)}</Relationships>')
        for i, body in enumerate(sheets.values(), 1):
            if not body.startswith("<?xml"):
                body = f'<{sheet_tag} xmlns="{MAIN}" xmlns:r="{REL}"><sheetData>{body}</sheetData></{sheet_tag}>'
            z.writestr(f"xl/worksheets/sheet{i}.xml", body)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{shared}</sst>')
        if styles is not None:
            z.writestr("xl/styles.xml", styles)
    return path


def _styles(formats: list[str], extra_xfs: str = "") -> str:
    """cellXfs: 0 General, 1 built-in 14 (date), 2 built-in 46 ([h]:mm:ss), then one per custom format."""
    num_fmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{escape(f, {chr(34): "&quot;"})}"/>'
                       for i, f in enumerate(formats))
    xfs = '<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="46"/>' + "".join(
        f'<xf numFmtId="{164 + i}"/>' for i in range(len(formats))) + extra_xfs
    dxfs = '<dxfs count="1"><dxf><numFmt numFmtId="166" formatCode="yyyy-mm-dd"/></dxf></dxfs>'  # not a cell's
    return f'<styleSheet xmlns="{MAIN}"><numFmts>{num_fmts}</numFmts><cellXfs>{xfs}</cellXfs>{dxfs}</styleSheet>'


# --------------------------------------------------------------------------------------- registers


def test_messy_register_fixture(tmp_path: Path) -> None:
    path = tmp_path / "messy.xlsx"
    _write_messy_xlsx(path)
    fast = assert_same(path)
    assert fast.sheets["监测户"].rows[0][0] == 1 and 12 not in [n for n, _ in fast.sheets["监测户"].rows]


def test_demo_register_written_by_writers(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    write_xlsx(generate(villages=12, households=150, today=date(2020, 7, 1)), path)
    fast = assert_same(path)
    assert len(fast.sheets["监测户"].rows) == 152  # title, header, 150 households


def test_writers_cell_forms(tmp_path: Path) -> None:
    """writers.py stores floats with repr (``6000.0`` reads back as a float), '' as an empty inline string."""
    rows = [["H1", 6000.0, 6000, 0.1, -0.0, 1e17, 410102198001010171, True, False, "", " 边缘户 ", "   ",
             datetime(2020, 4, 3), datetime(2020, 4, 3, 10, 30), date(2020, 4, 3), None, float("inf"), "x_x000D_y"]]
    header = ("户编号", *(f"列{i}" for i in range(1, 18)))
    path = tmp_path / "forms.xlsx"
    write_xlsx([SheetData("表", header, rows, title="标题")], path)
    cells = assert_same(path).sheets["表"].rows[2][1]
    assert cells[1:4] == (6000.0, 6000, 0.1) and type(cells[1]) is float and type(cells[2]) is int
    assert cells[9] == "" and cells[11] == "   " and cells[17] == "x_x000D_y"


def test_openpyxl_written_every_cell_type(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "监测户"
    ws["C5"] = "标题行"  # leading empty rows and columns
    ws.append([])
    ws["C7"], ws["D7"], ws["E7"] = "户编号", "金额", "日期"
    values = ["文本", 6000, 6000.0, 6000.5, -3, 0, 410102198001010171, "410102198001010171", "41010219800101017X",
              "6,000", "2020/4/3", "2020年4月3日", True, False, datetime(2020, 4, 3), datetime(2020, 4, 3, 10, 30, 15),
              date(2020, 4, 3), time(10, 30), time(0, 0), timedelta(hours=36, minutes=5), "#N/A", "#DIV/0!",
              " 前后空格 ", "   ", "a\nb", "_x000D_", "=A1+1", None, "", 1e-7, 12345678901234567890]
    for i, value in enumerate(values):
        ws.cell(row=8 + i, column=3 + i % 4, value=value)
    ws.cell(row=60, column=4, value="中间有空行之后")
    ws.merge_cells("C61:E62")
    ws["C61"] = "合并单元格"
    ws.cell(row=1048576, column=26).number_format = "0.00"  # a huge formatted, empty range
    second = book.create_sheet("空表")
    second["A1"].number_format = "@"
    third = book.create_sheet("日期格式")
    for i, fmt in enumerate(['yyyy"年"m"月"d"日"', "yyyy/m/d;@", "[$-804]aaaa", "#,##0*y", "0.00_d", "[h]:mm",
                             "mm:ss.0", "@", "General", 'm"月"d"日"', "yyyy-mm-dd hh:mm:ss"]):
        for j, value in enumerate([43924, 43924.25, 0.75, 1.5, 59, 61]):
            cell = third.cell(row=i + 1, column=j + 1, value=value)
            cell.number_format = fmt
    path = tmp_path / "types.xlsx"
    book.save(path)
    fast = assert_same(path)
    assert fast.sheets["监测户"].rows[0] == (5, (None, None, "标题行"))
    assert fast.sheets["空表"].rows == ()
    kinds = {type(c) for _, cells in fast.sheets["监测户"].rows for c in cells}
    assert {str, int, float, bool, datetime, time, timedelta, type(None)} <= kinds


def test_openpyxl_written_1904_dates(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    book.active.append([datetime(2020, 4, 3), date(2021, 1, 1), datetime(2020, 4, 3, 12, 0), 5])
    path = tmp_path / "mac.xlsx"
    book.save(path)
    assert assert_same(path).sheets["Sheet"].rows[0][1][0] == datetime(2020, 4, 3)


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
def test_saved_with_formulas_shared_strings_and_errors(tmp_path: Path) -> None:
    """As Excel saves it: shared strings (rich text, phonetic runs, escapes), cached formula values, errors."""
    shared = (
        '<si><t>户编号</t></si><si><t xml:space="preserve"> 前后空格 </t></si><si><t> 不保留空格 </t></si>'
        "<si><r><rPr><b/><color rgb=\"FFFF0000\"/></rPr><t>富</t></r><r><t>文本</t></r></si>"
        '<si><t>王五</t><rPh sb="0" eb="2"><t>ワンウー</t></rPh><phoneticPr fontId="1"/></si>'
        "<si><t>a_x000D_b</t></si><si><t/></si><si><t>x_x005F_x000D_y</t></si><si></si>"
        "<si><t>6000</t></si><si><t>410102198001010171</t></si><si><t>2020-04-03</t></si>"
    )
    sheet = (
        '<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2" t="s"><v>1</v></c><c r="D2" t="s"><v>2</v></c>'
        '<c r="E2" t="s"><v>3</v></c><c r="F2" t="s"><v>4</v></c><c r="G2" t="s"><v>5</v></c>'
        '<c r="H2" t="s"><v>6</v></c><c r="I2" t="s"><v>7</v></c><c r="J2" t="s"><v>8</v></c></row>'
        '<row r="3"><c r="B3" t="s"><v>9</v></c><c r="C3" t="s"><v>10</v></c><c r="D3" t="s"><v>11</v></c>'
        '<c r="E3"><f>D3*2</f><v>12</v></c><c r="F3" t="str"><f>B3&amp;"元"</f><v>6000元</v></c>'
        '<c r="G3" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="H3" t="e"><f>VLOOKUP(B3,A:A,2,0)</f><v>#N/A</v></c>'
        '<c r="I3" t="b"><f>TRUE()</f><v>1</v></c><c r="J3"><f>NOW()</f></c>'
        '<c r="K3" t="str"><f>""</f><v></v></c></row>'
        '<row r="5"><c r="B5"><f t="shared" ref="B5:B7" si="0">A5+1</f><v>1</v></c>'
        '<c r="C5" s="1"><v>43924</v></c><c r="D5" s="1"><v>43924.5</v></c><c r="E5" s="1"><v>0.25</v></c>'
        '<c r="F5" s="2"><v>1.5</v></c><c r="G5" s="0"><v>7</v></c><c r="H5" s="3"><v>43924</v></c>'
        '<c r="I5" s="4"><v>43924</v></c><c r="J5" s="5"><v>43924</v></c><c r="K5" s="6"><v>2</v></c>'
        '<c r="L5" s="5"><v>6000.0</v></c></row>'
        '<row r="6"><c r="B6"><f t="shared" si="0"/><v>2</v></c><c r="C6"><v>6000.0</v></c>'
        '<c r="D6"><v>1E+3</v></c><c r="E6"><v>-0</v></c><c r="F6"><v>12345678901234567</v></c>'
        '<c r="G6"><v>4.1010219800101018E+17</v></c><c r="H6"><v>9007199254740993</v></c>'
        '<c r="I6" t="d"><v>2020-04-03T10:30:00</v></c><c r="J6" t="d"><v>2020-04-03</v></c>'
        '<c r="K6" t="inlineStr"><is><t>行内</t></is></c><c r="L6" t="inlineStr"><is><t/></is></c>'
        '<c r="M6" t="inlineStr"/><c r="N6" s="7"/><c r="O6" t="e"/><c r="P6"><v>0.30000000000000004</v></c>'
        '<c r="Q6" t="inlineStr"><is><r><rPr><color rgb="FFFF0000"/></rPr><t> 红 </t></r><r><t>字</t></r></is></c>'
        '<c r="R6" t="inlineStr"><is><t xml:space="preserve"> 保留 </t></is></c></row>'
        '<row r="7"><c r="B7"><f t="shared" si="0"/><v>3</v></c><c r="C7" t="n"><v>5</v></c></row>'
    )
    styles = _styles(['yyyy"年"m"月"d"日";@', "#,##0*d", "0.00_y"], extra_xfs='<xf numFmtId="49"/>')
    path = _package(tmp_path / "excel.xlsx", {"监测户": sheet, "帮扶措施": "", "行政村": ""}, shared, styles)
    fast = assert_same(path)
    rows = dict(fast.sheets["监测户"].rows)
    assert rows[3][6:8] == ("#DIV/0!", "#N/A") and rows[2][3] == " 不保留空格 "
    assert rows[6][2] == 6000.0 and type(rows[6][2]) is float
    assert rows[6][16:18] == (" 红 字", " 保留 ")


def test_the_product_reads_with_calamine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "demo.xlsx"
    write_xlsx(generate(villages=3, households=20, today=date(2020, 7, 1)), path)

    def refuse(*_: object) -> None:
        raise AssertionError("fell back to openpyxl")

    monkeypatch.setattr(xlsx_read, "read_xlsx_openpyxl", refuse)
    assert len(open_source(str(path)).read().sheets["监测户"].rows) == 22


def test_a_cell_without_a_reference_that_needs_fixing_falls_back(tmp_path: Path) -> None:
    sheet = '<row r="1"><c r="A1"><v>1</v></c><c t="e"><v>#N/A</v></c></row><row r="2"><c><v>2.0</v></c></row>'
    path = _package(tmp_path / "no-ref.xlsx", {"表": sheet})
    with pytest.raises(xlsx_read._NeedsOpenpyxl):
        read_xlsx(path, "p", fallback=False)
    assert _typed(read_xlsx(path, "p")) == _typed(read_xlsx_openpyxl(path, "p"))
    assert read_xlsx(path, "p").sheets["表"].rows == ((1, (1, "#N/A")), (2, (2.0,)))


def test_the_declared_dimension_decides_nothing(tmp_path: Path) -> None:
    """Both readers show every value, whatever <dimension> the sheet declares: its real extent (issue 14)."""
    cells = '<row r="1"><c r="A1"><v>1</v></c><c r="D1"><v>2</v></c></row><row r="9"><c r="B9"><v>3</v></c></row>'
    for ref in ("A1:B3", "A1", "B2:Z1048576", "A1:XFD1048576", None):
        dimension = f'<dimension ref="{ref}"/>' if ref else ""
        body = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">{dimension}<sheetData>{cells}</sheetData></worksheet>'
        path = _package(tmp_path / f"dim{len(ref or '')}.xlsx", {"表": body})
        assert_same(path)
        assert read_xlsx(path, "p", fallback=False).sheets["表"].rows == ((1, (1, None, None, 2)), (9, (None, 3)))


def test_number_format_classification_matches_both_libraries(tmp_path: Path) -> None:
    """The ports of openpyxl's and calamine's date-format tests agree with the libraries themselves."""
    for fmt_id, fmt in numbers.BUILTIN_FORMATS.items():
        want = 2 if numbers.is_date_format(fmt) and numbers.is_timedelta_format(fmt) else int(
            numbers.is_date_format(fmt))
        assert xlsx_formats.openpyxl_kind(xlsx_formats.OPENPYXL_BUILTIN_DATES.get(fmt_id)) == want, fmt
    formats = ["yyyy-mm-dd", 'yyyy"年"m"月"d"日"', "[h]:mm:ss", "[hh]:mm", "h:mm AM/PM", "a/p", "#,##0*y", "0.00_d",
               "[$-804]aaaa", '"Y "0.00', "[Red]0.00", "[>=100][Magenta][s].00", "mm:ss", "\\d0", "0;yyyy", "General"]
    from python_calamine import CalamineWorkbook

    book = openpyxl.Workbook()
    for i, fmt in enumerate(formats, 1):
        book.active.cell(row=i, column=1, value=43924.5).number_format = fmt
    path = tmp_path / "formats.xlsx"
    book.save(path)
    with CalamineWorkbook.from_path(str(path)) as workbook:
        got = [row[0] for row in workbook.get_sheet_by_name("Sheet").to_python()]
    for fmt, value in zip(formats, got, strict=True):
        kind = 2 if isinstance(value, timedelta) else 1 if isinstance(value, date | time) else 0
        assert xlsx_formats.calamine_kind(fmt) == kind, fmt
        openpyxl_kind = 2 if numbers.is_date_format(fmt) and numbers.is_timedelta_format(fmt) else int(
            numbers.is_date_format(fmt))
        assert xlsx_formats.openpyxl_kind(fmt) == openpyxl_kind, fmt


# ------------------------------------------------------------------------------ fallback and errors


def test_prefixed_workbook_falls_back_to_openpyxl(tmp_path: Path) -> None:
    body = (f'<?xml version="1.0"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1">'
            '<x:c r="A1" t="e"><x:v>#N/A</x:v></x:c><x:c r="B1"><x:v>5</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    path = _package(tmp_path / "prefixed.xlsx", {"表": body})
    with pytest.raises(xlsx_read._NeedsOpenpyxl):
        read_xlsx(path, "p", fallback=False)
    assert _typed(read_xlsx(path, "p")) == _typed(read_xlsx_openpyxl(path, "p"))


@pytest.mark.parametrize(("content", "cause"), [
    (b"PK\x03\x04 this is not really a workbook", "不是可以读取的 Excel 工作簿（文件结构残缺"),  # a zip cut short
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "不是可以读取的 Excel 工作簿（文件结构残缺"),  # OLE2 cut short
    (b"%PDF-1.7 not a table", "不是表格文件，而是PDF 文档"),
    (b"", "文件是空的（0 字节）"),
])
def test_unreadable_files_give_one_line_naming_the_cause(tmp_path: Path, content: bytes, cause: str) -> None:
    path = tmp_path / "名册.xlsx"
    path.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        open_source(str(path)).read()
    assert cause in str(caught.value) and "\n" not in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="找不到名册文件"):
        read_xlsx(tmp_path / "nope.xlsx", "x")
