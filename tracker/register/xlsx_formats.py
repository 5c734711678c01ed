"""Which cell number formats openpyxl and calamine read as dates or durations (they do not always agree).

A number in a date-formatted cell is a ``datetime``/``time`` (openpyxl) or ``date``/``datetime``/``time``
(calamine), in a duration-formatted one (``[h]:mm``) a ``timedelta``.  Both libraries decide from the format
text; these are ports of their two tests, so :mod:`tracker.register.xlsx_read` can find the styles where they differ.
"""

from __future__ import annotations

import re

OTHER, DATE, DURATION = 0, 1, 2

_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')  # openpyxl.styles.numbers
_DURATION_FORMAT = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)
#: openpyxl's built-in formats (by numFmtId) that it reads as dates or durations; it reads no other built-in so
OPENPYXL_BUILTIN_DATES = {14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
                          19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 45: "mm:ss",
                          46: "[h]:mm:ss", 47: "mmss.0"}


def openpyxl_kind(fmt: str | None) -> int:
    """openpyxl.styles.numbers.is_date_format / is_timedelta_format."""
    if fmt is None:
        return OTHER
    first = fmt.split(";")[0]
    if re.search(r"(?<![_\\])[dmhysDMHYS]", _STRIP.sub("", first)) is None:
        return OTHER
    return DURATION if _DURATION_FORMAT.search(first) else DATE


def calamine_builtin_kind(raw: str) -> int:
    """calamine's built-in number formats (formats::builtin_format_by_id)."""
    if raw == "46":
        return DURATION
    return DATE if raw in ("14", "15", "16", "17", "18", "19", "20", "21", "22", "45", "47") else OTHER


def calamine_kind(fmt: str) -> int:
    """calamine's formats::detect_custom_number_format, line for line."""
    escaped = quoted = ampm = hms = False
    brackets, prev = 0, " "
    for char in fmt:
        if escaped:
            escaped = False
        elif char in "_\\*":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == ";":
            return OTHER
        elif char == "[":
            brackets += 1
        elif char == "]":
            if brackets == 1 and hms:
                return DURATION
            brackets = max(brackets - 1, 0)
        elif char in "aA" and not ampm and brackets == 0:
            ampm = True
        elif brackets == 0 and char in ("pm/PM" if ampm else "dmhysDMHYS"):
            return DATE
        elif not (hms and _ascii_fold(char) == _ascii_fold(prev)):
            hms = prev == "[" and char in "mhsMHS"
        prev = char
    return OTHER


def _ascii_fold(char: str) -> str:
    return char.lower() if char.isascii() else char

