"""Messy cell values for the equivalence tests of the fast paths: every tolerated form, every kind of error,
odd whitespace and widths, text a parser changes and text it leaves alone."""

from __future__ import annotations

import random
from datetime import date, datetime

BASE = [
    "", " ", "  ", "\t", "\u3000", "\xa0", "\x1c", "6000", " 6000 ", "6,000", "6000元", "６０００", "6000.00", "￥6000",
    "6，000", "abc", "H0001", " h0001 ", "h 00 01", "Ｈ０００１", "411790197009208978", "41179019700920897x",
    "41179019700920897Ｘ", " 4117 9019 7009 2089 7X ", "4.10102E+17", "4.1e+17", "4E+17", "13812345678",
    "138 1234 5678", "(0371)66661234", "（0371）66661234", "()", "（）", " ( ) ", "0371-66661234", "+86-13812345678",
    "23812345678", "03716666123", "2020-04-03", "2020/4/3", "2020.4.3", "2020年4月3日", "20200403", "43924",
    "2020-02-30", "２０２０-04-03", "2020-13-01", "1899-12-31", "因病、因学，因灾,因残", "、、", "监测中", " 边缘户 ",
    "是", "否", "TRUE", "①②", "Ⅸ", "ﬁ", "e\u0301", "\U0001F600", "a\u2028b", "x\x1cy", "4人", "三口", "-5", "+5", ".5",
    "5.",
    "1e3", "inf", "nan", "-0", "0.0", "410102001001", "4101020010０1", " 410102 001001 ", "12345678901", "\u200b",
    "清河县", "城关镇", "东村", " 西村", "西 村", "王某", "Ab", "AB", "ab", "12345678901234567", "1234567890123456",
]
#: Digits that are not ASCII (Arabic-Indic, Devanagari): no parser may read them as digits (NFKC leaves them), so
#: they are type errors of their cell and must never stop a whole column (it once raised, or skipped its checks).
EXOTIC = ["٤١١٧٩٠١٩٧٠٠٩٢٠٨٩٧٨", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧X", "٤٣٩٢٤", "٤٣٩٢٤.٥", "٦٠٠٠", "٢٠٢٠-٠٤-٠٣", "٢٠٢٠٠٤٠٣",
          "١٣٨١٢٣٤٥٦٧٨", "٤.١E+١٧", "४११७९०१९७००९२०८९७८"]
SEPARATORS = ["", " ", "\u3000", "x", "X", "、", "-", "E+"]


def messy_texts(n: int = 800, seed: int = 0, exotic: bool = False) -> list[str]:
    rnd = random.Random(seed)
    base = BASE + (EXOTIC if exotic else [])
    out = list(base)
    for _ in range(n):
        out.append(rnd.choice(base) + rnd.choice(SEPARATORS) + rnd.choice(base))
    return out


def messy_cells(n: int = 800, seed: int = 0) -> list[object]:
    """Texts and the other cell types a workbook gives (numbers, dates, booleans, None)."""
    rnd = random.Random(seed)
    others: list[object] = [None, 6000, 6000.0, 6000.5, -0.0, 0, 43924, 43924.0, 20200403, 410102198001010171,
                            True, False, datetime(2020, 4, 3), date(2020, 4, 3), datetime(2020, 4, 3, 12, 30),
                            float("nan"), 3.5, 25, 1e20,
                            # absurd dates: a range error (tracker.validate.schema.date_window), never a deadline
                            datetime(9999, 12, 31), date(1899, 12, 31), datetime(1020, 5, 10), date(2099, 1, 1)]
    texts = messy_texts(n, seed)
    return [rnd.choice(others) if rnd.random() < 0.25 else t for t in texts]
