"""The contract's checks run directly, vectorized: exactly the failures the pandera schema of
:func:`tracker.validate.schema.build_schema` reports, without building frames per check.

Column checks (range, allowed values, ID number, phone) are judged once per distinct value; frame checks
(duplicates, references, duplicates across tabs, date order) on integer ids of the folded values
(:func:`tracker.validate.schema.match_key`). Failures come in the order pandera reports them, which decides the
code of a cell that fails two checks: the frame checks first, in the order of the schema, then the column
checks column by column. NA never fails a check (pandera drops it first).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import repeat
from operator import is_not

import numpy as np
import pandas as pd

from tracker.register import Column, DateOrder, Reference, Tab, Unique, UniqueAcross

from .distinct import DistinctColumn
from .schema import PHONE_PATTERN, dates_in_window, id_codes_valid, id_numbers_valid
from .textmatrix import NON_DIGIT
from .vocab import match

_PHONE = re.compile(f"^(?:{PHONE_PATTERN})$")


@dataclass(eq=False)
class TabData:
    """One tab ready for checking: its distinct columns (present keys only) and row numbers."""

    tab: Tab
    sheet: str
    rows: np.ndarray  # spreadsheet row numbers, by position
    headers: dict[str, str]  # key -> header as written
    columns: dict[str, DistinctColumn]

    def __len__(self) -> int:
        return len(self.rows)

    def header(self, key: str) -> str:
        return self.headers.get(key, self.tab.column(key).header)

    def parts(self, columns: tuple[str, ...]) -> list[np.ndarray]:
        """Per column, per row: id of the folded value (-1: NA)."""
        return [self.columns[key].folded_rows() for key in columns]

    def sizes(self, columns: tuple[str, ...]) -> list[int]:
        return [len(self.columns[key].folded[1]) for key in columns]

    def keys(self, columns: tuple[str, ...]) -> np.ndarray:
        """Per row: one int64 id of the folded values of ``columns`` together (-1 when one is NA)."""
        if len(columns) == 1:
            return self.parts(columns)[0].astype(np.int64)
        return joint_keys([self.parts(columns)], self.sizes(columns))[0]

    def repeated(self, columns: tuple[str, ...]) -> np.ndarray:
        """Per row: its complete key appeared on an earlier row."""
        key = self.keys(columns)
        return (key >= 0) & pd.Series(key).duplicated(keep="first").to_numpy()

    def first_of(self, columns: tuple[str, ...], positions: np.ndarray) -> np.ndarray:
        """For the rows at ``positions``: position of the first row with the same complete key (-1 when
        incomplete)."""
        key = self.keys(columns)
        wanted = key[positions]
        out = np.full(len(positions), -1, dtype=np.int64)
        complete = wanted >= 0
        if complete.any():
            candidates = np.flatnonzero(np.isin(key, np.unique(wanted[complete])))
            values, first = np.unique(key[candidates], return_index=True)
            out[complete] = candidates[first[np.searchsorted(values, wanted[complete])]]
        return out


@dataclass(frozen=True)
class Failure:
    code: str
    key: str
    positions: np.ndarray  # row positions, ascending


def translate(mine: DistinctColumn, theirs: DistinctColumn) -> np.ndarray:
    """Per distinct value of ``theirs``: the id of the same folded text among ``mine``'s (-1: NA, -2: a text
    ``mine`` does not have). Kept on ``mine`` for the next caller."""
    for other, found in mine.translations:
        if other is theirs:
            return found
    found = _translate(mine, theirs)
    mine.translations.append((theirs, found))
    return found


def _translate(mine: DistinctColumn, theirs: DistinctColumn) -> np.ndarray:
    ids, keys = theirs.folded
    to_mine = match(mine.folded[1], keys)
    return np.where(ids < 0, -1, to_mine[np.maximum(ids, 0)] if len(to_mine) else -1)


def _foreign_parts(mine: TabData, mine_cols: tuple[str, ...], theirs: TabData, their_cols: tuple[str, ...]
                   ) -> list[np.ndarray]:
    """Per column, per row of ``theirs``: the id of its folded value among ``mine``'s (-1: NA, -2: a text
    ``mine`` does not have)."""
    return [translate(mine.columns[m], theirs.columns[t])[theirs.columns[t].codes]
            for m, t in zip(mine_cols, their_cols, strict=True)]


def joint_keys(frames: list[list[np.ndarray]], sizes: list[int]) -> list[np.ndarray]:
    """Row keys of several frames of per-column ids (ids below ``sizes``), comparable across the frames:
    -1 where a part is NA, -2 where none is but one is -2 (a value the key space does not have)."""
    out = []
    radix = float(np.prod([s + 1.0 for s in sizes]))
    if radix >= 2.0**62:  # too many combinations for one int64: number the distinct rows of all frames
        stacked = [np.column_stack(parts) if parts else np.zeros((0, 0), dtype=np.int64) for parts in frames]
        everything = pd.DataFrame(np.concatenate(stacked)) if stacked else pd.DataFrame()
        numbered = everything.groupby(list(everything.columns), sort=False).ngroup().to_numpy(dtype=np.int64)
        pieces = np.split(numbered, np.cumsum([len(x) for x in stacked])[:-1])
    for i, parts in enumerate(frames):
        n = len(parts[0]) if parts else 0
        na, absent = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        for ids in parts:
            na |= ids == -1
            absent |= ids == -2
        if radix < 2.0**62:
            key = np.zeros(n, dtype=np.int64)
            for ids, size in zip(parts, sizes, strict=True):
                key = key * (size + 1) + np.maximum(ids, 0)
        else:
            key = pieces[i]
        out.append(np.where(na, -1, np.where(absent, -2, key)))
    return out


class Checker:
    """Runs the checks of one tab; ``tabs`` are all tabs (for references and duplicates across tabs)."""

    def __init__(self, data: TabData, tabs: dict[str, TabData], reference_columns: dict[str, tuple[str, ...]],
                 today: date) -> None:
        self.data, self.tabs, self.reference_columns, self.today = data, tabs, reference_columns, today

    def failures(self) -> Iterator[Failure]:
        tab, present = self.data.tab, set(self.data.columns)
        for rule in tab.unique:
            if set(rule.columns) <= present:
                yield Failure("duplicate", rule.report, self._duplicated(rule))
        for ref in tab.references:
            if set(ref.columns) <= present and ref.tab in self.reference_columns:
                yield Failure("reference", ref.report, self._unreferenced(ref))
        for across in tab.unique_across:
            if set(across.columns) <= present and across.tab in self.tabs:
                yield Failure("duplicate", across.report, np.unique(self.clashes(across)[0]))
        for order in tab.date_order:
            if {order.start, order.end} <= present:
                yield Failure("date_order", order.end, self._reversed(order))
        for col in tab.columns:
            if col.key in present:
                yield from self._column_failures(col, self.data.columns[col.key])

    # ------------------------------------------------------------------ frame checks

    def _duplicated(self, rule: Unique) -> np.ndarray:
        return np.flatnonzero(self.data.repeated(rule.columns))

    def _unreferenced(self, ref: Reference) -> np.ndarray:
        key = self.data.keys(ref.columns)
        target, their_cols = self.tabs[ref.tab], self.reference_columns[ref.tab]
        if len(their_cols) != len(ref.columns) or not set(their_cols) <= set(target.columns):
            known = np.zeros(0, dtype=np.int64)  # no key of the other tab can match
        else:
            key, known = joint_keys([self.data.parts(ref.columns),
                                     _foreign_parts(self.data, ref.columns, target, their_cols)],
                                    self.data.sizes(ref.columns))
            known = known[known >= 0]
        if len(ref.columns) == 1:  # ids below the vocabulary size: a table lookup
            present = np.zeros(self.data.sizes(ref.columns)[0] + 1, dtype=bool)
            present[known] = True
            return np.flatnonzero((key >= 0) & ~present[np.maximum(key, 0)])
        return np.flatnonzero((key >= 0) & ~np.isin(key, known))

    def clashes(self, rule: UniqueAcross) -> tuple[np.ndarray, np.ndarray]:
        """Rows of this tab whose ``rule.columns`` equal ``rule.tab_columns`` of a row of the other tab that is
        not "the same" (``allow_same``): (positions here, positions there), the first clash per row, as
        :func:`tracker.validate.schema.across_clashes` finds them."""
        mine, other = self.data, self.tabs[rule.tab]
        empty = np.zeros(0, dtype=np.int64)
        if not set(rule.columns) <= set(mine.columns) or not set(rule.tab_columns) <= set(other.columns):
            return empty, empty
        same = list(rule.allow_same)
        if not all(m in mine.columns for m, _ in same) or not all(o in other.columns for _, o in same):
            same = []
        theirs = _foreign_parts(mine, rule.columns, other, rule.tab_columns)
        left, right = joint_keys([mine.parts(rule.columns), theirs], mine.sizes(rule.columns))
        lpos, rpos = np.flatnonzero(left >= 0), np.flatnonzero(right >= 0)
        merged = pd.DataFrame({"k": left[lpos], "position": lpos}).merge(
            pd.DataFrame({"k": right[rpos], "other": rpos}), on="k", how="inner")
        position, there = merged["position"].to_numpy(dtype=np.int64), merged["other"].to_numpy(dtype=np.int64)
        if same:
            judged = np.ones(len(position), dtype=bool)
            differs = np.zeros(len(position), dtype=bool)
            for m, o in same:
                mine_ids = mine.columns[m].folded_rows()[position]
                their_ids = translate(mine.columns[m], other.columns[o])[other.columns[o].codes][there]
                judged &= (mine_ids >= 0) & (their_ids != -1)
                differs |= mine_ids != their_ids
            keep = judged & differs
            position, there = position[keep], there[keep]
        order = np.lexsort((there, position))
        position, there = position[order], there[order]
        first = np.ones(len(position), dtype=bool)
        first[1:] = position[1:] != position[:-1]
        return position[first], there[first]

    def _reversed(self, order: DateOrder) -> np.ndarray:
        start = pd.Series(self.data.columns[order.start].expand())
        end = pd.Series(self.data.columns[order.end].expand())
        earlier = (end < start).fillna(False).to_numpy(dtype=bool)
        return np.flatnonzero(earlier & start.notna().to_numpy() & end.notna().to_numpy())

    # ------------------------------------------------------------------ column checks

    def _column_failures(self, col: Column, column: DistinctColumn) -> Iterator[Failure]:
        values, known = column.values, ~column.missing
        checks: list[tuple[str, np.ndarray]] = []
        if col.type in ("integer", "number"):
            if col.min is not None:
                checks.append(("range", known & (values < col.min).fillna(False).to_numpy(dtype=bool)))
            if col.max is not None:
                checks.append(("range", known & (values > col.max).fillna(False).to_numpy(dtype=bool)))
        elif col.type == "date":
            checks.append(("range", known & ~dates_in_window(values, self.today).to_numpy(dtype=bool)))
        elif col.type in ("enum", "bool"):
            allowed = list(col.values) if col.type == "enum" else ["是", "否"]
            checks.append(("enum", known & ~values.isin(allowed).to_numpy(dtype=bool)))
        elif col.type == "multi":
            allowed_set = frozenset(col.values)
            ok = np.fromiter((not k or allowed_set.issuperset(v) for v, k in zip(values, known, strict=True)),
                             dtype=bool, count=len(values))
            checks.append(("enum", ~ok))
        elif col.type == "id_number":
            checks.append(("id_number", known & ~_ids_valid(column, known, self.today)))
        elif col.type == "phone":
            checks.append(("phone", known & ~_phones_valid_column(column, known)))
        for code, bad in checks:
            if bad.any():
                yield Failure(code, col.key, np.flatnonzero(column.rows(bad)))


def _matrix_rows(column: DistinctColumn, rows: np.ndarray) -> np.ndarray:
    """Per distinct value: ``rows`` (a mask over the matrix rows) padded with False (the last value, None)."""
    out = np.zeros(len(column.values), dtype=bool)
    out[:len(rows)] = rows
    return out


def _ids_valid(column: DistinctColumn, known: np.ndarray, today: date) -> np.ndarray:
    """Per distinct value: a valid ID number. Values that are their raw text (already in the ID form) are
    judged on the column's matrix; the others by :func:`tracker.validate.schema.id_numbers_valid`."""
    ok = np.zeros(len(column.values), dtype=bool)
    m, rest = column.matrix, known
    if m is not None and column.same is not None and m.codes.shape[1] >= 18:
        fast = known & column.same
        at = np.flatnonzero(fast)
        at = at[m.lengths[at] == 18]
        if len(at) > len(m.lengths) // 2:  # most rows: judge all (no gather), keep those
            ok[at] = id_codes_valid(m.codes[:, :18], today)[at]
        else:
            ok[at] = id_codes_valid(m.codes[at, :18], today)
        rest = known & ~fast
    if rest.any():
        ok[rest] = id_numbers_valid(column.values[rest], today).to_numpy(dtype=bool)
    return ok


