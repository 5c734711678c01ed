"""Site passwords: the strength policy, generated passwords and the per-township distribution sheets.

Three levels of password (see :mod:`tracker.protect.encryption` for how they become page keys):

* **county** (县级) — opens every protected page;
* **township** (乡镇) — opens its township page, its checklist and each of its villages;
* **village** (村) — opens that village's page only.

Policy (:func:`check_strength`): every password must carry at least :data:`MIN_BITS` = 80 bits of
estimated entropy and be at least :data:`MIN_LENGTH` characters long, and no two places may share a
password (a village password equal to its township's would open the township).  80 bits matter because
the site is static: whoever holds a copy of the files can guess offline, with no rate limit, against the
keystore entries every protected page carries (PBKDF2-SHA256, see :data:`tracker.protect.encryption.KDF_POW`).

Generated passwords (:func:`generate_password`) are made to be read aloud over the phone and typed on
any keyboard: four groups of three pinyin syllables and one group of three digits, e.g.
``yefufa-bicica-zapuli-xufawu-374``.  Each syllable is drawn uniformly from :data:`SYLLABLES`, 64 real
pinyin syllables of one consonant and one vowel (so the letters split into syllables in exactly one
way), each digit uniformly from 0-9, all from :class:`secrets.SystemRandom` unless a test passes its own
``random.Random``.  Their entropy is therefore exact: 12 x log2(64) + 3 x log2(10) = 81.97 bits (draws
with a letter group twice or fewer than 6 different syllables, about 1 in 40,000, are drawn again: this
costs less than 0.0001 bit, and lets the policy treat ``bababa-bababa-...`` written by a person as weak).

Passwords chosen by people are estimated conservatively (:func:`estimate_bits`): a letter counts
4.7 bits when it starts a run of letters and only 2 bits inside the run (words and pinyin are
predictable), a digit 3.3 bits, an upper-case letter inside a run 1 bit extra, any other character
5 bits; a character repeating the previous one, continuing an ascending or descending sequence
(``abc``, ``321``), repeating an earlier stretch of three or more characters, or belonging to a common
pattern (``password``, ``123456``, ``qwerty``, ``woaini``, ...) counts nothing; and the total never
exceeds the brute-force bound length x log2(alphabet).  A person-chosen password therefore needs to be
long and random-looking; ``tracker passwords generate`` is the easy way.
"""

from __future__ import annotations

import math
import os
import random
import re
import secrets as _secrets
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tracker.common import ConfigError

MIN_BITS = 80
MIN_LENGTH = 16

#: 64 pinyin syllables of one consonant + one vowel: unambiguous to split, to say and to type.
SYLLABLES = (
    "ba", "bi", "bo", "bu", "pa", "pi", "po", "pu", "ma", "mi", "mo", "mu", "fa", "fo", "fu", "da",
    "de", "di", "du", "ta", "te", "ti", "tu", "na", "ne", "ni", "nu", "la", "le", "li", "lu", "ga",
    "ge", "gu", "ka", "ke", "ku", "ha", "he", "hu", "ji", "ju", "qi", "qu", "xi", "xu", "za", "zi",
    "zu", "ca", "ci", "cu", "sa", "se", "si", "su", "ru", "ya", "ye", "yi", "yu", "wa", "wo", "wu",
)
GROUPS = 4
SYLLABLES_PER_GROUP = 3
DIGITS = 3
SEPARATOR = "-"
GENERATED_BITS = GROUPS * SYLLABLES_PER_GROUP * math.log2(len(SYLLABLES)) + DIGITS * math.log2(10)

_SYLLABLE_RE = "(?:" + "|".join(SYLLABLES) + ")"
GENERATED_RE = re.compile(
    rf"(?:{_SYLLABLE_RE}{{{SYLLABLES_PER_GROUP}}}{SEPARATOR}){{{GROUPS}}}\d{{{DIGITS}}}")

#: Stretches that add (almost) nothing to a password however long they make it.
COMMON_PATTERNS = (
    "password", "passw0rd", "p@ssw0rd", "admin", "root", "login", "welcome", "letmein", "iloveyou", "monkey",
    "dragon", "master", "qwerty", "asdfgh", "zxcvbn", "qazwsx", "1qaz2wsx", "abc123", "123456", "654321",
    "111111", "888888", "666666", "520520", "5201314", "woaini", "nihao", "mima", "fanpin", "fangfanpin",
    "jiance", "tuopin", "zhengfu", "xianwei",
)
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _varied(password: str) -> bool:
    """Not degenerate: no letter group twice and at least 6 different syllables of the 12."""
    groups = password.split(SEPARATOR)[:GROUPS]
    syllables = [g[i:i + 2] for g in groups for i in range(0, len(g), 2)]
    return len(set(groups)) == len(groups) and len(set(syllables)) >= 6


