"""The distinct matching keys (:func:`tracker.validate.textops.match_text`) of a column, and matching them between two
columns (a 帮扶措施 户编号 against the 监测户 ones) on 64-bit hashes of their code points.

Most keys are the raw text of a distinct cell, already folded: those are known by their row in the column's
:class:`~tracker.validate.textmatrix.TextMatrix` and never turned into new strings; the few others are kept as text.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from .textmatrix import TextMatrix

_ROWS = 65_536  # keys whose code points are compared at a time


class Keys:
    """Distinct folded texts: ids ``0..len(clean)-1`` are the raw texts ``raw[clean]`` (rows ``clean`` of
    ``matrix``), the following ids the texts ``extra``."""

    def __init__(self, raw: np.ndarray, clean: np.ndarray, extra: np.ndarray, matrix: TextMatrix | None) -> None:
        self.raw, self.clean, self.extra, self.matrix = raw, clean, extra, matrix

    def __len__(self) -> int:
        return len(self.clean) + len(self.extra)

    def drop_matrix(self) -> None:
        """Forget the matrix and the hashes made from it (later matching compares texts)."""
        self.matrix = None
        self.__dict__.pop("hashes", None)
        self.__dict__.pop("_extra_matrix", None)

    @cached_property
    def strings(self) -> np.ndarray:
        """Every key as text (object array)."""
        return np.concatenate([self.raw[self.clean], self.extra])

    @cached_property
    def _extra_matrix(self) -> TextMatrix | None:
        return TextMatrix.of(self.extra) if len(self.extra) else TextMatrix(np.zeros((0, 1), np.uint32),
                                                                            np.zeros(0, np.int64))

    def _matrices(self) -> tuple[TextMatrix, TextMatrix] | None:
        extra = self._extra_matrix
        main = self.matrix if len(self.clean) else TextMatrix(np.zeros((0, 2), np.uint32), np.zeros(0, np.int64))
        return (main, extra) if main is not None and extra is not None else None

    def codes(self, ids: np.ndarray) -> np.ndarray | None:
        """Code points of the keys ``ids`` (rows padded with 0), or None when not all are in a matrix."""
        matrices = self._matrices()
        if matrices is None:
            return None
        main, extra = matrices
        first = ids < len(self.clean)
        if first.all():
            return main.codes[self.clean[ids]]
        width = max(main.codes.shape[1], extra.codes.shape[1])
        out = np.zeros((len(ids), width), dtype=np.uint32)
        out[first, :main.codes.shape[1]] = main.codes[self.clean[ids[first]]]
        out[~first, :extra.codes.shape[1]] = extra.codes[ids[~first] - len(self.clean)]
        return out

    @cached_property
    def hashes(self) -> np.ndarray | None:
        """The 64-bit hash of every key (:attr:`TextMatrix.hashes`), or None without matrices."""
        matrices = self._matrices()
        if matrices is None:
            return None
        main, extra = matrices
        clean = main.hashes[self.clean]
        return np.concatenate([clean, extra.hashes]) if len(self.extra) else clean


def match(mine: Keys, theirs: Keys) -> np.ndarray:
    """Per key of ``theirs``: the id of the same text among ``mine`` (-2 when ``mine`` has none)."""
    if not len(theirs):
        return np.zeros(0, dtype=np.intp)
    if not len(mine):
        return np.full(len(theirs), -2, dtype=np.intp)
    found = None
    if mine.hashes is not None and theirs.hashes is not None:
        index = pd.Index(mine.hashes)
        if index.is_unique:
            found = index.get_indexer(theirs.hashes).astype(np.intp)
            hit = np.flatnonzero(found >= 0)
            for start in range(0, len(hit), _ROWS):  # a slice at a time: the code points of a million keys are big
                part = hit[start:start + _ROWS]
                same = _equal_rows(mine.codes(found[part]), theirs.codes(part))
                found[part[~same]] = -3  # a hash collision: look the text up
    if found is None:
        found = pd.Index(mine.strings).get_indexer(theirs.strings).astype(np.intp)
    collided = np.flatnonzero(found == -3)
    if len(collided):
        found[collided] = pd.Index(mine.strings).get_indexer(theirs.strings[collided])
    return np.where(found < 0, -2, found)


def _equal_rows(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray:
    """Row by row: the same code points (the wider array's extra columns all padding)."""
    assert a is not None and b is not None
    width = min(a.shape[1], b.shape[1])
    same = (a[:, :width] == b[:, :width]).all(axis=1)
    for wider in (a, b):
        if wider.shape[1] > width:
            same &= ~wider[:, width:].any(axis=1)
    return same
