"""Page encryption: the three password levels, the PBKDF2 strength and the Chinese prompt texts.

Every generated page that holds personal data has a ``level`` (see :mod:`tracker.site.render`): ``county``,
``township-<slug>`` or ``village-<slug>``.  Each level gets its own random AES-256 key
(:mod:`tracker.protect.forms`), stored on a page once per password allowed to open the level, wrapped with
PBKDF2-HMAC-SHA256 of the password:

* ``county``            -> the county password;
* ``township-<slug>``   -> that township's password and the county password;
* ``village-<slug>``    -> the village's own password, its township's and the county's.

The pages are written in mkdocs-encryptcontent-plugin's format and opened by the plugin's own browser
script (webcrypto, ``esm: false`` so it also loads from ``file://``).  What keeps personal data out of the
clear (measured in ``shared/notes/encryptcontent.md``): protected pages are left out of the search index
and their table of contents is hidden; the navigation, header and footer list only township names, page
titles and public pages (nothing personal, so they stay readable); the theme override
``site/overrides/main.html`` gives protected pages the site name as ``<title>`` and shows a Chinese message
when the browser has no WebCrypto (plain HTTP on a LAN address); no cache holding passwords is written
anywhere but the private data directory (derived keys, mode 0600).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracker.common import ConfigError

from .passwords import Secrets, fold

#: PBKDF2-HMAC-SHA256 iterations = 10 ** KDF_POW.  Measured 2026-11-28 with Playwright driving Debian's
#: chromium 156 headless on this 2-core machine, site served from 127.0.0.1, median of 5, seconds from
#: clicking 打开 to the household table shown:
#:
#:   kdf_pow  iterations   village pw on    county pw on    township pw on   county pw on     wrong pw on
#:                         its village      county page     a village page   a village page   a village page
#:   5        100,000      0.20             0.18            0.29             0.37             0.25
#:   6        1,000,000    0.45             0.48            0.94             1.00             0.94
#:   7        10,000,000   2.46             2.64            3.97             7.20             5.99
#:
#: (One PBKDF2 run alone: 44 ms, 0.25-0.34 s, 2.0-2.9 s.)  A village page lists the keystores of its
#: village, township and county passwords, tried in that order (:func:`password_inventory`), so each level
#: up costs one more run -- but only once per browser session (keys are then kept in sessionStorage).  6 is
#: the highest power that still unlocks in about a second; 5 (100,000, the plugin's default) is the floor.
#: Deriving costs ~0.11 s per password here (:mod:`tracker.protect.kdf_cache` keeps the keys between builds).
KDF_POW = 6
MIN_KDF_POW = 5

#: The texts of the password prompt (:func:`tracker.protect.forms.decrypt_form`).  ``remember_message`` is
#: what ``remember_keys`` does: the keys an unlock gives are kept in ``sessionStorage``, which belongs to the
#: one browser tab (a new tab, or the tab closed and opened again, asks again); every page of a level has
#: the level's key, and township and county pages also hand on the keys of the pages below them.
UI = {
    "summary": "本页受密码保护",
    "encryption_info_message": "本页含有监测户的个人信息。请输入县级、本乡镇或本村的密码后按回车（或点“打开”）。",
    "label": "请输入本页密码",
    "show_password": "显示密码",
    "hide_password": "隐藏密码",
    "password_shown": "密码已显示",
    "password_hidden": "密码已隐藏",
    "remember_message": "密码输对一次后，在这个浏览器标签页里再打开同一级别的其他页面，不用再输密码。",
    "password_button_text": "打开",
    "decryption_failure_message": "密码不对，请核对后重新输入。"
                                  "村密码只能打开本村页面，乡镇密码只能打开本乡镇和所属各村。",
}

#: The county level name, as in :data:`tracker.site.render.COUNTY_LEVEL` (not imported: render is heavy).
COUNTY_LEVEL = "county"


def check_kdf_pow(kdf_pow: int) -> int:
    """PBKDF2 iterations for a power of ten, refusing fewer than the plugin's default 100,000."""
    if kdf_pow < MIN_KDF_POW:
        raise ConfigError(f"PBKDF2 迭代次数不能少于 10^{MIN_KDF_POW}（100,000 次）。")
    return 10 ** kdf_pow


def password_inventory(secrets: Secrets, model: Any, levels: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Level -> the passwords that open it, in the order the browser tries them: the village's own, then
    the township's, then the county's -- a village user, the most numerous and on the slowest phones, waits
    for one PBKDF2 run instead of three.  Every level of ``levels`` is present."""
    if not secrets.county:
        raise ConfigError("没有县级密码，不能生成加密的网站。")
    townships, villages = _place_passwords(secrets, model)
    inventory: dict[str, tuple[str, ...]] = {}
    for level in sorted(levels, key=lambda lv: (lv != COUNTY_LEVEL, lv)):
        kind, _, slug = level.partition("-")
        passwords: list[str | None] = []
        if kind == "township":
            passwords.append(townships.get(slug))
        elif kind == "village":
            township_slug, own = villages.get(slug, ("", None))
            passwords += [own, townships.get(township_slug)]
        passwords.append(secrets.county)
        inventory[level] = tuple(dict.fromkeys(pw for pw in passwords if pw))
    return inventory


def _place_passwords(secrets: Secrets, model: Any
                     ) -> tuple[dict[str, str | None], dict[str, tuple[str, str | None]]]:
    """Per township slug its own password, per village slug (its township's slug, its own password); None
    where the place has none (names matched folded, as the register matches them)."""
    by_township, by_village = secrets.folded()
    townships = {t.slug: by_township.get(fold(t.name)) for t in getattr(model, "townships", ())}
    villages = {v.slug: (v.township_slug, by_village.get((fold(v.township), fold(v.name))))
                for t in getattr(model, "townships", ()) for v in t.villages}
    return townships, villages


def missing_places(secrets: Secrets, model: Any) -> list[str]:
    """Townships and villages of the register without their own password (their pages open from above)."""
    townships, villages = _place_passwords(secrets, model)
    missing = []
    for t in getattr(model, "townships", ()):
        if not townships[t.slug]:
            missing.append(t.name)
        missing += [f"{v.township}/{v.name}" for v in t.villages if not villages[v.slug][1]]
    return missing
