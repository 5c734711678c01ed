"""Pre-cleaning: turn raw cells into typed values, tolerating the forms real county sheets use.

Each parser takes the raw cells of one column (an object Series indexed by row number) and returns
the parsed values plus a mask of cells it could not parse (``type`` errors, reported by validation).
Cells that are merely empty come back as NA and are *not* parse failures: ``required`` handles them.
Work is vectorized so a million rows stay cheap: validation calls the parsers on the distinct cells of a
column only (:mod:`tracker.validate.distinct`), and a column whose cells are all text (a CSV register) takes the fast
path of :mod:`tracker.validate.plaintext`, which gives exactly what the general path below gives.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from tracker.common import china_today
from tracker.validate import textops

from .months import months_from_numbers, months_from_text
from .plaintext import PlainColumn, iso_dates
from .textmatrix import TextMatrix

SERIAL_EPOCH = pd.Timestamp("1899-12-30")
MULTI_SEPARATORS = re.compile(r"[、，,；;\s]+")
_DATE_TEXT = (
    r"^(?P<y>[0-9]{4})\s*[-/.年]\s*(?P<m>[0-9]{1,2})\s*[-/.月]\s*(?P<d>[0-9]{1,2})\s*日?"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
)
_COMPACT_DATE = r"^(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})$"
_SERIAL_TEXT = r"^[0-9]{1,5}(?:\.[0-9]+)?$"


@dataclass(frozen=True)
class Parsed:
    values: pd.Series
    bad: pd.Series  # bool, True where a non-empty cell could not be parsed
    missing: np.ndarray | None = None  # where ``values`` is NA, when the parser knows it without looking
    month: np.ndarray | None = None  # dates: where the cell was written to the month only (its value: the last day)


def display_text(cell: object) -> str | None:
    """The raw cell as the editor sees it, as text (so xlsx and CSV give identical reports)."""
    if cell is None or cell == "" or (isinstance(cell, float) and math.isnan(cell)):
        return None
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat(" ")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


#: The last few raw columns and what was derived from them: each parser asks several times about the same
#: column (which cells are text, which numbers, the folded text); one pass over the cells answers all.
_MEMO: list[tuple[pd.Series, dict[str, pd.Series]]] = []


def _memo(raw: pd.Series) -> dict[str, pd.Series]:
    for series, derived in _MEMO:
        if series is raw:
            return derived
    values = raw.to_numpy(dtype=object)
    kinds = list(map(type, values))
    is_str = np.array([k is str for k in kinds], dtype=bool)
    is_num = np.array([k is int or k is float for k in kinds], dtype=bool)
    if is_num.any():
        is_num &= np.array([v == v for v in values], dtype=bool)  # NaN is a float but no number
    derived = {"str": pd.Series(is_str, index=raw.index), "number": pd.Series(is_num, index=raw.index)}
    if set(kinds) <= {str, type(None)}:  # every cell is text or None (a CSV register): the fast paths apply
        derived["plain"] = PlainColumn(values, is_str)  # type: ignore[assignment]
    _MEMO.insert(0, (raw, derived))
    del _MEMO[4:]
    return derived


def display_kinds(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Masks of the text cells and of the numeric cells of a raw column."""
    memo = _memo(raw)
    return memo["str"], memo["number"]


def display_column(raw: pd.Series) -> pd.Series:
    """:func:`display_text` of every cell (object Series): text cells as written, others converted."""
    plain = _plain(raw)
    if plain is not None:
        values = plain.values.copy()
        m = plain.matrix
        empty = m.lengths == 0 if m is not None else plain.strings == ""
        values[np.flatnonzero(plain.where)[empty]] = None
        return pd.Series(values, index=raw.index, dtype=object)
    is_str = _memo(raw)["str"].to_numpy()
    values = raw.to_numpy(dtype=object).copy()
    others = ~is_str
    values[others] = [display_text(v) for v in values[others]]
    values[is_str & (values == "")] = None
    return pd.Series(values, index=raw.index, dtype=object)


def _is_str(raw: pd.Series) -> pd.Series:
    return _memo(raw)["str"]


def _is_number(raw: pd.Series) -> pd.Series:
    return _memo(raw)["number"]


def seed_text_cells(raw: pd.Series, nul_free: bool = False) -> None:
    """Tell the parsers that every cell of ``raw`` is text except perhaps the last, which may be None (the
    caller knows: distinct cells of a CSV register), so they skip looking at the type of each cell.
    ``nul_free``: no text holds a NUL character."""
    values = raw.to_numpy(dtype=object)
    is_str = np.ones(len(values), dtype=bool)
    if len(values) and values[-1] is None:
        is_str[-1] = False
    _MEMO.insert(0, (raw, {"str": pd.Series(is_str, index=raw.index), "number": pd.Series(False, index=raw.index),
                           "plain": PlainColumn(values, is_str, nul_free)}))  # type: ignore[dict-item]
    del _MEMO[4:]


