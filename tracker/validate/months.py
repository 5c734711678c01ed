"""Dates written to the month only, as registers exported from the national monitoring system write some:
``202104`` (text or a number cell), ``2022-06``, ``2022/6``, ``2022.06``, ``2022年6月``.

Such a date stands for the *last* day of its month, so a deadline counted from it is never earlier than the
truth. A cell of one of these shapes whose year is 1900..2100 is a month, whatever else it could be read as (the
text ``2022.06`` is no Excel serial number of 1905): a month outside 1..12 makes it a ``type`` error. The shapes
never overlap a full date's (``2020-04-03``, ``20200403``) or a serial number's (at most 73051), so full dates
parse exactly as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: YYYYMM, YYYY-MM / YYYY/MM / YYYY.MM (month of one or two digits), YYYY年M月; spaces around the separators
MONTH_TEXT = (
    r"^(?P<y>[0-9]{4})(?:(?P<compact>[0-9]{2})|\s*[-/.]\s*(?P<separated>[0-9]{1,2})"
    r"|\s*年\s*(?P<chinese>[0-9]{1,2})\s*月)$"
)
FIRST_YEAR, LAST_YEAR = 1900, 2100


def month_ends(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """The last day of each (year, month) as ``datetime64[s]``; NaT where the month is not 1..12 or the year not
    1900..2100."""
    year, month = np.asarray(year, dtype=np.int64), np.asarray(month, dtype=np.int64)
    real = (month >= 1) & (month <= 12) & (year >= FIRST_YEAR) & (year <= LAST_YEAR)
    out = np.full(len(year), np.datetime64("NaT"), dtype="datetime64[s]")
    next_month = (year[real] - 1970).astype("datetime64[Y]").astype("datetime64[M]") + month[real]
    out[real] = (next_month.astype("datetime64[D]") - 1).astype("datetime64[s]")
    return out


def months_from_numbers(numbers: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Number cells read as YYYYMM: which are (whole numbers 190001..210012), and per number the last day of its
    month (NaT where it is no month, 202113)."""
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        claimed = (values >= FIRST_YEAR * 100 + 1) & (values <= LAST_YEAR * 100 + 12) & (values == np.round(values))
    whole = np.where(claimed, values, 0).astype(np.int64)
    ends = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[s]")
    ends[claimed] = month_ends(whole[claimed] // 100, whole[claimed] % 100)
    return claimed, ends


def months_from_text(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Texts (normalized, no NA) of a month's shape with a year of 1900..2100: which are, and per text the last
    day of its month (NaT where the month is not 1..12)."""
    parts = text.astype("string").str.extract(MONTH_TEXT)
    month = parts["compact"].fillna(parts["separated"]).fillna(parts["chinese"])
    year = pd.to_numeric(parts["y"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        claimed = (year >= FIRST_YEAR) & (year <= LAST_YEAR) & month.notna().to_numpy(dtype=bool)
    number = pd.to_numeric(month, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ends = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[s]")
    ends[claimed] = month_ends(year[claimed].astype(np.int64), number[claimed].astype(np.int64))
    return claimed, ends
