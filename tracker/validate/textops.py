"""Text operations over arrays of ``str``, element for element exactly what the cell parsers do to one text,
but run as C-level ``map`` chains of ``str`` methods where the text is ASCII (NFKC changes no ASCII text,
and ``str.split()`` splits on exactly the characters the regex ``\\s`` matches).

Every function takes an object array of ``str`` (no None) and returns an object array of ``str``.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import repeat
from operator import contains

import numpy as np

_SPACE = re.compile(r"\s")
_SPACES = re.compile(r"\s+")
_PHONE_JUNK = re.compile(r"[\s()（）]")
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?E\+[0-9]+")


def _array(values: object, size: int) -> np.ndarray:
    return np.fromiter(values, dtype=object, count=size)  # type: ignore[call-overload]


def ascii_mask(strings: np.ndarray) -> np.ndarray:
    return np.fromiter(map(str.isascii, strings), dtype=bool, count=len(strings))


def _by_kind(strings: np.ndarray, plain: object, other: object) -> np.ndarray:
    """``plain`` (a function of an ASCII array) on the ASCII strings, ``other`` (of one str) on the rest."""
    ascii_ = ascii_mask(strings)
    if ascii_.all():
        return plain(strings)  # type: ignore[operator, no-any-return]
    out = np.empty(len(strings), dtype=object)
    out[ascii_] = plain(strings[ascii_])  # type: ignore[operator]
    rest = strings[~ascii_]
    out[~ascii_] = _array(map(other, rest), len(rest))  # type: ignore[call-overload]
    return out


def strip(strings: np.ndarray) -> np.ndarray:
    """``str.strip`` of each (free text keeps its inner spaces and width)."""
    return _array(map(str.strip, strings), len(strings))


def normalize(text: str) -> str:
    """One text NFKC-folded (full-width digits and brackets) and stripped."""
    return unicodedata.normalize("NFKC", text).strip() if not text.isascii() else text.strip()


def normalized(strings: np.ndarray) -> np.ndarray:
    return _by_kind(strings, strip, normalize)


def _no_spaces(strings: np.ndarray) -> np.ndarray:
    """ASCII: every whitespace character removed."""
    return _array(map("".join, map(str.split, strings)), len(strings))


def _upper_no_spaces(strings: np.ndarray) -> np.ndarray:
    """ASCII: every whitespace character removed, upper case."""
    return _array(map(str.upper, _no_spaces(strings)), len(strings))


def id_texts(strings: np.ndarray) -> np.ndarray:
    """ID numbers: normalized, no whitespace, upper case."""
    return _by_kind(strings, _upper_no_spaces, lambda v: _SPACE.sub("", normalize(v)).upper())


def scientific(strings: np.ndarray) -> np.ndarray:
    """Which texts look like a number Excel wrote in scientific notation (``4.10102E+17``)."""
    out = np.fromiter(map(contains, strings, repeat("E+")), dtype=bool, count=len(strings))
    at = np.flatnonzero(out)
    out[at] = [_SCIENTIFIC.fullmatch(v) is not None for v in strings[at]]
    return out


def phone_texts(strings: np.ndarray) -> np.ndarray:
    """Phone numbers: normalized, no whitespace nor brackets (possibly "" when only brackets were written)."""
    def plain(s: np.ndarray) -> np.ndarray:
        joined = _no_spaces(s)
        return _array(map(str.replace, map(str.replace, joined, repeat("("), repeat("")), repeat(")"), repeat("")),
                      len(s))

    return _by_kind(strings, plain, lambda v: _PHONE_JUNK.sub("", normalize(v)))


def match_text(value: str) -> str:
    """Fold one text for matching: NFKC (width), no whitespace at all, upper case. ASCII text needs no NFKC,
    and ``str.split`` drops exactly the characters ``\\s`` matches."""
    if value.isascii():
        return "".join(value.split()).upper()
    return _SPACES.sub("", unicodedata.normalize("NFKC", value)).upper()


def match_texts(strings: np.ndarray) -> np.ndarray:
    """:func:`match_text` of each."""
    return _by_kind(strings, _upper_no_spaces, match_text)