def forget(raw: pd.Series) -> None:
    """Drop what was remembered about ``raw`` (its text matrix can be large)."""
    _MEMO[:] = [(series, derived) for series, derived in _MEMO if series is not raw]


def folded_same(raw: pd.Series) -> np.ndarray | None:
    """Per cell of a column of text cells: is it a text that stripping, the ID number form and matching
    (:func:`tracker.validate.textops.match_text`) all leave unchanged? None when not known (then compute)."""
    plain = _plain(raw)
    same = plain.folded_same() if plain is not None else None
    if plain is None or same is None:
        return None
    out = np.zeros(len(plain.values), dtype=bool)
    out[plain.where] = same
    return out


def text_matrix(raw: pd.Series) -> TextMatrix | None:
    """The code-point matrix of a column of text cells (all but a last None), if it has one."""
    plain = _plain(raw)
    if plain is None or not plain.where[:-1].all():
        return None
    return plain.matrix


def _plain(raw: pd.Series) -> PlainColumn | None:
    """When every cell is text or None: the column for the fast path. Otherwise None: the general path."""
    return _memo(raw).get("plain")  # type: ignore[return-value]


def _strings(values: np.ndarray, index: pd.Index) -> pd.Series:
    """A "string" Series of text and None (None becomes NA)."""
    return pd.Series(pd.array(values, dtype="string"), index=index)


def normalized_text(raw: pd.Series) -> pd.Series:
    """Strings NFKC-folded (full-width digits and brackets) and stripped; empty strings become NA."""
    memo = _memo(raw)
    plain = _plain(raw)
    if "text" not in memo and plain is not None:
        memo["text"] = _strings(plain.spread(*plain.normalized())[0], raw.index)
    if "text" not in memo:
        strings = raw.to_numpy(dtype=object)[memo["str"].to_numpy()]
        folded = textops.normalized(strings)
        text = pd.Series(pd.NA, index=raw.index, dtype="string")
        text[memo["str"].to_numpy()] = folded
        memo["text"] = text.mask(text == "")
    return memo["text"]


def _empty(raw: pd.Series) -> pd.Series:
    text = normalized_text(raw)
    return raw.isna() | (_is_str(raw) & text.isna())


def parse_text(raw: pd.Series) -> Parsed:
    """Free text: kept as written, without surrounding spaces; numeric cells become their text."""
    plain = _plain(raw)
    if plain is not None:
        values, missing = plain.spread(*plain.stripped())
        return Parsed(_strings(values, raw.index), pd.Series(False, index=raw.index), missing)
    text = raw.where(_is_str(raw)).astype("string").str.strip()
    others = raw.where(~_is_str(raw) & raw.notna()).map(display_text, na_action="ignore")
    values = text.fillna(others.astype("string")).mask(lambda s: s == "")
    return Parsed(values.astype("string"), pd.Series(False, index=raw.index))


def _number_from_text(text: pd.Series, units: str) -> pd.Series:
    """Numbers written as text (NA where not a number). Plain ASCII digit strings (up to 15 digits, exact
    as floats) are converted directly; the others go through the cleaning and pattern below."""
    cells = text.to_numpy(dtype=object, na_value=None)
    known = np.flatnonzero(np.not_equal(cells, None))
    strings = cells[known]
    simple = (np.fromiter(map(str.isascii, strings), dtype=bool, count=len(strings))
              & np.fromiter(map(str.isdigit, strings), dtype=bool, count=len(strings))
              & (np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)) <= 15))
    out = np.full(len(cells), np.nan)
    out[known[simple]] = np.fromiter(map(int, strings[simple]), dtype=np.int64, count=int(simple.sum()))
    rest = known[~simple]
    if len(rest):
        found = _number_from_pattern(text.iloc[rest], units).astype("Float64")
        out[rest] = found.to_numpy(dtype=float, na_value=np.nan)
    return pd.Series(out, index=text.index).astype("Float64")


def _number_from_pattern(text: pd.Series, units: str) -> pd.Series:
    cleaned = text.str.replace(r"[,，\s]", "", regex=True).str.replace(r"^[¥￥]", "", regex=True)
    cleaned = cleaned.str.replace(f"[{units}]$", "", regex=True)
    ok = cleaned.str.fullmatch(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)").fillna(False).astype(bool)
    return pd.to_numeric(cleaned.where(ok), errors="coerce")


