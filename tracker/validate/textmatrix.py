"""Many short texts as one matrix of code points, for tests that would otherwise call a ``str`` method per text.

A million distinct 户编号 or ID numbers cost a Python call each for every question asked about them (is it
ASCII, has it spaces at its ends, lower-case letters, ...). Copied once into a ``(texts, width)`` array of
code points, every such question is a few vectorized comparisons. The parsers use it to find the texts they
would leave unchanged (most of them), and treat only the others one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

#: Every character ``str.isspace`` (and so ``str.strip``, ``str.split`` and the regex ``\s``) treats as space.
SPACES = np.array([0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002,
                   0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
                   0x3000], dtype=np.uint32)
_IS_SPACE = np.zeros(int(SPACES.max()) + 2, dtype=bool)
_IS_SPACE[SPACES] = True  # indexed by min(code point, len - 1): the last entry (False) stands for all above
#: Character classes (bits) of the code points below 256; padding (0) has none.
SPACE, LOWER, NON_ASCII, BRACKET, NON_DIGIT, LETTER_E, PLUS = 1, 2, 4, 8, 16, 32, 64
_CLASSES = np.zeros(256, dtype=np.uint8)
for _code in range(1, 256):
    _CLASSES[_code] = ((SPACE if chr(_code).isspace() else 0) | (LOWER if 97 <= _code <= 122 else 0)
                       | (NON_ASCII if _code >= 128 else 0) | (BRACKET if _code in (40, 41) else 0)
                       | (NON_DIGIT if not 48 <= _code <= 57 else 0) | (LETTER_E if _code == 69 else 0)
                       | (PLUS if _code == 43 else 0))
MAX_WIDTH = 48  # wider texts (free remarks) are left to the per-text path
_MULTIPLIERS = np.random.default_rng(20200430).integers(1, 2**63, size=64, dtype=np.uint64) | np.uint64(1)
_CHUNK = 200_000


def is_space(codes: np.ndarray) -> np.ndarray:
    return np.take(_IS_SPACE, codes, mode="clip")  # above the table: its last entry, False


def _convert(texts: np.ndarray, width: int) -> np.ndarray | None:
    """Code points of ``texts`` as a (texts, even width > ``width``) array, wider if a text needs it (the extra
    columns are padding); None when a text is wider than :data:`MAX_WIDTH`."""
    size = width + 1 + (width + 1) % 2  # one more column than guessed tells a wider text; even for hashing
    out = np.zeros((len(texts), size), dtype=np.uint32)
    strings = out.view(f"U{size}").reshape(len(texts))
    for start in range(0, len(texts), _CHUNK):
        strings[start:start + _CHUNK] = texts[start:start + _CHUNK]
    wider = np.flatnonzero(out[:, width])
    if not len(wider):
        return out
    again = texts[wider].astype(f"U{MAX_WIDTH + 1}").view(np.uint32).reshape(len(wider), MAX_WIDTH + 1)
    if again[:, MAX_WIDTH].any():
        return None
    wide = int(np.flatnonzero(again.any(axis=0)).max()) + 1
    wide += wide % 2
    codes = np.zeros((len(texts), max(wide, size)), dtype=np.uint32)
    codes[:, :size] = out
    codes[wider, :wide] = again[:, :wide]
    return codes


@dataclass(frozen=True, eq=False)
class TextMatrix:
    """``codes[i, :lengths[i]]`` are the code points of text ``i``; the rest is 0."""

    codes: np.ndarray  # (texts, width) uint32
    lengths: np.ndarray  # int64

    @classmethod
    def of(cls, texts: np.ndarray, nul_free: bool = False) -> TextMatrix | None:
        """The matrix of an object array of ``str``; None when a text is too wide or holds a NUL character
        (numpy's fixed-width strings cannot tell a trailing NUL from padding). ``nul_free``: the caller
        knows no text holds one (a CSV file without NUL bytes), so they are not looked for."""
        if not len(texts):
            return cls(np.zeros((0, 1), dtype=np.uint32), np.zeros(0, dtype=np.int64))
        sample = texts[:: max(1, len(texts) // 1000)]
        width = max(1, min(MAX_WIDTH, max(map(len, sample))))  # a guess; a wider text is noticed below
        codes = _convert(texts, width)
        if codes is None:
            return None
        lengths = np.count_nonzero(codes, axis=1).astype(np.int64)  # no NUL inside a text (checked here)
        if not nul_free and len("".join(texts.tolist())) != int(lengths.sum()):
            return None  # a NUL character somewhere
        return cls(codes, lengths)

    def __len__(self) -> int:
        return len(self.lengths)

    @cached_property
    def _flags(self) -> np.ndarray:
        """Per text: the OR of its characters' classes (:data:`SPACE`, :data:`LOWER`, ...)."""
        codes = self.codes
        wide = codes.max(axis=1) >= 256
        flags = np.bitwise_or.reduce(_CLASSES[codes.astype(np.uint8)], axis=1)  # right where nothing is wide
        rows = np.flatnonzero(wide)
        if len(rows):
            sub = codes[rows]
            low = np.bitwise_or.reduce(_CLASSES[np.where(sub < 256, sub, 0).astype(np.uint8)], axis=1)
            high = (sub >= 256)
            flags[rows] = low | NON_ASCII | NON_DIGIT | np.where((is_space(sub) & high).any(axis=1), SPACE, 0)
        return flags

    def any_of(self, classes: int) -> np.ndarray:
        """Has a character of one of ``classes`` (bits)."""
        return (self._flags & classes) != 0

    @cached_property
    def ascii(self) -> np.ndarray:
        return ~self.any_of(NON_ASCII)

    @cached_property
    def spaces(self) -> np.ndarray:
        """Has a space character anywhere."""
        return self.any_of(SPACE)

    @cached_property
    def edge_spaces(self) -> np.ndarray:
        """Starts or ends with a space character (what ``str.strip`` removes)."""
        first = self.codes[:, 0]
        last = self.codes[np.arange(len(self)), np.maximum(self.lengths - 1, 0)]
        return (self.lengths > 0) & (is_space(first) | is_space(last))

    @cached_property
    def hashes(self) -> np.ndarray:
        """A 64-bit hash per text (uint64); padding adds nothing, so matrices of any width agree."""
        codes = self.codes
        if codes.shape[1] % 2:
            codes = np.concatenate([codes, np.zeros((len(codes), 1), dtype=np.uint32)], axis=1)
        words = np.ascontiguousarray(codes).view(np.uint64)  # two code points per word
        return np.dot(words, _MULTIPLIERS[:words.shape[1]])  # wrapping arithmetic

    @cached_property
    def folded(self) -> np.ndarray:
        """Texts :func:`tracker.validate.textops.match_text` leaves unchanged: ASCII, no space, no lower-case letter."""
        return ~self.any_of(NON_ASCII | SPACE | LOWER)
