"""Dictionary-encoded raw cells: a column as integer codes into its distinct cells.

Registers repeat values heavily (dates, amounts, enum words, village and cadre names), so validation
parses, displays and checks each *distinct* cell once and spreads the result over the rows with the
codes. Two cells share a code only when they are the same text, or values of the same type with the same
``repr`` (so ``1`` and ``1.0``, ``True`` and ``1``, ``0.0`` and ``-0.0`` stay apart): whatever is derived
from one is exactly what would be derived from the other.

:class:`EncodedRows` is the row sequence of a sheet read from CSV, kept encoded (a code matrix and the
distinct texts of each column position) instead of a million tuples of strings; it behaves as the
``rows`` tuple of a :class:`~tracker.register.sheets.RawSheet` for everyone else.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import count, islice, repeat, zip_longest
from typing import overload

import numpy as np
import pandas as pd

from tracker.common import paused_gc

from .sheets import Cell

ABSENT = -1  # code of a cell beyond the end of its row (None)
_CHUNK = 4_096  # CSV records encoded at a time (bounds the memory of not-yet-shared strings)
Row = tuple[int, tuple[Cell, ...]]


@dataclass(frozen=True, eq=False)
class RawColumn:
    """The raw cells of one column: ``uniques[codes]``. ``codes`` has one entry per data row."""

    codes: np.ndarray  # indexes into uniques: int8, int16 or int32 (narrow_codes)
    uniques: np.ndarray  # object: the distinct cells of these rows (pairwise different)
    text_only: bool = False  # every distinct cell is text, but the last one which may be None
    nul_free: bool = False  # no text holds a NUL character

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", narrow_codes(self.codes, len(self.uniques)))

    def __len__(self) -> int:
        return len(self.codes)

    def cells(self) -> np.ndarray:
        """Every row's cell (object array)."""
        return self.uniques.take(self.codes)


def narrow_codes(codes: np.ndarray, size: int) -> np.ndarray:
    """``codes`` (into ``size`` distinct cells) in the smallest signed integer type that also holds ``size`` itself
    (a sentinel some callers append) and -1: a few hundred distinct cells over a million rows take 1 byte a row."""
    for dtype in (np.int8, np.int16, np.int32):
        if size < np.iinfo(dtype).max:
            return codes.astype(dtype, copy=False)
    return codes


#: Cell types of which two equal values are always the same cell (not float: -0.0 == 0.0 and NaN; not a mix:
#: 1 == 1.0 == True).
_HASH_EXACT = {int, datetime, date, bool, type(None)}


def _key(cell: object) -> object:
    return cell if cell is None or type(cell) is str else (type(cell), repr(cell))


def encode_values(values: Sequence[Cell] | np.ndarray) -> RawColumn:
    """Encode cells of any source (text, numbers, dates, booleans, None)."""
    cells = np.empty(len(values), dtype=object)
    cells[:] = values if not isinstance(values, np.ndarray) else values.astype(object, copy=False)
    kinds = set(map(type, cells))
    if kinds <= {str, type(None)} or (len(kinds - {type(None)}) == 1 and not kinds - _HASH_EXACT):
        # one kind of cell whose equal values are the same cell (text, or only whole numbers, or only dates):
        # pandas' hashing sets them apart as _key would, without a repr per cell
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)  # None -> -1
        uniques = np.append(np.asarray(uniques, dtype=object), None)
        return RawColumn(np.where(codes < 0, len(uniques) - 1, codes).astype(np.int32), uniques,
                         text_only=kinds <= {str, type(None)})
    keys = np.empty(len(cells), dtype=object)
    keys[:] = [_key(c) for c in cells]
    codes, _ = pd.factorize(keys, use_na_sentinel=True)
    none = codes < 0
    codes = codes.astype(np.int32)
    ids, first = np.unique(codes[~none], return_index=True)
    uniques = np.empty(len(ids) + 1, dtype=object)
    uniques[: len(ids)] = cells[~none][first]
    codes[none] = len(ids)
    return RawColumn(codes, uniques)


def encode_rows(data: Sequence[tuple[Cell, ...]], positions: dict[str, int]) -> dict[str, RawColumn]:
    """Columns (by key) of plain row tuples; a cell beyond the end of its row is None."""
    if not positions:
        return {}
    width = max(positions.values()) + 1
    columns = list(islice(_transpose(data, width), width))
    return {key: encode_values(columns[pos]) for key, pos in positions.items()}


def _transpose(data: Sequence[tuple[Cell, ...]], width: int) -> Iterator[tuple[Cell, ...]]:
    if not data:
        return iter([()] * width)
    padded = (cells if len(cells) >= width else cells + (None,) * (width - len(cells)) for cells in data)
    return zip(*padded, strict=False)