def parse_number(raw: pd.Series, units: str = "元") -> Parsed:
    """``6,000``, ``6000元``, ``６０００``, `` 6000 ``, ``6000.00`` or a numeric cell."""
    numeric = _is_number(raw)
    from_cells = pd.to_numeric(raw.where(numeric), errors="coerce").astype("Float64")
    plain = _plain(raw)
    digits = plain.digits() if plain is not None else None
    if digits is not None:  # texts that are plain digits (most): their value straight from the matrix
        where, values = digits
        text = normalized_text(raw)
        found = np.full(len(raw), np.nan)
        found[where] = values
        rest = np.flatnonzero(~where & text.notna().to_numpy())
        if len(rest):
            found[rest] = _number_from_text(text.iloc[rest], units).to_numpy(dtype=float, na_value=np.nan)
        from_text = pd.Series(found, index=raw.index).astype("Float64")
    else:
        from_text = _number_from_text(normalized_text(raw), units).astype("Float64")
    values = from_cells.fillna(from_text)
    values = values.mask(values.isin([math.inf, -math.inf]))
    return Parsed(values, values.isna() & ~_empty(raw))


def parse_integer(raw: pd.Series) -> Parsed:
    """Whole numbers; ``4人``/``4口`` accepted; ``3.5`` is a type error."""
    number = parse_number(raw, units="人口户元")
    whole = number.values.isna() | (number.values == number.values.round())
    values = number.values.where(whole).round().astype("Int64")
    return Parsed(values, number.bad | ~whole.fillna(True).astype(bool))


def _date_from_parts(parts: pd.DataFrame) -> pd.Series:
    frame = pd.DataFrame(
        {
            "year": pd.to_numeric(parts["y"], errors="coerce"),
            "month": pd.to_numeric(parts["m"], errors="coerce"),
            "day": pd.to_numeric(parts["d"], errors="coerce"),
        },
        index=parts.index,
    )
    plausible = frame["year"].between(1900, 2100)
    out = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[s]")
    usable = plausible & frame.notna().all(axis=1)
    if usable.any():
        out[usable] = pd.to_datetime(frame[usable], errors="coerce").astype("datetime64[s]")
    return out


def _date_from_serial(numbers: pd.Series) -> pd.Series:
    """Excel / Google Sheets serial day numbers (days since 1899-12-30) and 8-digit yyyymmdd numbers."""
    out = pd.Series(pd.NaT, index=numbers.index, dtype="datetime64[s]")
    compact = numbers.between(19000101, 21001231) & (numbers == numbers.round())
    if compact.any():
        digits = numbers[compact].astype("int64").astype(str)
        out[compact] = _date_from_parts(digits.str.extract(_COMPACT_DATE))
    serial = numbers.between(1, 73051) & ~compact  # up to 2099-12-31
    if serial.any():
        days = pd.to_timedelta(numbers[serial].astype("float64").round(), unit="D")
        out[serial] = (SERIAL_EPOCH + days).astype("datetime64[s]")
    return out


def parse_date(raw: pd.Series) -> Parsed:
    """Date cells, ``2020-04-03``, ``2020/4/3``, ``2020.4.3``, ``2020年4月3日``, ``20200403``, serials; months
    (``202104``, ``2021-04``, ``2021年4月``: :mod:`tracker.validate.months`) are the month's last day."""
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[s]")
    month = np.zeros(len(raw), dtype=bool)
    cells = raw.map(lambda v: isinstance(v, date), na_action="ignore").fillna(False).astype(bool)
    if cells.any():
        out[cells] = pd.to_datetime(raw[cells].map(_as_datetime)).astype("datetime64[s]")
    numeric = _is_number(raw)
    if numeric.any():
        numbers = pd.to_numeric(raw[numeric], errors="coerce")
        claimed, ends = months_from_numbers(numbers)
        out[numeric] = _date_from_serial(numbers).mask(claimed, ends)
        month[numeric.to_numpy(dtype=bool)] = claimed
    text = normalized_text(raw)
    has_text = text.notna()
    if has_text.any():
        t = text[has_text]
        iso, days = iso_dates(t.to_numpy(dtype=object))
        parsed = pd.Series(pd.NaT, index=t.index, dtype="datetime64[s]")
        parsed[iso] = days
        if not iso.all():
            parsed[~iso], monthly = _dates_from_text(t[~iso])
            month[np.flatnonzero(has_text.to_numpy(dtype=bool))[~iso]] = monthly
        out[has_text] = parsed
    return Parsed(out, out.isna() & ~_empty(raw), month=month & out.notna().to_numpy(dtype=bool))