def generate_password(rng: random.Random | None = None) -> str:
    """A fresh password of :data:`GENERATED_BITS` bits (see the module docstring)."""
    rng = rng or _secrets.SystemRandom()
    while True:
        groups = ["".join(rng.choice(SYLLABLES) for _ in range(SYLLABLES_PER_GROUP)) for _ in range(GROUPS)]
        groups.append("".join(rng.choice("0123456789") for _ in range(DIGITS)))
        password = SEPARATOR.join(groups)
        if _varied(password):  # rejects about 1 draw in 40,000: costs under 0.0001 bit
            return password


def _class(ch: str) -> str:
    if ch.isascii() and ch.isdigit():
        return "digit"
    if ch.isascii() and ch.isalpha():
        return "letter"
    return "other"


def _alphabet(password: str) -> int:
    size = 0
    if any(c.isascii() and c.islower() for c in password):
        size += 26
    if any(c.isascii() and c.isupper() for c in password):
        size += 26
    if any(c.isascii() and c.isdigit() for c in password):
        size += 10
    if any(c.isascii() and not c.isalnum() for c in password):
        size += 33
    if any(not c.isascii() for c in password):
        size += 100  # a person picks Chinese characters from a few hundred common ones, in phrases
    return max(size, 1)


def _pattern_mask(password: str) -> list[bool]:
    """True for each character inside a common pattern or a keyboard run of four or more."""
    low = password.lower()
    masked = [False] * len(password)
    for pattern in COMMON_PATTERNS:
        start = low.find(pattern)
        while start >= 0:
            masked[start:start + len(pattern)] = [True] * len(pattern)
            start = low.find(pattern, start + 1)
    for row in _KEYBOARD_ROWS:
        for seq in (row, row[::-1]):
            for i in range(len(seq) - 3):
                start = low.find(seq[i:i + 4])
                while start >= 0:
                    masked[start:start + 4] = [True] * 4
                    start = low.find(seq[i:i + 4], start + 1)
    return masked


def _repeat_mask(password: str) -> list[bool]:
    """True for each character of a stretch of three or more that already appeared earlier."""
    masked = [False] * len(password)
    for i in range(1, len(password) - 2):
        if password.find(password[i:i + 3]) < i:
            masked[i:i + 3] = [True] * 3
    return masked


def estimate_bits(password: str) -> float:
    """Estimated entropy in bits: exact for the generated format, conservative otherwise (module docstring)."""
    if GENERATED_RE.fullmatch(password) and _varied(password):
        return GENERATED_BITS
    masked = [a or b for a, b in zip(_pattern_mask(password), _repeat_mask(password), strict=True)]
    bits = 0.0
    for i, ch in enumerate(password):
        prev = password[i - 1] if i else ""
        if masked[i]:
            continue
        if prev and (ch == prev or (_class(ch) == _class(prev) != "other" and abs(ord(ch) - ord(prev)) == 1)):
            continue  # repetition or sequence
        kind = _class(ch)
        if kind == "letter":
            in_run = bool(prev) and _class(prev) == "letter"
            bits += 2.0 + (1.0 if ch.isupper() else 0.0) if in_run else math.log2(26)
        elif kind == "digit":
            bits += math.log2(10)
        else:
            bits += 5.0
    return min(bits, len(password) * math.log2(_alphabet(password)))


def check_strength(password: str, where: str) -> None:
    """Raise :class:`ConfigError` naming ``where`` (never the password) if the policy refuses it."""
    hint = "请运行 tracker passwords generate 生成新密码，或改用更长、更随机的密码。"
    if not isinstance(password, str) or not password.strip():
        raise ConfigError(f"{where}的密码是空的：{hint}")
    if password != password.strip():
        raise ConfigError(f"{where}的密码首尾有空格，容易输错：请去掉空格。")
    if len(password) < MIN_LENGTH:
        raise ConfigError(f"{where}的密码太短（{len(password)} 个字符，至少 {MIN_LENGTH} 个）：{hint}")
    bits = estimate_bits(password)
    if bits < MIN_BITS:
        raise ConfigError(f"{where}的密码强度不够（估计约 {bits:.0f} 位，至少需要 {MIN_BITS} 位）：{hint}")


# --------------------------------------------------------------------------------------- secrets model


