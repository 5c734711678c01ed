"""Build pandera schemas from the contract (data in ``schemas/``, never Python per column).

Every check carries ``error="<code>:<column key>"``: the code of the error it reports and the column the
editor should look at. Checks are vectorized; cross-row and cross-tab checks (duplicate, reference, date
order) are frame-level checks whose inputs are NA-safe (pandera only skips rows where *every* column is NA).

The schema is the definition of the checks; validation runs the same checks directly on the distinct
values (:mod:`tracker.validate.checks`, which must find exactly what this schema finds, as the tests verify) and
uses the helpers here (ID numbers, phone pattern, matching keys).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # imported where a schema is built: validation itself runs tracker.validate.checks (~0.3 s less)
    import pandera.pandas as pa

from tracker.register import Column, Tab, UniqueAcross

from .plaintext import real_dates
from .textops import match_text

_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
PHONE_PATTERN = r"(?:\+?86-?)?1[3-9][0-9]-?[0-9]{4}-?[0-9]{4}|0[0-9]{2,3}-?[0-9]{7,8}(?:-[0-9]{1,6})?"


def tag(code: str, key: str) -> str:
    return f"{code}:{key}"


def match_key(values: pd.Series) -> pd.Series:
    """Fold text for matching across rows and tabs: width, case of X, and every space ignored."""
    return values.astype("string").map(match_text, na_action="ignore").astype("string")


def id_check_digit(body: str) -> str:
    """GB 11643 check character for the first 17 digits of a resident ID number."""
    if len(body) != 17 or not (body.isascii() and body.isdigit()):
        raise ValueError(f"need 17 digits, got {body!r}")
    return "10X98765432"[sum(int(d) * int(w) for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str, today: date) -> str | None:
    """Why an 18-character ID number is invalid (None when it is valid): length, check digit, birth date."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        return "length" if len(value) != 18 else "chars"
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth"
    if birth > today or birth.year < 1900:
        return "birth"
    if id_check_digit(value[:17]) != value[17]:
        return "checksum"
    return None


def id_numbers_valid(values: pd.Series, today: date) -> pd.Series:
    """Vectorized GB 11643 test: 17 digits + check character, real birth date, not in the future.

    18-character ASCII values are judged on their bytes; the others (rare) by :func:`_id_numbers_valid_text`.
    """
    text = values.astype("string")
    cells = text.to_numpy(dtype=object, na_value=None)
    known = np.flatnonzero(np.not_equal(cells, None))
    strings = cells[known]
    ascii18 = np.zeros(len(cells), dtype=bool)
    ascii18[known] = ((np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)) == 18)
                      & np.fromiter(map(str.isascii, strings), dtype=bool, count=len(strings)))
    ok = np.zeros(len(cells), dtype=bool)
    if ascii18.any():
        codes = np.frombuffer("".join(cells[ascii18]).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        ok[ascii18] = id_codes_valid(codes, today)
    rest = ~ascii18 & ~text.isna().to_numpy(dtype=bool)
    if rest.any():
        ok[rest] = _id_numbers_valid_text(text[rest], today).to_numpy(dtype=bool)
    return pd.Series(ok, index=values.index) | values.isna()


def id_codes_valid(codes: np.ndarray, today: date) -> np.ndarray:
    """:func:`id_numbers_valid` of 18-character ASCII texts given as a (texts, 18) array of character codes."""
    chars = codes.astype(np.uint8)  # ASCII: the character codes fit
    digits = chars - np.uint8(48)  # unsigned: anything below "0" wraps around above 9
    is_digit = digits <= 9
    shaped = is_digit[:, :17].all(axis=1) & (is_digit[:, 17] | (chars[:, 17] == ord("X")))
    body = np.where(shaped[:, None], digits[:, :17], 0).astype(np.int32)
    check = _ID_CHECK_CHARS[(body @ _ID_WEIGHTS.astype(np.int32)) % 11] == chars[:, 17]
    digits = digits.astype(np.int32)
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1], dtype=np.int32)
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    real = real_dates(year, month, day)
    ymd = year * 10000 + month * 100 + day
    in_range = (ymd >= 19000101) & (ymd <= today.year * 10000 + today.month * 100 + today.day)
    return shaped & check & real & in_range