class EncodedRows(Sequence[Row]):
    """Rows of a sheet as ``(number, cells)`` pairs, stored column by column: for each column position the
    codes of its cells (``-1``: beyond the row's end) and its distinct cells (text). Rows that are empty after
    trimming are not stored."""

    def __init__(self, numbers: np.ndarray, codes: np.ndarray, uniques: list[np.ndarray], nul_free: bool = False,
                 spare: list[np.ndarray] | None = None) -> None:
        self.nul_free = nul_free  # known: no text holds a NUL character
        # per column position: codes of cells trimming may have left unused (empty text, beyond a record)
        self.spare = spare if spare is not None else [np.zeros(0, dtype=np.int64)] * codes.shape[0]
        self.numbers = numbers  # int64 spreadsheet row numbers
        self.codes = codes  # (width, rows) int32: one contiguous row of codes per column position
        self.uniques = uniques  # per column position: object array of distinct texts
        present = codes >= 0
        self.widths = _last_true(present)

    @property
    def width(self) -> int:
        return self.codes.shape[0]

    def __len__(self) -> int:
        return len(self.numbers)

    def _rows(self, start: int, stop: int) -> Iterator[Row]:
        block = self.codes[:, start:stop]
        columns = [u.take(np.maximum(block[j], 0)) if len(u) else np.full(block.shape[1], None, dtype=object)
                   for j, u in enumerate(self.uniques)]
        rows = zip(*columns, strict=True) if columns else repeat((), block.shape[1])
        for number, width, cells in zip(self.numbers[start:stop].tolist(), self.widths[start:stop].tolist(), rows,
                                        strict=True):
            yield number, cells[:width]

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Row, ...]: ...

    def __getitem__(self, index: int | slice) -> Row | tuple[Row, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("row index out of range")
        return next(self._rows(index, index + 1))

    def __iter__(self) -> Iterator[Row]:
        yield from self._rows(0, 16)  # the header search looks at the first rows only
        for start in range(16, len(self), 10_000):
            yield from self._rows(start, start + 10_000)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (str, bytes)) or not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"EncodedRows({len(self)} rows, width {self.width})"

    def _select(self, position: int, rows: np.ndarray | slice) -> np.ndarray:
        return self.codes[position][rows]

    def column(self, position: int, rows: np.ndarray | slice) -> RawColumn:
        """The cells at ``position`` of the stored rows selected by ``rows`` (indices or a slice)."""
        if position >= self.width:
            size = len(self.numbers[rows])
            return RawColumn(np.zeros(size, dtype=np.int32), np.array([None], dtype=object), text_only=True)
        codes = self._select(position, rows)
        absent = codes < 0
        uniques = self.uniques[position]
        # only the cells these rows hold: a title or header cell above them must not reach the parsers
        unused = self._elsewhere_only(position, rows, codes)
        cells = np.empty(len(uniques) - len(unused) + 1, dtype=object)  # the last: None (beyond a record's end)
        at = start = 0
        for end in [*unused.tolist(), len(uniques)]:  # copy the runs between the dropped cells
            cells[at:at + end - start] = uniques[start:end]
            at, start = at + end - start, end + 1
        cells[-1] = None
        if len(unused):  # each kept cell moves down by the number of dropped cells up to it
            dropped = np.zeros(len(uniques) + 1, dtype=np.int32)  # the extra last entry serves -1 (absent)
            dropped[unused] = 1
            codes = codes - np.cumsum(dropped, dtype=np.int32)[codes]
        codes = np.where(absent, np.int32(len(cells) - 1), codes).astype(np.int32, copy=False)
        return RawColumn(codes, cells, text_only=True, nul_free=self.nul_free)

    def _elsewhere_only(self, position: int, rows: np.ndarray | slice, codes: np.ndarray) -> np.ndarray:
        """The codes at ``position`` that only stored rows outside ``rows`` hold (ascending)."""
        if isinstance(rows, slice):
            start, stop, _ = rows.indices(len(self.numbers))
            outside = np.r_[0:start, stop:len(self.numbers)]
        else:
            outside = np.ones(len(self.numbers), dtype=bool)
            outside[rows] = False
        theirs = np.unique(np.concatenate([self.codes[position][outside], self.spare[position]]))
        theirs = theirs[theirs >= 0]
        if len(theirs) > 8:
            return theirs[~np.isin(theirs, codes)]
        return theirs[[not (codes == code).any() for code in theirs.tolist()]]  # a few: cheaper than a table

    def blank(self, rows: np.ndarray) -> np.ndarray:
        """For the stored rows selected by ``rows``: is every cell empty or only spaces?"""
        candidates = np.ones(len(rows), dtype=bool)
        for position in sorted(range(self.width), key=lambda p: len(self.uniques[p])):  # cheapest first
            if not candidates.any():
                break
            at = np.flatnonzero(candidates)
            codes = self.codes[position][rows[at]]
            uniques = self.uniques[position]
            if len(at) * 8 > len(uniques):
                blank_unique = blank_cells(uniques)
            else:
                seen = np.unique(codes[codes >= 0])
                blank_unique = np.zeros(len(uniques), dtype=bool)
                blank_unique[seen] = blank_cells(uniques[seen])
            candidates[at] = (codes < 0) | blank_unique[np.maximum(codes, 0)]
        return candidates


