"""How many guesses a person-chosen password would take: zxcvbn's model, fed with Chinese words.

The estimate is zxcvbn's (Dropbox's estimator, the Python port): it splits a password into the cheapest
sequence of dictionary words, names, keyboard patterns, repeats, sequences (``abc``, ``2468``), years and
dates, and counts the guesses an attacker trying such patterns in order would need (brute force counts 10 per
unmatched character).  Its dictionaries are English, so this module adds:

* the 412 Mandarin syllables (:data:`PINYIN_SYLLABLES`, toneless, ranked by how many characters read so);
* words of this register's trade in pinyin and in characters (:data:`REGISTER_WORDS`): 县, 乡, 镇, 村, 监测户,
  防止返贫, fanpin, jiance, mima, ...;
* the years 1949-2049, nearest to this year first (zxcvbn's own list stops at 2019);
* the place names the caller passes (the register's county, townships and villages, see :func:`place_words`):
  each as written, without its suffix (清河县 -> 清河) and both again in pinyin (qinghexian, qinghe).

Every password is estimated in several forms and the cheapest wins: as typed; with separators (``-``, ``_``,
``.``, spaces, ...) removed and Chinese numerals read as digits (二零二六 -> 2026); with Chinese characters read
as pinyin (清河县 -> qinghexian); and split by character class (the letters, the digits and the rest each
estimated alone, times the guesses for the class pattern: ``a1b2c3`` is ``abc``, ``123`` and ``a1`` repeated).
zxcvbn's additive term for longer sequences (10^4 guesses per further token) is left out: it would count
``qinghexian-chengguanzhen-xiafenggangcun-jiancehu-2026`` as strong just for having five parts.

Only the first :data:`MAX_CHARS` characters of each form are estimated (the rest could only add guesses): an
estimate takes 5-60 ms for passwords of 16-40 characters, up to about 2 s for 64 characters that are all
leet substitutes (``4@8(3!1|0$5+7%``, zxcvbn tries every reading).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: Only this many characters of each form are estimated (zxcvbn's time grows with the square of the length).
MAX_CHARS = 64
#: The policy's bar for a person-chosen password: as many guesses as 16 random characters take in zxcvbn's model.
MIN_GUESSES = 10**16

#: The Mandarin syllables without tones, most characters first (derived once from pypinyin's character table).
PINYIN_SYLLABLES = (
    "yi", "ji", "yu", "yan", "zhi", "xi", "fu", "qi", "li", "jian", "lu", "xian", "wei", "shi", "ju", "bi", "wu",
    "qian", "jie", "jiao", "chi", "hui", "yin", "hu", "ying", "zhu", "e", "xie", "di", "pi", "xu", "bo", "xiao",
    "yao", "shu", "you", "qu", "dan", "jue", "yuan", "chan", "he", "qiao", "zhen", "han", "cheng", "jing", "gui",
    "gu", "ti", "xuan", "shan", "yun", "zi", "jin", "jia", "mo", "ya", "lian", "si", "xun", "ge", "shen", "tuo",
    "ye", "chu", "mi", "yang", "huan", "luo", "liu", "wan", "zha", "ling", "ni", "zhan", "fen", "qin", "tan", "xia",
    "xiang", "duo", "fei", "qiu", "zhou", "ai", "hong", "ke", "fan", "lan", "lei", "zhuo", "liao", "lin", "feng",
    "kui", "tang", "zheng", "quan", "mei", "wen", "du", "qiang", "chen", "huo", "ao", "peng", "tian", "gan", "hua",
    "tong", "bei", "huang", "zhe", "bian", "ci", "qing", "long", "meng", "yong", "ba", "guan", "pu", "juan", "an",
    "chang", "mao", "jiang", "tu", "zhong", "bao", "chou", "sui", "jiu", "su", "pan", "yue", "zong", "dao", "die",
    "guo", "lao", "nie", "xing", "da", "dian", "ta", "cha", "hao", "bing", "diao", "tiao", "dong", "jun", "dai",
    "gou", "po", "bu", "cong", "ma", "kuang", "min", "sheng", "biao", "ren", "tao", "gong", "ting", "dang", "er",
    "lai", "mu", "wo", "zhao", "lie", "ru", "suo", "lang", "man", "sha", "ze", "chao", "she", "hun", "liang", "mian",
    "qie", "xiu", "ban", "gao", "ping", "rong", "shao", "tai", "xin", "zan", "cui", "zhang", "zhuan", "kun", "la",
    "pei", "xue", "fang", "wang", "lou", "zu", "chong", "ding", "piao", "can", "ou", "sou", "wa", "chun", "dou",
    "pao", "song", "cuo", "dui", "gang", "kai", "pang", "bang", "bin", "dun", "nao", "chuo", "gai", "kan", "jiong",
    "na", "que", "beng", "cu", "gua", "lun", "ning", "se", "zuo", "mang", "pian", "zui", "ku", "tun", "zhui", "fa",
    "nian", "geng", "guang", "tui", "chuan", "shang", "zao", "kang", "nuo", "sao", "hou", "zhai", "ben", "che",
    "luan", "qiong", "san", "bai", "nan", "tuan", "chuang", "kuai", "men", "miao", "za", "hang", "kou", "ming", "nu",
    "sa", "shuo", "deng", "rui", "bie", "cao", "hai", "qia", "nai", "pin", "rou", "shou", "zhuang", "zou", "ce",
    "zhun", "cai", "kuo", "mai", "mou", "zun", "gun", "nong", "pa", "rang", "tou", "cuan", "heng", "shuang", "sun",
    "xiong", "zai", "zang", "cang", "duan", "kao", "nang", "tie", "keng", "zeng", "chai", "kua", "le", "mie", "pou",
    "chui", "huai", "kong", "ran", "teng", "weng", "pai", "rao", "ruan", "cun", "ga", "ruo", "zuan", "ken", "a",
    "leng", "niu", "de", "shui", "qun", "sai", "shun", "nei", "pen", "fou", "kuan", "niao", "te", "ceng", "ka",
    "lue", "sang", "shai", "cou", "guai", "ha", "nou", "pie", "ang", "chuai", "hen", "ne", "nuan", "re", "reng",
    "suan", "ca", "cen", "gen", "shuan", "wai", "shuai", "ei", "me", "run", "zhua", "niang", "sen", "shua", "zei",
    "zhuai", "en", "nen", "o", "ri", "yo", "zen", "diu", "fo", "hei", "miu", "neng", "nin", "nue", "chua", "kei",
    "dei", "den", "gei", "lia", "lo", "nun", "seng", "shei", "zhei", "dia", "eng", "fiao", "len", "rua", "tei",
)

#: Words of this register's trade and of passwords made from it, in pinyin and in characters, commonest first.
REGISTER_WORDS = (
    "mima", "woaini", "fanpin", "fangfanpin", "jiance", "jiancehu", "tuopin", "pinkun", "zhengfu", "xianwei",
    "xiangzhen", "jiedao", "shequ", "cunwei", "nongcun", "nonghu", "zhongguo", "xian", "xiang", "zhen", "cun",
    "shi", "qu", "zu", "hu", "密码", "县", "乡", "镇", "村", "市", "区", "街道", "社区", "组", "户", "监测户",
    "监测", "防止返贫", "防返贫", "返贫", "脱贫", "脱贫户", "贫困", "政府", "县委", "乡镇", "村委", "村委会",
    "居委会", "农村", "农户", "中国", "我爱你",
)
#: Endings of place names, longest first: 清河县 is also tried as 清河, 城关镇 as 城关.
PLACE_SUFFIXES = ("居委会", "村委会", "自治县", "街道", "社区", "县", "市", "区", "旗", "镇", "乡", "村", "屯", "组")
#: What people put between the parts of a password (after NFKC, so full-width forms are included).
SEPARATORS = re.compile(r"[\s\-_.,/\\:·、。—]+")
CHINESE_DIGITS = str.maketrans("零〇一二三四五六七八九", "00123456789")


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _pinyin(text: str) -> str:
    """``text`` with each Chinese character replaced by its toneless pinyin (pypinyin), everything else kept."""
    if not _HAN.search(text):
        return text
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text, errors="default"))


def _unsuffixed(name: str) -> str:
    for suffix in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def place_words(names: Iterable[str]) -> list[str]:
    """The dictionary words one place name gives (as written, without its suffix, and both in pinyin), in order."""
    words: dict[str, None] = {}
    for raw in names:
        name = SEPARATORS.sub("", unicodedata.normalize("NFKC", str(raw))).lower()[:MAX_CHARS]
        if not name:
            continue
        for form in (name, _unsuffixed(name)):
            words.setdefault(form, None)
            words.setdefault(_pinyin(form), None)
    return list(words)


def _years() -> list[str]:
    this = date.today().year
    return [str(y) for y in sorted(range(1949, 2050), key=lambda y: (abs(y - this), -y))]


@dataclass
class Estimate:
    """The guesses a password takes and what made it cheap (zxcvbn's pattern and dictionary names)."""

    guesses: float
    found: frozenset[str] = field(default_factory=frozenset)

    @property
    def log10(self) -> float:
        return math.log10(max(self.guesses, 1.0))


class Estimator:
    """zxcvbn with the Chinese dictionaries above and the given place names; build once, estimate many."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        from zxcvbn import matching

        ranked = matching.build_ranked_dict
        self._dictionaries: dict[str, dict[str, int]] = {
            **matching.RANKED_DICTIONARIES,
            "pinyin": ranked(PINYIN_SYLLABLES),
            "register": ranked(REGISTER_WORDS),
            "years": ranked(_years()),
            "user_inputs": ranked(place_words(names)),
        }

    def _zxcvbn(self, text: str) -> Estimate:
        from zxcvbn import matching, scoring

        if not text:
            return Estimate(1.0)
        matches = matching.omnimatch(text, self._dictionaries)
        # Without the additive 10^4 per further token: five place names in a row stay five guessable words.
        result: dict[str, Any] = scoring.most_guessable_match_sequence(text, matches, _exclude_additive=True)
        found = frozenset(m.get("dictionary_name", m["pattern"]) for m in result["sequence"])
        return Estimate(float(result["guesses"]), found)

    def _by_class(self, text: str) -> Estimate | None:
        """Letters, digits and the rest estimated apart, times the class pattern (``a1b2c3`` -> abc, 123, a1a1a1)."""
        groups: dict[str, list[str]] = {"a": [], "0": [], "#": []}
        pattern = []
        for ch in text:
            kind = "0" if ch.isdigit() else "a" if ch.isalpha() else "#"
            groups[kind].append(ch)
            pattern.append(kind)
        parts = ["".join(chars) for chars in groups.values() if chars]
        if len(parts) < 2:
            return None
        estimates = [self._zxcvbn(part) for part in [*parts, "".join(pattern)]]
        return Estimate(math.prod(e.guesses for e in estimates), frozenset().union(*(e.found for e in estimates)))

    def estimate(self, password: str) -> Estimate:
        """The cheapest of the forms in the module docstring."""
        typed = unicodedata.normalize("NFKC", password)[:MAX_CHARS]
        joined = SEPARATORS.sub("", typed).translate(CHINESE_DIGITS)
        spoken = _pinyin(joined)[:MAX_CHARS]
        candidates = [self._zxcvbn(form) for form in dict.fromkeys((typed, joined, spoken))]
        split = self._by_class(spoken)
        if split is not None:
            candidates.append(split)
        return min(candidates, key=lambda e: e.guesses)


def estimate_guesses(password: str, names: Iterable[str] = ()) -> float:
    """zxcvbn's guesses for ``password`` with the register's place ``names`` as dictionary words."""
    return Estimator(names).estimate(password).guesses