def _phones_valid_column(column: DistinctColumn, known: np.ndarray) -> np.ndarray:
    """Per distinct value: a valid phone number. Values that are their raw text (digits, + and - only:
    parsing left them alone) and 11 digits long are judged on the column's matrix."""
    m = column.matrix
    if m is None or m.codes.shape[1] < 11:
        return known & _phones_valid(column.values)
    simple = _matrix_rows(column, (m.lengths == 11) & ~m.any_of(NON_DIGIT)) & known
    ok = np.zeros(len(column.values), dtype=bool)
    at = np.flatnonzero(simple)
    heads = m.codes[at, :2]
    ok[at] = ((heads[:, 0] == ord("1")) & (heads[:, 1] >= ord("3"))) | (heads[:, 0] == ord("0"))
    rest = known & ~simple
    ok[rest] = _phones_valid(column.values[rest])
    return ok


def _phones_valid(values: pd.Series) -> np.ndarray:
    """Per value: a mobile or landline number (NA: False). 11 ASCII digits are judged on their first two."""
    cells = values.to_numpy(dtype=object, na_value=None)
    ok = np.zeros(len(cells), dtype=bool)
    known = np.flatnonzero(np.not_equal(cells, None))
    strings = cells[known]
    simple = np.zeros(len(cells), dtype=bool)
    simple[known] = ((np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)) == 11)
                     & np.fromiter(map(str.isascii, strings), dtype=bool, count=len(strings))
                     & np.fromiter(map(str.isdigit, strings), dtype=bool, count=len(strings)))
    if simple.any():
        heads = np.frombuffer("".join(cells[simple]).encode("ascii"), dtype=np.uint8).reshape(-1, 11)
        ok[simple] = ((heads[:, 0] == ord("1")) & (heads[:, 1] >= ord("3"))) | (heads[:, 0] == ord("0"))
    rest = known[~simple[known]]
    ok[rest] = np.fromiter(map(is_not, map(_PHONE.match, cells[rest]), repeat(None)), dtype=bool, count=len(rest))
    return ok