def _last_true(flags: np.ndarray) -> np.ndarray:
    """Per column of a (positions, rows) matrix: 1 + the last position that is True (0 when none is)."""
    if flags.shape[0] == 0:
        return np.zeros(flags.shape[1], dtype=np.int64)
    return np.where(flags.any(axis=0), flags.shape[0] - np.argmax(flags[::-1, :], axis=0), 0)


def blank_cells(cells: np.ndarray) -> np.ndarray:
    """Per cell: None, or text that is empty or only spaces."""
    if set(map(type, cells)) <= {str}:
        return (cells == "") | np.fromiter(map(str.isspace, cells), dtype=bool, count=len(cells))
    return np.fromiter((c is None or (isinstance(c, str) and not c.strip()) for c in cells), dtype=bool,
                       count=len(cells))


def encode_records(records: Iterable[list[str]]) -> EncodedRows:
    """CSV records (``csv.reader``) numbered from 1, trimmed of trailing empty cells; rows left empty are
    dropped, as :func:`tracker.register.sources.parse_csv_text` always did. Identical texts of a column share one
    string object, and are turned into codes column by column (transposed in C, a chunk at a time)."""
    reader = iter(records)
    codes_of: list[defaultdict[str | None, int]] = []
    blocks: list[list[np.ndarray]] = []
    while chunk := list(islice(reader, _CHUNK)):
        block = []
        lengths = set(map(len, chunk))
        # None: a cell beyond the end of its record
        columns = zip(*chunk, strict=True) if len(lengths) == 1 else zip_longest(*chunk, fillvalue=None)
        for position, cells in enumerate(columns):
            if position == len(codes_of):
                codes_of.append(defaultdict(count().__next__))
            block.append(np.fromiter(map(codes_of[position].__getitem__, cells), dtype=np.int32,
                                     count=len(chunk)))
        blocks.append(block)
    width = len(codes_of)
    sizes = [len(b[0]) if b else 0 for b in blocks]
    matrix = np.full((width, sum(sizes)), ABSENT, dtype=np.int32)
    for position in range(width):
        parts = [b[position] if position < len(b) else np.full(size, ABSENT, dtype=np.int32)
                 for b, size in zip(blocks, sizes, strict=True)]
        matrix[position] = np.concatenate(parts) if parts else matrix[position]
    del blocks
    filled = matrix >= 0
    for position, codes in enumerate(codes_of):
        for empty in ("", None):
            if empty in codes:
                filled[position] &= matrix[position] != codes[empty]
    trimmed = _last_true(filled)
    del filled
    for position in range(width):
        matrix[position, trimmed <= position] = ABSENT  # trailing empty cells, and cells beyond the record
    keep = trimmed > 0
    uniques, spare = [], []
    for codes in codes_of:
        u = np.empty(len(codes), dtype=object)
        u[:] = list(codes)
        if None in codes:
            u[codes[None]] = ""  # no row refers to it any more (beyond every record's end): keep all texts
        uniques.append(u)
        spare.append(np.array([codes[e] for e in ("", None) if e in codes], dtype=np.int64))
    numbers = np.arange(1, len(trimmed) + 1, dtype=np.int64)[keep]
    # every character of a record but separators and quotes is in some cell: the distinct cells tell
    nul_free = not any("\x00" in "".join(u.tolist()) for u in uniques)
    return EncodedRows(numbers, matrix[:, keep] if not keep.all() else matrix, uniques, nul_free, spare)


def read_csv_lines(lines: Iterable[str], strict: bool = False, delimiter: str = ",") -> EncodedRows:
    """Parse CSV text lines (an open text file or ``io.StringIO`` with ``newline=""``); ``strict``: raise
    ``csv.Error`` on bad quoting instead of reading on."""
    with paused_gc():  # millions of strings and lists, none of them cyclic
        return encode_records(csv.reader(lines, strict=strict, delimiter=delimiter))
