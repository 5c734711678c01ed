"""Parsing once per distinct cell, and the fast paths for text, give exactly what parsing every cell gives."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pandas as pd
import pytest

from tests.messy_cells import messy_cells, messy_texts
from tracker.register.contract import Column
from tracker.register.encoded import encode_values
from tracker.validate import cells
from tracker.validate.distinct import DistinctColumn, parse
from tracker.validate.plaintext import iso_dates
from tracker.validate.schema import _id_numbers_valid_text, id_check_digit, id_numbers_valid
from tracker.validate.textmatrix import BRACKET, LETTER_E, NON_DIGIT, PLUS, TextMatrix

COLUMNS = [Column("c", "列", kind) for kind in ("text", "integer", "number", "date", "enum", "bool", "multi",
                                                  "id_number", "phone")] + [Column("c", "列", "code", digits=12)]


def _per_cell(col: Column, values: list[object]) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """The reference: every cell parsed, shown and typed, as validation always did."""
    raw = pd.Series(values, dtype=object)
    result = parse(col, raw)
    numeric = cells.display_kinds(raw)[1]
    text = cells.display_column(raw)
    if col.type == "date":
        serial = numeric & result.values.notna()
        text = text.mask(serial, result.values.dt.strftime("%Y-%m-%d"))
    return result.values, result.bad, numeric, text


def _check_distinct(col: Column, values: list[object]) -> None:
    expected, bad, numeric, text = _per_cell(col, values)
    column = DistinctColumn.of(col, encode_values(values))
    got = pd.Series(column.expand())
    pd.testing.assert_series_equal(got, expected.reset_index(drop=True), check_exact=True)
    assert (column.rows(column.bad) == bad.to_numpy()).all()
    assert (column.rows(column.numeric) == numeric.to_numpy()).all()
    assert list(column.text[column.codes]) == list(text)
    assert (column.rows(column.missing) == expected.isna().to_numpy()).all()


@pytest.mark.parametrize("col", COLUMNS, ids=lambda c: c.type)
def test_distinct_parse_equals_per_cell_on_workbook_cells(col: Column) -> None:
    values = messy_cells(1200, seed=1)
    rnd = random.Random(2)
    values = values + [rnd.choice(values) for _ in range(2000)]  # repeats, in any order
    _check_distinct(col, values)


@pytest.mark.parametrize("short", [True, False], ids=["matrix", "wide"])
@pytest.mark.parametrize("col", COLUMNS, ids=lambda c: c.type)
def test_distinct_parse_equals_per_cell_on_csv_text(col: Column, short: bool) -> None:
    """Text only (and empty cells): the fast paths, with the text matrix (more than 2,000 distinct texts, none
    longer than 48 characters) or without (a longer text among them)."""
    texts: list[object] = [t for t in messy_texts(3000, seed=3, exotic=True) if len(t) <= 48]
    if not short:
        texts.append("备注" * 30)
    assert (TextMatrix.of(np.array(texts, dtype=object)) is not None) == short
    rnd = random.Random(4)
    values = texts + [rnd.choice(texts) for _ in range(3000)] + [None, None]
    _check_distinct(col, values)


@pytest.mark.parametrize("parser", [cells.parse_text, cells.parse_id_number, cells.parse_phone, cells.parse_enum,
                                    cells.parse_number, cells.parse_integer, cells.parse_date, cells.parse_multi,
                                    cells.parse_bool, lambda r: cells.parse_code(r, 12)])
@pytest.mark.parametrize("size", [300, 3000, 3001])
def test_text_fast_path_equals_general_path(parser, size: int) -> None:  # type: ignore[no-untyped-def]
    """Small columns, large ones with a text matrix (3000) and large ones with a text too wide for it (3001)."""
    texts = [t for t in messy_texts(size, seed=size, exotic=True) if len(t) <= 48 or size != 3000]
    values: list[object] = [*texts, "x" * 60 if size == 3001 else "x", None]
    fast_raw = pd.Series(values, dtype=object)
    cells.seed_text_cells(fast_raw)  # text cells and a last None: the fast path
    fast = parser(fast_raw)
    slow = parser(pd.Series([*values, 0], dtype=object))  # one number among them: the general path
    pd.testing.assert_series_equal(fast.values, slow.values.iloc[:-1], check_exact=True)
    pd.testing.assert_series_equal(fast.bad, slow.bad.iloc[:-1], check_exact=True)
    if fast.missing is not None:
        assert (fast.missing == fast.values.isna().to_numpy()).all()


def test_display_and_normalized_fast_paths() -> None:
    values: list[object] = [*messy_texts(3000, seed=9, exotic=True), None]
    fast_raw = pd.Series(values, dtype=object)
    cells.seed_text_cells(fast_raw)
    slow_raw = pd.Series([*values, 0], dtype=object)
    pd.testing.assert_series_equal(cells.display_column(fast_raw), cells.display_column(slow_raw).iloc[:-1])
    pd.testing.assert_series_equal(cells.normalized_text(fast_raw), cells.normalized_text(slow_raw).iloc[:-1])


def test_text_matrix_answers_like_str_methods() -> None:
    texts = [t for t in messy_texts(4000, seed=5, exotic=True) if len(t) <= 48]
    texts += ["".join(chr(c) for c in range(0x2000, 0x200C)), "a\u3000b", "x\x85", "é", "A" * 48, "\x08", "中(文)",
              "E+", "ｅ＋", ""]
    for order in (texts, sorted(texts, key=len), sorted(texts, key=len, reverse=True)):
        m = TextMatrix.of(np.array(order, dtype=object))
        assert m is not None
        assert list(m.lengths) == [len(t) for t in order]
        assert all("".join(map(chr, m.codes[i, :m.lengths[i]])) == t for i, t in enumerate(order))
        assert list(m.ascii) == [t.isascii() for t in order]
        assert list(m.spaces) == [any(c.isspace() for c in t) for t in order]
        assert list(m.edge_spaces) == [t != t.strip() for t in order]
        assert list(m.folded) == [t.isascii() and not any(c.isspace() or "a" <= c <= "z" for c in t) for t in order]
        assert list(m.any_of(BRACKET)) == ["(" in t or ")" in t for t in order]
        assert list(m.any_of(LETTER_E) & m.any_of(PLUS)) == ["E" in t and "+" in t for t in order]
        assert list(m.any_of(NON_DIGIT)) == [any(not "0" <= c <= "9" for c in t) for t in order]


def test_text_matrix_refuses_wide_texts_and_nul() -> None:
    assert TextMatrix.of(np.array(["a"] * 3000 + ["a" * 49], dtype=object)) is None
    assert TextMatrix.of(np.array(["a\x00"], dtype=object)) is None
    assert TextMatrix.of(np.array(["a\x00b"], dtype=object)) is None
    wide = TextMatrix.of(np.array(["a" * 5] * 3000 + ["x" * 48], dtype=object))
    assert wide is not None and len(wide.codes) == 3001 and wide.codes.shape[1] >= 48 and wide.lengths[-1] == 48
    assert "".join(map(chr, wide.codes[-1, :48])) == "x" * 48 and not wide.codes[-1, 48:].any()


def test_id_numbers_fast_check_equals_reference() -> None:
    rnd = random.Random(11)
    values: list[str | None] = []
    for _ in range(20000):
        digits = "0123456789"
        year = rnd.choice(["1899", "1900", "1980", "2000", "2026", "2027", "0000", "9999",
                           str(rnd.randrange(1800, 2100))])
        body = "".join(rnd.choice(digits) for _ in range(6)) + year + f"{rnd.randrange(0, 14):02d}"
        body += f"{rnd.randrange(0, 33):02d}" + "".join(rnd.choice(digits) for _ in range(3))
        value = body + (id_check_digit(body) if rnd.random() < 0.6 else rnd.choice("0123456789XxY "))
        values.append(rnd.choice([value, value[:-1], value + "0", value.replace("1", "a", 1)]) if rnd.random() < 0.2
                      else value)
    values += [None, "41010219800229001X", "41010220000229001X", "41010219000229001X"]
    series = pd.Series(values, dtype="string")
    for today in (date(2026, 11, 28), date(2020, 2, 29), date(1900, 1, 1)):
        fast = id_numbers_valid(series, today)
        reference = _id_numbers_valid_text(series, today)
        pd.testing.assert_series_equal(fast, reference, check_names=False)


def test_iso_dates_and_plain_numbers_equal_the_patterns() -> None:
    dates = [f"{y:04d}-{m:02d}-{d:02d}" for y in (1899, 1900, 2000, 2020, 2024, 2100, 2101, 1, 9999)
             for m in range(0, 14) for d in range(0, 33)] + ["2020-4-03", "2020/04/03", "20a0-04-03", "2020-04-0３"]
    series = pd.Series(dates, dtype="string")
    iso, days = iso_dates(series.to_numpy(dtype=object))
    pd.testing.assert_series_equal(pd.Series(days, index=series[iso].index), cells._dates_from_text(series[iso])[0],
                                   check_names=False)
    rnd = random.Random(3)
    numbers = [str(rnd.randrange(0, 10 ** rnd.randrange(1, 20))) for _ in range(5000)]
    numbers += ["0005", "000", "9" * 15, "9" * 16, "1" * 25, "１２", "1.5", "-3", "12元", "1e5"]
    texts = pd.Series(numbers, dtype="string")
    pd.testing.assert_series_equal(cells._number_from_text(texts, "元"),
                                   cells._number_from_pattern(texts, "元").astype("Float64"))
