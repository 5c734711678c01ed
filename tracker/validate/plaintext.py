"""The parsers' fast path for a column whose cells are all text or None (what a CSV register gives).

Each text operation of the parsers (strip, NFKC + strip, the ID number and phone forms) leaves most texts
unchanged. The column's :class:`~tracker.validate.textmatrix.TextMatrix` tells which ones, vectorized; only the others
go through :mod:`tracker.validate.textops` one by one. Results are object arrays over the text cells, plus where the
result is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import numpy as np

from tracker.validate import textops

from .textmatrix import BRACKET, LETTER_E, NON_ASCII, NON_DIGIT, PLUS, SPACE, TextMatrix

MATRIX_FROM = 2_000  # smaller columns are cheaper text by text


class PlainColumn:
    """The cells of one raw column, every one text or None."""

    def __init__(self, values: np.ndarray, where: np.ndarray, nul_free: bool = False) -> None:
        self.values = values  # object: every cell
        self.where = where  # bool: the text cells
        if where.all():
            self.strings = values  # object array of str
        elif where[:-1].all():
            self.strings = values[:-1]  # the usual: distinct texts, then a None (a view, no copy)
        else:
            self.strings = values[where]
        self.nul_free = nul_free  # no text holds a NUL character

    @cached_property
    def matrix(self) -> TextMatrix | None:
        return TextMatrix.of(self.strings, self.nul_free) if len(self.strings) >= MATRIX_FROM else None

    def _apply(self, same: np.ndarray | None, operation: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """``operation`` (of an array of texts) on every text, skipping those ``same`` says it leaves alone."""
        if same is None:
            return operation(self.strings)
        changed = np.flatnonzero(~same)
        if not len(changed):
            return self.strings
        out = self.strings.copy()
        out[changed] = operation(self.strings[changed])
        return out

    def _empty(self, texts: np.ndarray, same: np.ndarray | None) -> np.ndarray:
        """Which results are "" (from the matrix for the texts left alone)."""
        if same is None:
            return texts == ""
        empty = same & (self.matrix.lengths == 0)  # type: ignore[union-attr]
        changed = np.flatnonzero(~same)
        empty[changed] = texts[changed] == ""
        return empty

    def spread(self, texts: np.ndarray, empty: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Results back at their cells (object array) and where they are NA (not text, or ``empty``)."""
        out = np.full(len(self.values), None, dtype=object)
        out[self.where] = texts
        missing = ~self.where
        if empty is not None and empty.any():
            at = np.flatnonzero(self.where)[empty]
            out[at] = None
            missing[at] = True
        return out, missing

    def stripped(self) -> tuple[np.ndarray, np.ndarray]:
        """``str.strip`` of each text, and which came out empty."""
        m = self.matrix
        same = ~m.edge_spaces if m is not None else None
        texts = self._apply(same, textops.strip)
        return texts, self._empty(texts, same)

    def normalized(self) -> tuple[np.ndarray, np.ndarray]:
        """NFKC (non-ASCII) and strip, and which came out empty."""
        m = self.matrix
        same = m.ascii & ~m.edge_spaces if m is not None else None
        texts = self._apply(same, textops.normalized)
        return texts, self._empty(texts, same)

    def id_texts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ID numbers (normalized, no space, upper case), which came out empty, which are scientific."""
        m = self.matrix
        same = m.folded if m is not None else None
        texts = self._apply(same, textops.id_texts)
        empty = self._empty(texts, same)
        scientific = np.zeros(len(texts), dtype=bool)
        if m is None or same is None:
            maybe = np.arange(len(texts))
        else:  # a text left alone can only be scientific with an E and a +
            maybe = np.flatnonzero((m.any_of(LETTER_E) & m.any_of(PLUS)) | ~same)
        maybe = maybe[~empty[maybe]]
        scientific[maybe] = textops.scientific(texts[maybe])
        return texts, empty, scientific

    def phone_texts(self) -> tuple[np.ndarray, np.ndarray]:
        """Phone numbers (normalized, no space, no brackets), and which are empty *before* the brackets went
        (a cell of only brackets gives "", not NA)."""
        m = self.matrix
        same = ~m.any_of(NON_ASCII | SPACE | BRACKET) if m is not None else None
        texts = self._apply(same, textops.phone_texts)
        if same is None:
            return texts, textops.normalized(self.strings) == ""
        empty = same & (m.lengths == 0)  # type: ignore[union-attr]
        changed = np.flatnonzero(~same)
        empty[changed] = textops.normalized(self.strings[changed]) == ""
        return texts, empty

    def folded_same(self) -> np.ndarray | None:
        """Per text: :func:`tracker.validate.textops.match_text` leaves it unchanged, and so do strip and the ID form
        (None without a matrix: nothing known)."""
        m = self.matrix
        return m.folded & (m.lengths > 0) if m is not None else None

    def digits(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Which cells are ASCII digits only (1 to 15 of them, exact as floats; left alone by the normalization),
        and their values; None without a text matrix."""
        m = self.matrix
        if m is None:
            return None
        simple = ~m.any_of(NON_DIGIT) & (m.lengths >= 1) & (m.lengths <= 15)  # digits only: ASCII, no spaces
        rows = np.flatnonzero(simple)
        width = min(m.codes.shape[1], 15)
        digits = m.codes[rows, :width].astype(np.int64) - 48
        value = np.zeros(len(rows), dtype=np.int64)
        for j in range(width):  # Horner, each text up to its own length
            value = np.where(j < m.lengths[rows], value * 10 + digits[:, j], value)
        where = np.zeros(len(self.values), dtype=bool)
        at = np.flatnonzero(self.where)[rows]
        where[at] = True
        return where, value  # rows and cells both ascending: values in the order of ``where``


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])  # index 0: no such month


def real_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Which (year, month, day) integer triples are dates of the Gregorian calendar (any year)."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    longest = _MONTH_DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    return (month >= 1) & (month <= 12) & (day >= 1) & (day <= longest)


def iso_dates(strings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which texts are written ``2020-04-03`` (ten ASCII characters), and their date: NaT unless a real date
    of 1900..2100, as :func:`tracker.validate.cells._dates_from_text` makes of them."""
    shaped = ((np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)) == 10)
              & np.fromiter(map(str.isascii, strings), dtype=bool, count=len(strings)))
    if not shaped.any():
        return shaped, np.zeros(0, dtype="datetime64[s]")
    chars = np.frombuffer("".join(strings[shaped]).encode("ascii"), dtype=np.uint8).reshape(-1, 10).astype(np.int64)
    digits = chars - 48
    numeric = np.delete(digits, [4, 7], axis=1)
    iso = ((numeric >= 0) & (numeric <= 9)).all(axis=1) & (chars[:, 4] == ord("-")) & (chars[:, 7] == ord("-"))
    shaped[shaped] = iso
    digits = digits[iso]
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month, day = digits[:, 5] * 10 + digits[:, 6], digits[:, 8] * 10 + digits[:, 9]
    real = real_dates(year, month, day) & (year >= 1900) & (year <= 2100)
    days = np.full(len(year), np.datetime64("NaT"), dtype="datetime64[s]")
    first = (year[real] - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month[real] - 1)
    days[real] = (first.astype("datetime64[D]") + (day[real] - 1)).astype("datetime64[s]")
    return shaped, days
