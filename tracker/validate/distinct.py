"""Pre-cleaning once per distinct cell: a column parsed, displayed and flagged on its distinct raw cells.

The cell parsers (:mod:`tracker.validate.cells`) are element-wise: what they make of a cell depends on that cell
only. So they run over the distinct cells of a column (:class:`~tracker.register.encoded.RawColumn`) and the results
are spread over the rows through the codes, identical to parsing every cell, at the cost of the distinct
values (a million-household register has a few thousand distinct dates, a few hundred amounts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from tracker.register import Column, RawColumn
from tracker.validate import cells, textops

from .textmatrix import TextMatrix
from .vocab import Keys, match

_PARSERS = {
    "text": cells.parse_text,
    "integer": cells.parse_integer,
    "number": cells.parse_number,
    "date": cells.parse_date,
    "enum": cells.parse_enum,
    "bool": cells.parse_bool,
    "multi": cells.parse_multi,
    "id_number": cells.parse_id_number,
    "phone": cells.parse_phone,
}


def parse(col: Column, raw: pd.Series) -> cells.Parsed:
    """Parse a raw column (object Series) as its contract type says."""
    if col.type == "code":
        return cells.parse_code(raw, col.digits or 0)
    parsed = _PARSERS[col.type](raw)
    if col.synonyms:  # another spelling counties use stands for its allowed value (shown in that form)
        same = col.canonical
        if col.type == "multi":
            values = parsed.values.map(lambda items: tuple(same.get(i, i) for i in items), na_action="ignore")
        else:
            values = parsed.values.map(lambda v: same.get(v, v), na_action="ignore").astype(parsed.values.dtype)
        parsed = replace(parsed, values=values)
    return parsed


@dataclass(eq=False)
class DistinctColumn:
    """One contract column of a tab: per distinct raw cell its parsed value (NA when empty or bad), whether it
    is bad (``type``/``id_number``), numeric, and its display text; ``codes`` give each row's distinct cell."""

    col: Column
    codes: np.ndarray  # signed integers (RawColumn.codes: int8 to int32), one per row
    values: pd.Series  # parsed, per distinct cell (RangeIndex)
    bad: np.ndarray  # bool, per distinct cell
    numeric: np.ndarray  # bool, per distinct cell
    raw: np.ndarray  # the distinct raw cells themselves (pairwise different)
    same: np.ndarray | None  # bool per distinct cell: its parsed value is the raw text, already folded
    matrix: TextMatrix | None  # of the distinct texts (all but a last None), when the column has one
    text_only: bool = False  # every distinct raw cell is text, but a last None
    month: np.ndarray | None = None  # dates: bool per distinct cell, written to the month only (value: its last day)
    translations: list[tuple[DistinctColumn, np.ndarray]] = field(default_factory=list, repr=False)

    @classmethod
    def of(cls, col: Column, raw: RawColumn) -> DistinctColumn:
        cells_ = pd.Series(raw.uniques, dtype=object)  # one object: the parsers share what they learn about it
        if raw.text_only:
            cells.seed_text_cells(cells_, raw.nul_free)
        result = parse(col, cells_)
        numeric = cells.display_kinds(cells_)[1]
        same = cells.folded_same(cells_) if col.type in ("text", "id_number") else None
        matrix = cells.text_matrix(cells_) if col.type in ("text", "id_number", "phone") else None
        cells.forget(cells_)
        column = cls(col, raw.codes, result.values, result.bad.to_numpy(dtype=bool), numeric.to_numpy(dtype=bool),
                     raw.uniques, same, matrix, raw.text_only, result.month)
        if result.missing is not None:
            column.__dict__["missing"] = result.missing  # known from parsing: no need to look at each value
        return column

    @property
    def key(self) -> str:
        return self.col.key

    def __len__(self) -> int:
        return len(self.codes)

    @cached_property
    def missing(self) -> np.ndarray:
        """Per distinct cell: is the parsed value NA?"""
        return self.values.isna().to_numpy(dtype=bool)

    def rows(self, mask: np.ndarray) -> np.ndarray:
        """Per row: ``mask`` (per distinct cell) of the row's cell."""
        return mask[self.codes]

    def value(self, position: int) -> object:
        return self.values.iat[int(self.codes[position])]

    @cached_property
    def text(self) -> np.ndarray:
        """Per distinct cell: the cell as the editor sees it (object: str / None), made when first needed."""
        raw = pd.Series(self.raw, dtype=object)
        if self.text_only:
            cells.seed_text_cells(raw)
        text = cells.display_column(raw)
        cells.forget(raw)
        return self._shown_as_date(text, self.numeric).to_numpy(dtype=object)

    def _shown_as_date(self, text: pd.Series, numeric: np.ndarray) -> pd.Series:
        if self.col.type == "date":  # a serial-number cell (Google Sheets) is shown as the date it stands for
            values = self.values if len(self.values) == len(text) else self.values.iloc[text.index]
            serial = pd.Series(numeric, index=text.index) & values.notna().to_numpy()
            if self.month is not None:  # a month as a number (202104) is shown as written
                serial &= ~self.month[text.index.to_numpy()]
            text = text.mask(serial, values.dt.strftime("%Y-%m-%d").to_numpy())
        return text

    def text_at(self, position: int) -> object:
        """The display text of the cell of one row (computed for that cell alone, if not yet for all)."""
        code = int(self.codes[position])
        if "text" in self.__dict__:
            return self.text[code]
        if (self.col.type == "date" and self.numeric[code] and not pd.isna(self.values.iat[code])
                and not (self.month is not None and self.month[code])):
            return self.values.iat[code].strftime("%Y-%m-%d")  # a serial number shown as its date
        return cells.display_text(self.raw[code])

    def expand(self, drop: np.ndarray | None = None) -> pd.api.extensions.ExtensionArray | np.ndarray:
        """The parsed value of every row; rows at the positions ``drop`` NA (as setting them to NA would)."""
        dropping = drop is not None and len(drop) > 0
        if self.values.dtype == object:  # multi: tuples
            out = self.values.to_numpy().take(self.codes)
            if dropping:
                out[drop] = pd.NA
            return out
        codes = self.codes
        if dropping:
            codes = codes.copy()
            codes[drop] = -1
        return self.values.array.take(codes, allow_fill=dropping)

    def expand_text(self, out: np.ndarray) -> None:
        """Write the display text of every row into ``out`` (an object column)."""
        np.take(self.text, self.codes, out=out)

    @cached_property
    def folded(self) -> tuple[np.ndarray, Keys]:
        """Matching keys (:func:`tracker.validate.schema.match_key`) per distinct cell, as ids of distinct folded texts
        (-1: NA): ``(ids, keys)``.

        Most texts are already folded and are the raw cell itself ("clean"): the raw cells being pairwise
        different, so are they, and only the other ("dirty") texts need matching against them."""
        known = ~self.missing
        same = known & self.same if self.same is not None else np.zeros(len(known), dtype=bool)
        rest = np.flatnonzero(known & ~same)
        values = self.values if self.values.dtype == "string" else self.values.astype("string")
        text = np.asarray(values.array[rest], dtype=object)
        if self.col.type == "id_number":  # parsing already folded ASCII ID numbers
            ascii_ = textops.ascii_mask(text)
            folded = text.copy()
            folded[~ascii_] = textops.match_texts(text[~ascii_])
        else:
            folded = textops.match_texts(text)
        is_raw = folded == self.raw[rest]
        clean = same.copy()
        clean[rest[is_raw]] = True
        ids = np.full(len(known), -1, dtype=np.intp)
        at = np.flatnonzero(clean)
        ids[at] = np.arange(len(at))
        dirty = rest[~is_raw]
        if not len(dirty):
            return ids, Keys(self.raw, at, np.zeros(0, dtype=object), self.matrix)
        codes, texts = pd.factorize(folded[~is_raw])
        texts = np.asarray(texts, dtype=object)
        # a dirty text may fold to a clean one (" h1" and "H1"): it takes that one's id
        equal = match(Keys(texts, np.zeros(0, dtype=np.intp), texts, None),
                      Keys(self.raw, at, np.zeros(0, dtype=object), self.matrix))
        to_id = np.full(len(texts), -1, dtype=np.intp)
        to_id[equal[equal >= 0]] = np.flatnonzero(equal >= 0)
        new = to_id < 0
        to_id[new] = len(at) + np.arange(new.sum())
        ids[dirty] = to_id[codes]
        return ids, Keys(self.raw, at, texts[new], self.matrix)

    def month_rows(self, drop: np.ndarray) -> np.ndarray:
        """Positions of the rows whose date was written to the month only, but those where ``drop`` (per row)."""
        if self.month is None or not self.month.any():
            return np.zeros(0, dtype=np.intp)
        return np.flatnonzero(self.rows(self.month) & ~drop)

    def drop_matrix(self) -> None:
        """Forget the text matrix (later matching falls back to comparing texts)."""
        self.matrix = None
        if "folded" in self.__dict__:
            self.folded[1].drop_matrix()

    def folded_rows(self) -> np.ndarray:
        """Per row: id of the folded value (-1: NA)."""
        return self.folded[0][self.codes]


