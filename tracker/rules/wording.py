"""Formatting helpers for finding messages: plain Chinese with the concrete values.

The column helpers format each *distinct* value once and spread the text back over the rows, so message
building stays cheap on a million-row register (dates and amounts repeat a lot).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from tracker.common import CN_DATE, YUAN_CENTS, YUAN_WHOLE, cn_date, is_missing, yuan

__all__ = ["cn_date", "count", "dates", "is_missing", "join", "money", "pct", "texts", "yuan"]


def pct(value: float) -> str:
    """0.05 -> 5%, 0.0043 -> 0.43%."""
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def count(value: float) -> str:
    """84000 -> 84,000."""
    return f"{int(value):,}"


def _each(values: pd.Series, fmt: Callable[[object], str]) -> np.ndarray:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    labels = np.array([*(fmt(u) for u in uniques), ""], dtype=object)
    return labels[codes]  # the sentinel -1 picks the trailing "" (missing value)


def dates(values: pd.Series) -> np.ndarray:
    """2020年6月15日 per row ("" where missing): :func:`tracker.common.fmt.cn_date` of each distinct date.

    A date written to the month only (``202104``: the validated frame's ``attrs["months"]`` lists its rows) is
    judged as the month's last day, and says so: 2021年4月（只填到月，按月末 4月30日 计算）."""
    if not pd.api.types.is_datetime64_dtype(values.dtype):
        return _each(values, cn_date)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    stamps = pd.DatetimeIndex(uniques)
    labels = np.empty(len(stamps) + 1, dtype=object)
    labels[:-1] = list(map(CN_DATE.format, stamps.year.tolist(), stamps.month.tolist(), stamps.day.tolist()))
    labels[-1] = ""
    out = labels[codes]  # the sentinel -1 picks the trailing "" (missing value)
    months = values.attrs.get("months", {}).get(values.name)
    if months:
        at = np.flatnonzero(values.index.isin(list(months)) & values.notna().to_numpy())
        stamps_at = pd.DatetimeIndex(values.iloc[at])
        out = out.copy()
        out[at] = [f"{y}年{m}月（只填到月，按月末 {m}月{d}日 计算）"
                   for y, m, d in zip(stamps_at.year, stamps_at.month, stamps_at.day, strict=True)]
    return out


def money(values: pd.Series) -> np.ndarray:
    """6,000 元 per row ("" where missing): :func:`tracker.common.fmt.yuan` of each distinct amount."""
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return _each(values, yuan)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    numbers = np.asarray(uniques, dtype=float) + 0.0  # + 0.0 turns -0.0 into 0.0: never "-0 元"
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
    labels = np.empty(len(numbers) + 1, dtype=object)
    labels[:-1][whole] = list(map(YUAN_WHOLE.format, numbers[whole].tolist()))
    labels[:-1][~whole] = list(map(YUAN_CENTS.format, numbers[~whole].tolist()))
    labels[-1] = ""
    return labels[codes]


def texts(values: pd.Series) -> np.ndarray:
    """The value as text per row ("" where missing)."""
    return _each(values, str)


def join(parts: list[np.ndarray], sep: str) -> np.ndarray:
    """Row-wise join of the non-empty strings of ``parts`` with ``sep`` (one string built per row)."""
    out = np.empty(len(parts[0]), dtype=object)
    out[:] = [sep.join([p for p in row if p]) for row in zip(*parts, strict=True)]
    return out