def _id_numbers_valid_text(values: pd.Series, today: date) -> pd.Series:
    """The reference implementation of :func:`id_numbers_valid` (regex, dates parsed by pandas)."""
    text = values.astype("string")
    shaped = text.str.fullmatch(r"[0-9]{17}[0-9X]").fillna(False).astype(bool)
    ok = pd.Series(False, index=values.index)
    if shaped.any():
        good = text[shaped]
        codes = np.frombuffer("".join(good.tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        check = _ID_CHECK_CHARS[((codes[:, :17].astype(np.int64) - 48) @ _ID_WEIGHTS) % 11] == codes[:, 17]
        birth = pd.to_datetime(good.str.slice(6, 14), format="%Y%m%d", errors="coerce")
        real = birth.notna() & (birth <= pd.Timestamp(today)) & (birth >= pd.Timestamp("1900-01-01"))
        ok[shaped] = check & real.to_numpy()
    return ok | values.isna()


FIRST_PLAUSIBLE_DATE = date(1900, 1, 1)


def date_window(today: date) -> tuple[date, date]:
    """The dates a register may hold: from 1900-01-01 to one year after ``today`` (the as-of date). Anything
    outside is a typing slip (9999-12-31, 1020-05-10) and a ``range`` error at its cell, never a deadline."""
    try:
        last = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        last = today.replace(year=today.year + 1, day=28)
    return FIRST_PLAUSIBLE_DATE, last


def dates_in_window(values: pd.Series, today: date) -> pd.Series:
    """True where a date is missing or inside :func:`date_window`."""
    first, last = date_window(today)
    return (values.isna() | ((values >= pd.Timestamp(first)) & (values <= pd.Timestamp(last)))).astype(bool)


def _column_checks(col: Column, today: date) -> list[pa.Check]:
    import pandera.pandas as pa

    error = tag
    checks: list[pa.Check] = []
    if col.type in ("integer", "number"):
        if col.min is not None:
            checks.append(pa.Check.ge(col.min, error=error("range", col.key)))
        if col.max is not None:
            checks.append(pa.Check.le(col.max, error=error("range", col.key)))
    elif col.type == "date":
        checks.append(pa.Check(lambda s: dates_in_window(s, today), error=error("range", col.key)))
    elif col.type == "enum":
        checks.append(pa.Check.isin(list(col.values), error=error("enum", col.key)))
    elif col.type == "bool":
        checks.append(pa.Check.isin(["是", "否"], error=error("enum", col.key)))
    elif col.type == "multi":
        allowed = frozenset(col.values)
        checks.append(
            pa.Check(lambda s: s.map(allowed.issuperset, na_action="ignore").fillna(True).astype(bool),
                     error=error("enum", col.key))
        )
    elif col.type == "id_number":
        checks.append(pa.Check(lambda s: id_numbers_valid(s, today), error=error("id_number", col.key)))
    elif col.type == "phone":
        checks.append(pa.Check.str_matches(f"^(?:{PHONE_PATTERN})$", error=error("phone", col.key)))
    return checks


def _frame_check(code: str, key: str, fn: Callable[[pd.DataFrame], pd.Series]) -> pa.Check:
    import pandera.pandas as pa

    return pa.Check(fn, error=tag(code, key))


def _not_duplicated(keys: list[str]) -> Callable[[pd.DataFrame], pd.Series]:
    def check(df: pd.DataFrame) -> pd.Series:
        folded = pd.DataFrame({k: match_key(df[k]) for k in keys})
        complete = folded.notna().all(axis=1)
        return ~(folded.duplicated(keep="first") & complete)

    return check


def _refers(keys: list[str], known: frozenset[tuple[str, ...]]) -> Callable[[pd.DataFrame], pd.Series]:
    def check(df: pd.DataFrame) -> pd.Series:
        folded = pd.DataFrame({k: match_key(df[k]) for k in keys})
        complete = folded.notna().all(axis=1)
        found = pd.Series([tuple(r) in known for r in folded.itertuples(index=False)], index=df.index)
        return found | ~complete

    return check


def _ordered(start: str, end: str) -> Callable[[pd.DataFrame], pd.Series]:
    def check(df: pd.DataFrame) -> pd.Series:
        either_missing = df[end].isna() | df[start].isna()
        return (either_missing | (df[end] >= df[start])).fillna(True).astype(bool)

    return check


def across_clashes(rule: UniqueAcross, mine: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``mine`` whose ``rule.columns`` equal ``rule.tab_columns`` of a row of ``other`` that is not
    "the same" (``rule.allow_same``): columns ``position`` (in ``mine``) and ``other`` (index label in
    ``other``), first clash per row. Rows with a missing key part never clash; a row whose allow_same
    columns are missing (on either side) is not judged either."""
    if not set(rule.columns) <= set(mine) or not set(rule.tab_columns) <= set(other):
        return pd.DataFrame({"position": [], "other": []})
    same_mine = [m for m, _ in rule.allow_same]
    same_other = [o for _, o in rule.allow_same]
    if not set(same_mine) <= set(mine) or not set(same_other) <= set(other):
        same_mine, same_other = [], []
    keys = [f"k{i}" for i in range(len(rule.columns))]
    same = [f"s{i}" for i in range(len(same_mine))]
    left = pd.DataFrame({**{k: match_key(mine[c]) for k, c in zip(keys, rule.columns, strict=True)},
                         **{k: match_key(mine[c]) for k, c in zip(same, same_mine, strict=True)}})
    left["position"] = np.arange(len(mine))
    right = pd.DataFrame({**{k: match_key(other[c]) for k, c in zip(keys, rule.tab_columns, strict=True)},
                          **{k: match_key(other[c]) for k, c in zip(same, same_other, strict=True)}})
    right["other"] = other.index.to_numpy()
    left, right = left.dropna(subset=keys), right.dropna(subset=keys)
    merged = left.merge(right, on=keys, how="inner", suffixes=("", "_other"))
    if same:
        mine_same = merged[same]
        theirs = merged[[f"{k}_other" for k in same]].set_axis(same, axis=1)
        judged = mine_same.notna().all(axis=1) & theirs.notna().all(axis=1)
        differs = (mine_same.fillna("") != theirs.fillna("")).any(axis=1)
        merged = merged[(judged & differs).to_numpy(dtype=bool)]
    return merged[["position", "other"]].drop_duplicates("position").reset_index(drop=True)


def _not_elsewhere(rule: UniqueAcross, other: pd.DataFrame) -> Callable[[pd.DataFrame], pd.Series]:
    def check(df: pd.DataFrame) -> pd.Series:
        clashes = across_clashes(rule, df.reset_index(drop=True), other)
        ok = np.ones(len(df), dtype=bool)
        ok[clashes["position"].to_numpy(dtype=np.int64)] = False
        return pd.Series(ok, index=df.index)

    return check


def reference_keys(frame: pd.DataFrame, columns: Iterable[str]) -> frozenset[tuple[str, ...]]:
    """The folded key tuples present in a referenced tab (rows with a missing part are left out)."""
    cols = list(columns)
    if not all(c in frame for c in cols):
        return frozenset()
    folded = pd.DataFrame({c: match_key(frame[c]) for c in cols}).dropna()
    return frozenset(tuple(r) for r in folded.itertuples(index=False))


def build_schema(
    tab: Tab, present: set[str], references: dict[str, frozenset[tuple[str, ...]]], today: date,
    others: Mapping[str, pd.DataFrame] | None = None,
) -> pa.DataFrameSchema:
    """The pandera schema of one tab, over the columns actually present in the sheet.

    ``references`` maps a referenced tab key to its folded key tuples; ``others`` the parsed frames of the
    other tabs, for ``unique_across``.
    """
    import pandera.pandas as pa

    columns = {
        col.key: pa.Column(nullable=not col.required, checks=_column_checks(col, today), required=False)
        for col in tab.columns
        if col.key in present
    }
    checks: list[pa.Check] = []
    for rule in tab.unique:
        if set(rule.columns) <= present:
            checks.append(_frame_check("duplicate", rule.report, _not_duplicated(list(rule.columns))))
    for ref in tab.references:
        if set(ref.columns) <= present and ref.tab in references:
            checks.append(_frame_check("reference", ref.report, _refers(list(ref.columns), references[ref.tab])))
    for across in tab.unique_across:
        if set(across.columns) <= present and others is not None and across.tab in others:
            checks.append(_frame_check("duplicate", across.report, _not_elsewhere(across, others[across.tab])))
    for order in tab.date_order:
        if {order.start, order.end} <= present:
            checks.append(_frame_check("date_order", order.end, _ordered(order.start, order.end)))
    return pa.DataFrameSchema(columns, checks=checks, name=tab.name)