def _dates_from_text(t: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Dates written as text (NaT where none), and which texts are months (a date or not: 2021-13 is a bad one)."""
    parsed = _date_from_parts(t.str.extract(_DATE_TEXT))
    compact = t.str.extract(_COMPACT_DATE)
    parsed = parsed.fillna(_date_from_parts(compact))
    monthly = np.zeros(len(t), dtype=bool)
    rest = parsed.isna().to_numpy(dtype=bool)
    if rest.any():
        monthly[rest], ends = months_from_text(t[rest])
        parsed[monthly] = ends[monthly[rest]]
    serial_text = t.str.fullmatch(_SERIAL_TEXT).fillna(False).astype(bool) & parsed.isna() & ~monthly
    if serial_text.any():
        parsed[serial_text] = _date_from_serial(pd.to_numeric(t[serial_text]))
    return parsed, monthly


def _as_datetime(value: date) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, datetime.min.time())


def parse_enum(raw: pd.Series) -> Parsed:
    """Allowed values are checked by validation; here only width and surrounding spaces are folded."""
    text = normalized_text(raw)
    others = raw.where(~_is_str(raw) & raw.notna()).map(display_text, na_action="ignore").astype("string")
    return Parsed(text.fillna(others), pd.Series(False, index=raw.index))


def parse_bool(raw: pd.Series) -> Parsed:
    """是/否 (Excel TRUE/FALSE cells too); other words are left for the enum check."""
    values = parse_enum(raw).values
    flags = raw.map(lambda v: isinstance(v, bool), na_action="ignore").fillna(False).astype(bool)
    values = values.mask(flags, raw.where(flags).map({True: "是", False: "否"}))
    return Parsed(values.astype("string"), pd.Series(False, index=raw.index))


def split_multi(text: str) -> tuple[str, ...]:
    return tuple(part for part in MULTI_SEPARATORS.split(text) if part)


def parse_multi(raw: pd.Series) -> Parsed:
    """Several values in one cell, separated by 、，,；; or spaces."""
    text = parse_enum(raw).values
    values = text.map(split_multi, na_action="ignore").astype(object)
    values = values.where(values.map(bool, na_action="ignore").fillna(False).astype(bool))
    return Parsed(values, pd.Series(False, index=raw.index))


def parse_id_number(raw: pd.Series) -> Parsed:
    """ID numbers as text, lowercase x folded to X; a numeric cell (precision lost) is flagged bad."""
    plain = _plain(raw)
    if plain is not None:
        texts, empty, scientific = plain.id_texts()
        values, missing = plain.spread(texts, empty | scientific)
        bad = np.zeros(len(values), dtype=bool)
        bad[plain.where] = scientific
        return Parsed(_strings(values, raw.index), pd.Series(bad, index=raw.index), missing)
    numeric = _is_number(raw)
    text = normalized_text(raw).str.replace(r"\s", "", regex=True).str.upper()
    scientific = text.str.fullmatch(r"[0-9](?:\.[0-9]+)?E\+[0-9]+").fillna(False).astype(bool)
    return Parsed(text.mask(scientific), numeric | scientific)


def parse_code(raw: pd.Series, digits: int) -> Parsed:
    """A fixed-length digit code; a numeric cell is fine as long as its digits are all there."""
    numeric = _is_number(raw)
    as_number = raw.where(numeric).map(display_text, na_action="ignore").astype("string")
    text = normalized_text(raw).str.replace(r"\s", "", regex=True).fillna(as_number)
    good = text.str.fullmatch(rf"[0-9]{{{digits}}}").fillna(False).astype(bool)
    return Parsed(text.where(good), text.notna() & ~good)


def parse_phone(raw: pd.Series) -> Parsed:
    plain = _plain(raw)
    if plain is not None:
        values, missing = plain.spread(*plain.phone_texts())  # empty: NA (while "()" gives "")
        return Parsed(_strings(values, raw.index), pd.Series(False, index=raw.index), missing)
    numeric = _is_number(raw)
    as_number = raw.where(numeric).map(display_text, na_action="ignore").astype("string")
    text = normalized_text(raw).str.replace(r"[\s()（）]", "", regex=True).fillna(as_number)
    return Parsed(text, pd.Series(False, index=raw.index))


def today_in_china() -> date:
    """Today's date in Asia/Shanghai, the time zone the policy deadlines are set in."""
    return china_today()


def serial_to_date(serial: float) -> date:
    return (datetime(1899, 12, 30) + timedelta(days=serial)).date()
