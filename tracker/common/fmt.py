"""Display formats for pages: Chinese dates, yuan amounts, masked ID numbers and phones."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def as_date(value: object) -> date | None:
    if type(value) is date:
        return value
    if is_missing(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return None


CN_DATE = "{}年{}月{}日"  # year, month, day
YUAN_WHOLE, YUAN_CENTS = "{:,.0f} 元", "{:,.2f} 元"  # two decimals only when there are cents


def cn_date(value: object) -> str:
    """2020年6月15日; empty for a missing date."""
    day = as_date(value)
    return CN_DATE.format(day.year, day.month, day.day) if day else ""


def yuan(value: object) -> str:
    """6,000 元 (two decimals only when there are cents)."""
    if is_missing(value):
        return ""
    number = float(value) + 0.0  # type: ignore[arg-type]  # + 0.0: -0.0 becomes 0.0, never "-0 元"
    return (YUAN_WHOLE if number.is_integer() else YUAN_CENTS).format(number)


def mask_id(value: object) -> str:
    """First 4 and last 4 characters of an ID number, the middle starred."""
    if is_missing(value):
        return ""
    text = str(value)
    if len(text) <= 8:
        return "*" * len(text)
    return f"{text[:4]}{'*' * (len(text) - 8)}{text[-4:]}"


def mask_phone(value: object) -> str:
    """First 3 and last 4 digits of a phone number."""
    if is_missing(value):
        return ""
    digits = str(value)
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def text(value: object) -> str:
    return "" if is_missing(value) else str(value)