@dataclass(frozen=True, eq=False)
class ValueCodes:
    """A column of a validated table (``Table.values``) in encoded form: the distinct column it was parsed
    from and the rows whose cell was set to NA for an error. Rules use it to compare, test for NA and join
    on integers instead of a million Python objects."""

    column: DistinctColumn
    dropped: np.ndarray  # bool per row

    @cached_property
    def _valid(self) -> np.ndarray:
        """Per distinct cell: its valid value as an object (None for NA)."""
        values = self.column.values.to_numpy(dtype=object, copy=True)
        values[self.column.missing] = None
        return values

    def objects(self, fill: object = None) -> np.ndarray:
        """Per row: the value (object array; ``fill`` for NA)."""
        values = self._valid if fill is None else np.where(self.column.missing, fill, self._valid)
        codes = self.column.codes
        if self.dropped.any():
            codes = np.where(self.dropped, len(values), codes)
        return np.append(values, fill).take(codes)  # the appended ``fill`` for the dropped rows

    def known(self) -> np.ndarray:
        return ~self.column.missing[self.column.codes] & ~self.dropped

    def equals(self, value: object) -> np.ndarray:
        """Per row: does the (valid) value equal ``value``?"""
        return (self._valid == value)[self.column.codes] & ~self.dropped

    def satisfies(self, test: Callable[[object], bool]) -> np.ndarray:
        """Per row: does the (valid) value pass ``test`` (called with None for NA), tested once per distinct cell?"""
        passes = np.fromiter(map(test, self._valid), dtype=bool, count=len(self._valid))
        return passes[self.column.codes] & ~self.dropped

    def folded_rows(self) -> np.ndarray:
        """Per row: id of the folded value (:attr:`DistinctColumn.folded`), -1 for NA."""
        ids = self.column.folded_rows()
        return np.where(self.dropped, -1, ids)
