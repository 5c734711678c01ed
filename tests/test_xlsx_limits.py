"""How large a workbook is read (tracker.register.xlsx_limits): the sheet's real extent, measured before any reader
allocates, and a one-sentence refusal beyond the documented limits, on the fast reader's path and openpyxl's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.xlsx_craft import text_row, with_xml
from tracker.common import SourceError
from tracker.demo import generate
from tracker.register import write_register, xlsx_limits, xlsx_read
from tracker.register.xlsx_limits import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, check_extent

HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = b"</sheetData></worksheet>"


def _sheet(*rows: bytes) -> bytes:
    return HEAD + b"".join(rows) + TAIL


def _refused(xml: bytes) -> str:
    with pytest.raises(SourceError) as caught:
        check_extent("监测户", xml)
    return str(caught.value)


def test_the_limits_hold_at_their_edges() -> None:
    check_extent("监测户", _sheet(text_row(MAX_ROWS, "A", "x")))
    assert "第 400,001 行" in _refused(_sheet(text_row(MAX_ROWS + 1, "A", "x")))
    check_extent("监测户", _sheet(text_row(5, "GR", "x")))  # column 200
    assert "第 201 列" in _refused(_sheet(text_row(5, "GS", "x")))
    check_extent("监测户", _sheet(text_row(MAX_CELLS // 200, "GR", "x")))  # rows × columns at the limit
    message = _refused(_sheet(text_row(5, "GR", "x"), text_row(MAX_CELLS // 200 + 1, "A", "x")))
    assert "第 105,001 行、第 200 列" in message and "请删除" in message and "按乡镇拆成几份" in message


def test_a_sheet_filled_to_the_last_row_names_its_last_value_cell() -> None:
    rows = [text_row(n, "A", "x") for n in (3, MAX_ROWS + 1, MAX_ROWS + 2)]
    last = _sheet(*rows, text_row(1_048_576, "C", "x"), b'<row r="1048577"><c r="A1048577" s="1"/></row>')
    assert "内容一直到第 1,048,576 行（例如单元格 C1048576）" in _refused(last)
    # rows out of order: the larger of the first far value and the last value in the file
    assert "第 900,000 行（例如单元格 B900000）" in _refused(_sheet(text_row(900_000, "B", "x"),
                                                                 text_row(500_000, "A", "x")))


def test_the_common_case_is_one_search_and_empty_styled_cells_do_not_count() -> None:
    check_extent("监测户", _sheet(b'<row r="1048576"><c r="XFD1048576" s="3"/></row>', text_row(7, "AZ", "x")))


def test_cells_written_without_references_are_counted_by_place() -> None:
    assert "第 201 列" in _refused(_sheet(b'<row r="3">' + b"<c><v>1</v></c>" * 201 + b"</row>"))
    check_extent("监测户", _sheet(b'<row r="3">' + b"<c><v>1</v></c>" * 200 + b"</row>"))
    # a reference written after other attributes is still read, and then the next cells follow it
    assert "KN1" in _refused(_sheet(b'<row><c s="1" r="KM1"><v>1</v></c><c><v>2</v></c></row>'))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("limits") / "base.xlsx"
    write_register(generate(villages=2, households=8, seed=3, errors=False), path)
    return path


def test_a_value_in_the_last_cell_is_refused_by_both_readers(base: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = with_xml(base, tmp_path / "far.xlsx", "监测户", [text_row(1_048_576, "XFD", "x")])
    with pytest.raises(SourceError, match="XFD1048576"):
        xlsx_read.read_xlsx(path, "far")

    def give_up(*_: object) -> None:
        raise xlsx_read._NeedsOpenpyxl("as if this workbook needed openpyxl")

    monkeypatch.setattr(xlsx_read, "_read_fast", give_up)
    with pytest.raises(SourceError, match=r"工作表「监测户」.*XFD1048576"):
        xlsx_read.read_xlsx(path, "far")


def test_a_far_styled_cell_and_a_huge_declared_dimension_read_as_the_values(base: Path, tmp_path: Path) -> None:
    path = with_xml(base, tmp_path / "styled.xlsx", "监测户", [b'<row r="1048576"><c r="XFD1048576" s="1"/></row>'],
                    dimension="A1:XFD1048576")
    assert xlsx_read.read_xlsx(path, "s", fallback=False).sheets == xlsx_read.read_xlsx(base, "s").sheets


def test_a_part_that_unpacks_beyond_the_limit_is_refused(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_limits, "MAX_PART_BYTES", 2048)
    with pytest.raises(SourceError, match=r"解压后有 .* GB，超过本程序能读取的上限"):
        xlsx_read.read_xlsx(base, "zip")


def test_limits_are_documented() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"{MAX_ROWS:,} 行" in readme and f"{MAX_COLUMNS} 列" in readme