def fold(name: str) -> str:
    """Fold a township or village name the way the register matches them (width, spaces, case)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name))).upper()


@dataclass
class Secrets:
    """All passwords of one county. Townships by name, villages by (township, village) as in the register."""

    county: str | None = None
    townships: dict[str, str] = field(default_factory=dict)
    villages: dict[tuple[str, str], str] = field(default_factory=dict)
    source: Path | None = None

    def township(self, name: str) -> str | None:
        wanted = fold(name)
        return next((pw for key, pw in self.townships.items() if fold(key) == wanted), None)

    def village(self, township: str, village: str) -> str | None:
        wanted = (fold(township), fold(village))
        return next((pw for (t, v), pw in self.villages.items() if (fold(t), fold(v)) == wanted), None)

    def folded(self) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
        """Townships' and villages' passwords by folded name (the first of equal folds wins, as in
        :meth:`township` and :meth:`village`): for looking up every place of a county at once."""
        townships: dict[str, str] = {}
        for key, pw in self.townships.items():
            townships.setdefault(fold(key), pw)
        villages: dict[tuple[str, str], str] = {}
        for (t, v), pw in self.villages.items():
            villages.setdefault((fold(t), fold(v)), pw)
        return townships, villages

    def places(self) -> list[tuple[str, str]]:
        """(description, password) for every password, the description naming the level and place."""
        out = [("县级", self.county)] if self.county else []
        out += [(f"乡镇「{t}」", pw) for t, pw in self.townships.items()]
        out += [(f"村「{t}/{v}」", pw) for (t, v), pw in self.villages.items()]
        return out

    def check(self) -> None:
        """Apply the policy to every password and refuse a password shared by two places."""
        if not self.county:
            raise ConfigError("没有县级密码：请在密码文件的 [county] 里写 password，或设置环境变量 "
                              "TRACKER_COUNTY_PASSWORD。")
        seen: dict[str, str] = {}
        for where, pw in self.places():
            check_strength(pw, where)
            if pw in seen:
                raise ConfigError(f"{seen[pw]}和{where}用了同一个密码：每一处必须用不同的密码，否则一个村的密码"
                                  "会打开别处的页面。")
            seen[pw] = where


Names = Iterable[tuple[str, str]]


def place_names(model_or_names: object) -> list[tuple[str, str]]:
    """(township, village) pairs from a :class:`tracker.site.views.SiteModel` or an iterable of pairs."""
    townships = getattr(model_or_names, "townships", None)
    if townships is not None:
        return [(v.township, v.name) for t in townships for v in t.villages]
    return [(str(t), str(v)) for t, v in model_or_names]  # type: ignore[attr-defined]


def generate_secrets(model_or_names: object, rng: random.Random | None = None,
                     keep: Secrets | None = None) -> Secrets:
    """A password for the county, every township and every village; ``keep``'s existing ones are reused."""
    rng = rng or _secrets.SystemRandom()
    keep = keep or Secrets()
    out = Secrets(county=keep.county or generate_password(rng))
    kept_townships, kept_villages = keep.folded()
    done_townships: set[str] = set()
    done_villages: set[tuple[str, str]] = set()
    for township, village in place_names(model_or_names):
        t, v = fold(township), fold(village)
        if t not in done_townships:
            done_townships.add(t)
            out.townships[township] = kept_townships.get(t) or generate_password(rng)
        if (t, v) not in done_villages:
            done_villages.add((t, v))
            out.villages[(township, village)] = kept_villages.get((t, v)) or generate_password(rng)
    return out


# ----------------------------------------------------------------------------------- distribution sheets


def _safe_filename(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("._") or "乡镇"


def distribution_sheets(secrets: Secrets, county: str = "本县") -> dict[str, str]:
    """One Markdown sheet per township (file name -> text): who gets which password, to print and hand out."""
    by_township: dict[str, list[tuple[str, str]]] = {}
    for (township, village), pw in secrets.villages.items():
        by_township.setdefault(township, []).append((village, pw))
    for township in secrets.townships:
        by_township.setdefault(township, [])
    sheets: dict[str, str] = {}
    for township, villages in by_township.items():
        lines = [
            f"# {county}{township} 防止返贫监测台账网站密码分发表",
            "",
            "**机密：请当面或电话逐个告知，不要拍照、不要发到群里；分发完毕后销毁本表。**",
            "",
            "密码只给对应的人：乡镇密码给乡镇负责监测工作的同志（能打开本乡镇页面、清单和所属各村）；",
            "每个村的密码只给该村的监测负责人（只能打开本村页面）。读密码时按“-”分组，字母都是小写拼音音节。",
            "",
            "| 发给 | 能打开 | 密码 | 签收 |",
            "|---|---|---|---|",
            f"| {township}（乡镇） | 本乡镇页面、清单和所属各村 | `{secrets.township(township) or '（未设置）'}` | |",
        ]
        lines += [f"| {village}（村） | 本村页面 | `{pw}` | |" for village, pw in villages]
        lines.append("")
        sheets[f"{_safe_filename(township)}.md"] = "\n".join(lines)
    return sheets


def write_sheets(sheets: Mapping[str, str], directory: Path) -> list[Path]:
    """Write the sheets, each readable by the owner only (0600)."""
    if not directory.exists():
        directory.mkdir(parents=True)
        os.chmod(directory, 0o700)
    written = []
    for name, text in sheets.items():
        path = directory / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(path, 0o600)
        written.append(path)
    return written