@dataclass(eq=False)
class Details:
    """The context an error message gives: the first row of a duplicate, the values not found, ..."""

    checker: Checker

    @cached_property
    def _across(self) -> dict[UniqueAcross, dict[int, int]]:
        return {rule: dict(zip(*(a.tolist() for a in self.checker.clashes(rule)), strict=True))
                for rule in self.checker.data.tab.unique_across if rule.tab in self.checker.tabs}

    @cached_property
    def _firsts(self) -> dict[tuple[str, ...], dict[int, int]]:
        """Per unique rule's columns: for each repeated row, the position of the first row with its key."""
        data, out = self.checker.data, {}
        for rule in data.tab.unique:
            if set(rule.columns) <= set(data.columns) and rule.columns not in out:
                positions = np.flatnonzero(data.repeated(rule.columns))
                out[rule.columns] = dict(zip(positions.tolist(), data.first_of(rule.columns, positions).tolist(),
                                             strict=True))
        return out

    def _first(self, columns: tuple[str, ...]) -> dict[int, int]:
        return self._firsts.get(columns, {})

    def __call__(self, code: str, key: str, position: int) -> str:
        data = self.checker.data
        if code == "duplicate":
            for rule in (u for u in data.tab.unique if u.report == key and set(u.columns) <= set(data.columns)):
                first = self._first(rule.columns).get(position, -1)
                if first >= 0 and first != position:
                    return f"第 {data.rows[first]} 行"
            return self._across_detail(key, position)
        if code == "reference":
            ref = next(r for r in data.tab.references if r.report == key)
            target = self.checker.tabs[ref.tab]
            if len(ref.columns) > 1:
                parts = "、".join(f"{data.headers.get(c, c)}「{data.columns[c].value(position)}」"
                                  for c in ref.columns[:-1])
                return f"（{parts}）在「{target.sheet}」工作表中找不到"
            return f"在「{target.sheet}」工作表中找不到"
        if code == "date_order":
            order = next(o for o in data.tab.date_order if o.end == key)
            start = data.columns[order.start].text_at(position)
            return f"{data.headers.get(order.start, order.start)}「{start}」"
        return ""

    def _across_detail(self, key: str, position: int) -> str:
        """e.g. 「监测户」工作表第 5 行（户编号「H0002」）的「户主身份证号」."""
        for rule, clashes in self._across.items():
            if rule.report != key or position not in clashes:
                continue
            target, other = self.checker.tabs[rule.tab], clashes[position]
            where = "、".join(f"{target.header(t)}「{target.columns[t].text_at(other)}」"
                             for _, t in rule.allow_same if t in target.columns)
            column = "、".join(target.header(t) for t in rule.tab_columns)
            return (f"「{target.sheet}」工作表第 {target.rows[other]} 行"
                    f"{f'（{where}）' if where else ''}的「{column}」")
        return "其他记录"
