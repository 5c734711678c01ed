"""Site passwords: the strength policy, generated passwords and the passwords of one county (:class:`Secrets`).

Three levels of password (see :mod:`tracker.protect.encryption` for how they become page keys):

* **county** (县级) — opens every protected page;
* **township** (乡镇) — opens its township page, its checklist and each of its villages;
* **village** (村) — opens that village's page only.

Policy (:func:`check_strength`): every password must be at least :data:`MIN_LENGTH` characters long and
take at least :data:`tracker.protect.strength.MIN_GUESSES` = 10^16 guesses, and no two places may share a
password (a village password equal to its township's would open the township).  The guesses matter because the
site is static: whoever holds a copy of the files can guess offline, with no rate limit, against the keystore
entries every protected page carries (PBKDF2-SHA256, see :data:`tracker.protect.encryption.KDF_POW`).

Generated passwords (:func:`generate_password`) are made to be read aloud over the phone and typed on
any keyboard: four groups of three pinyin syllables and one group of three digits, e.g.
``yefufa-bicica-zapuli-xufawu-374``.  Each syllable is drawn uniformly from :data:`SYLLABLES`, 64 real
pinyin syllables of one consonant and one vowel (so the letters split into syllables in exactly one
way), each digit uniformly from 0-9, all from :class:`secrets.SystemRandom` unless a test passes its own
``random.Random``.  Their entropy is therefore exact: 12 x log2(64) + 3 x log2(10) = 81.97 bits (draws
with a letter group twice or fewer than 6 different syllables, about 1 in 40,000, are drawn again: this
costs less than 0.0001 bit, and lets the policy treat ``bababa-bababa-...`` written by a person as weak).

Passwords chosen by people are estimated with zxcvbn, fed with pinyin, the register's trade words, years and
the register's own place names (:mod:`tracker.protect.strength`): a password built from place names, pinyin,
years, sequences or repeats is refused however its parts are separated or spelled (characters, pinyin, upper
case).  ``tracker passwords generate`` is the easy way to a password that passes.
"""

from __future__ import annotations

import math
import random
import re
import secrets as _secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tracker.common import ConfigError

from .strength import MIN_GUESSES, Estimator

MIN_LENGTH = 16
#: The bar of :func:`check_strength` in bits (log2 of :data:`MIN_GUESSES`, about 53.2).
MIN_BITS = math.log2(MIN_GUESSES)

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


#: What made a refused password cheap, by zxcvbn's pattern or dictionary name, in the words of the message.
_FOUND = {
    "user_inputs": "名册里的地名", "pinyin": "拼音", "register": "常用词（县、村、监测、密码等）",
    "years": "年份", "date": "日期", "regex": "年份", "sequence": "连续的字母或数字", "repeat": "重复",
    "spatial": "键盘上连着的键",
    "passwords": "常见密码", "english_wikipedia": "英文单词", "us_tv_and_film": "英文单词", "surnames": "人名",
    "male_names": "人名", "female_names": "人名",
}


def is_generated(password: str) -> bool:
    """True for the format of :func:`generate_password` with varied syllables (its strength is exact)."""
    return bool(GENERATED_RE.fullmatch(password)) and _varied(password)


def estimate_bits(password: str, names: Iterable[str] = ()) -> float:
    """Bits of strength: exact for the generated format, else log2 of zxcvbn's guesses with ``names`` known."""
    if is_generated(password):
        return GENERATED_BITS
    return math.log2(max(Estimator(names).estimate(password).guesses, 1.0))


def check_strength(password: str, where: str, names: Iterable[str] = (), estimator: Estimator | None = None) -> None:
    """Raise :class:`ConfigError` naming ``where`` (never the password) if the policy refuses it.

    ``names``: the register's place names (county, townships, villages), which whoever knows the county tries
    first; ``estimator``: one built with them already (for checking many passwords)."""
    hint = "请运行 tracker passwords generate 生成新密码，或改用 20 个以上随机的字母、数字和符号。"
    if not isinstance(password, str) or not password.strip():
        raise ConfigError(f"{where}的密码是空的：{hint}")
    if password != password.strip():
        raise ConfigError(f"{where}的密码首尾有空格，容易输错：请去掉空格。")
    if len(password) < MIN_LENGTH:
        raise ConfigError(f"{where}的密码太短（{len(password)} 个字符，至少 {MIN_LENGTH} 个）：{hint}")
    if is_generated(password):
        return
    estimate = (estimator or Estimator(names)).estimate(password)
    if estimate.guesses < MIN_GUESSES:
        found = "、".join(dict.fromkeys(text for key, text in _FOUND.items() if key in estimate.found))
        because = f"含有{found}，" if found else ""
        raise ConfigError(f"{where}的密码太容易猜（{because}估计约 10^{math.floor(estimate.log10)} 次就能猜中，至少要 "
                          f"10^{math.log10(MIN_GUESSES):.0f} 次）：{hint}")


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

    def place_words(self) -> list[str]:
        """The township and village names this file knows: dictionary words for the strength estimate."""
        return [*self.townships, *(name for pair in self.villages for name in pair)]

    def check(self, names: Iterable[str] = ()) -> None:
        """Apply the policy to every password and refuse a password shared by two places.

        ``names``: the register's place names (county first) besides those of this file."""
        if not self.county:
            raise ConfigError("没有县级密码：请在密码文件的 [county] 里写 password，或设置环境变量 "
                              "TRACKER_COUNTY_PASSWORD。")
        estimator: Estimator | None = None
        seen: dict[str, str] = {}
        for where, pw in self.places():
            if estimator is None and not is_generated(pw):  # built once, only for a password a person chose
                estimator = Estimator([*names, *self.place_words()])
            check_strength(pw, where, estimator=estimator)
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
