"""CSV read into encoded rows: the same rows, numbers, cells and errors as reading it record by record."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.builders import headers
from tracker.common.errors import SourceError
from tracker.register.contract import load_contract
from tracker.register.csv_read import UnclosedQuote, read_csv_file
from tracker.register.csv_read import parse_csv_text as csv_rows
from tracker.register.encoded import EncodedRows, encode_values
from tracker.register.layout import locate
from tracker.register.sheets import RawSheet
from tracker.register.sources import CsvDirSource, parse_csv_text


def _reference(text: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Rows as the reader always made them: csv.reader records, trailing empty cells trimmed, empty rows left out."""
    rows = []
    for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = tuple(record)
        while cells and cells[-1] == "":
            cells = cells[:-1]
        if cells:
            rows.append((number, cells))
    return tuple(rows)


def _field(rnd: random.Random, value: str) -> str:
    if any(c in value for c in ',"\n\r') or rnd.random() < 0.1:
        return '"' + value.replace('"', '""') + '"'
    return value


def _texts(count: int) -> list[str]:
    rnd = random.Random(7)
    cells = ["", " ", "a", "b", "  ", "\t", "x y", '"q"', "中文", "a,b", "line\nbreak", "\u3000", "1", "None", "é"]
    out = []
    for _ in range(count):
        lines = ["" if rnd.random() < 0.1 else ",".join(_field(rnd, rnd.choice(cells))
                                                        for _ in range(rnd.randrange(0, 7)))
                 for _ in range(rnd.randrange(0, 12))]
        out.append(rnd.choice(["\n", "\r\n", "\r"]).join(lines) + rnd.choice(["", "\n"]))
    return [*out, 'a,"b\n', 'x\n"unterminated', '"a"b,c\n', 'a,b"c"\n', ",,,\n,\n", "\n\n\n"]


def _read(text: str) -> object:
    try:
        return tuple(parse_csv_text("s", text).rows)
    except csv.Error as exc:
        return ("error", str(exc))


def _unclosed(text: str) -> bool:
    """A quoted cell runs to the end of the text (the csv module reads on silently unless strict)."""
    try:
        list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def test_encoded_rows_equal_record_by_record_reading() -> None:
    """Identical to csv.reader record by record, but a quote never closed is an error (issue 14)."""
    unclosed = 0
    for text in _texts(2000):
        if _unclosed(text):
            unclosed += 1
            with pytest.raises(UnclosedQuote, match="双引号"):
                parse_csv_text("s", text)
            continue
        try:
            expected: object = _reference(text)
        except csv.Error as exc:
            expected = ("error", str(exc))
        assert _read(text) == expected, repr(text)
    assert unclosed >= 2


def test_encoded_rows_behave_as_the_rows_tuple() -> None:
    text = "标题\n户编号,姓名,,\n\nH1, 王五 ,x\nH2\n , \nH1,李四,,,extra\n"
    rows = parse_csv_text("s", text).rows
    expected = _reference(text)
    assert isinstance(rows, EncodedRows)
    assert len(rows) == len(expected) and bool(rows)
    assert rows == expected and expected == rows and tuple(rows) == expected and list(rows) == list(expected)
    assert rows[0] == expected[0] and rows[-1] == expected[-1] and rows[1:3] == expected[1:3]
    assert hash(rows) == hash(expected)
    with pytest.raises(IndexError):
        rows[len(expected)]
    assert RawSheet("s", rows) == RawSheet("s", rows)  # type: ignore[arg-type]


def test_csv_files_in_every_encoding(tmp_path: Path) -> None:
    text = "户编号,户主姓名\nH1,王五\n\nH2,\"李,四\"\n"
    for encoding in ("utf-8", "utf-8-sig", "gb18030", "gbk"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert tuple(read_csv_file(path)) == _reference(text)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x81\x20\xff,\x00")
    with pytest.raises(SourceError, match="GB18030"):
        read_csv_file(bad)


def test_csv_error_reported_as_before(tmp_path: Path) -> None:
    (tmp_path / "行政村.csv").write_text('县,乡镇\n"' + "x" * 200_000, encoding="utf-8")  # beyond the field limit
    with pytest.raises(SourceError, match="不是有效的 CSV/文本表格（field larger than field limit"):
        CsvDirSource(tmp_path).read()


def test_located_table_is_the_same_from_encoded_and_plain_rows() -> None:
    tab = load_contract().tab("households")
    header = ",".join(headers("households"))
    text = f"名册\n\n{header}\nH1,清河县,城关镇,东村\n  ,,\nH2,清河县,城关镇,西村,x,y\n\nH1 ,清河县\n"
    encoded = locate(tab, parse_csv_text("监测户", text))
    plain = locate(tab, RawSheet("监测户", _reference(text)))
    assert (encoded.header_row, encoded.headers, encoded.missing) == (plain.header_row, plain.headers, plain.missing)
    pd.testing.assert_frame_equal(encoded.raw, plain.raw)
    assert list(encoded.raw.index) == [4, 6, 8]


def test_encoded_values_keep_types_apart() -> None:
    values = [1, 1.0, True, "1", None, -0.0, 0.0, 0, False, float("nan"), "a", "a", None]
    column = encode_values(values)
    cells = column.cells()
    assert [type(c) for c in cells] == [type(v) for v in values]
    assert [repr(c) for c in cells] == [repr(v) for v in values]
    assert len(column.uniques) == len({(type(v), repr(v)) for v in values})
    assert np.array_equal(column.codes[[10, 11]], [column.codes[10]] * 2)


def test_a_column_of_some_rows_holds_only_their_cells() -> None:
    """A column taken below the header knows only the cells of those rows (and None for a short row): a title
    or header cell above must not reach the parsers, where it could change how the column is read."""
    rows = csv_rows("标题,,1.5\n户编号,姓名,金额\nH1,王,-0\nH2,李\nH1,赵,7\n")
    column = rows.column(2, np.arange(2, 5))
    assert column.uniques.tolist() == ["-0", "7", None]
    assert column.cells().tolist() == ["-0", None, "7"]
    whole = rows.column(0, slice(2, 5))
    assert whole.uniques.tolist() == ["H1", "H2", None] and whole.cells().tolist() == ["H1", "H2", "H1"]


def test_cells_of_one_kind_and_mixed_cells_keep_every_distinct_cell() -> None:
    """Whole numbers, dates or booleans alone are told apart by pandas' hashing; a mix (1, 1.0, True are equal
    in Python) and floats (-0.0 == 0.0) by type and repr: either way every distinct cell is kept as it came."""
    from datetime import date, datetime

    from tracker.register.encoded import encode_values

    cases = [
        [3, None, 3, 7],
        [datetime(2020, 1, 1), None, datetime(2020, 1, 1), datetime(2021, 5, 5, 8)],
        [date(2020, 1, 1), date(2020, 1, 1), None],
        [True, False, None, True],
        [1, 1.0, True, None, 1],
        [0.0, -0.0, 0.0],
    ]
    for values in cases:
        column = encode_values(values)
        cells = column.cells().tolist()
        assert cells == values and [type(c) for c in cells] == [type(v) for v in values], values
        distinct = {(type(v), repr(v)) for v in values if v is not None}
        assert len(column.uniques) == len(distinct) + 1  # (+ the None sentinel)
