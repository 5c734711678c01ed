"""Page encryption: the mkdocs-encryptcontent-plugin configuration for the three password levels.

Every generated page that holds personal data carries a front-matter ``level`` (see
:mod:`tracker.render`): ``county``, ``township-<slug>`` or ``village-<slug>``.  Each level gets its own
random AES-256 key; the plugin stores that key once per password allowed to open the level, wrapped
with PBKDF2-HMAC-SHA256 of the password (``password_inventory``):

* ``county``            -> the county password;
* ``township-<slug>``   -> the county password and that township's password;
* ``village-<slug>``    -> the county password, its township's password and the village's own.

Settings that keep personal data out of the clear (measured in ``shared/notes/encryptcontent.md``):
``search`` listed before ``encryptcontent`` and ``search_index: encrypted`` (protected pages leave the
search index); ``encrypted_something`` hides the navigation, the table of contents, the footer
(previous/next titles) and the header topic on protected pages; the theme override
``site/overrides/main.html`` gives protected pages the site name as ``<title>`` and shows a Chinese
message when the browser has no WebCrypto (plain HTTP on a LAN address); ``cache_file`` is empty, so
the plugin's cache -- every password in clear plus the derived keys -- is never written anywhere;
``esm: false`` so the decryption script also loads from ``file://``.

The plugin keeps its state in a dict shared by the class (``encryptContentPlugin.setup``): a second
build in the same process would silently reuse the first build's keys and passwords.
:func:`isolate_plugin_state` gives each build's plugin instance a fresh dict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from .errors import ConfigError
from .passwords import Secrets
from .resources import resource

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
#: village, township and county passwords, tried in that order (``_trial_order``), so each level up costs
#: one more run -- but only once per browser session (keys are then kept in sessionStorage).  6 is the
#: highest power that still unlocks in about a second; 5 (100,000, the plugin's default) is the floor.
#: Building costs ~0.11 s per password (pycryptodome), since the plugin cache is disabled.
KDF_POW = 6
MIN_KDF_POW = 5

UI = {
    "title_prefix": "",
    "summary": "本页受密码保护",
    "encryption_info_message": "本页含有监测户的个人信息。请输入县级、本乡镇或本村的密码后按回车（或点“打开”）。",
    "placeholder": "请输入密码",
    "password_button_text": "打开",
    "decryption_failure_message": "密码不对，请重新输入。村密码只能打开本村页面，乡镇密码只能打开本乡镇和所属各村。",
}

#: Parts of the page hidden (encrypted with the page key) on protected pages.
ENCRYPTED_SOMETHING = {
    "md-nav": ["nav", "class"],            # navigation and table of contents (headings)
    "md-footer__inner": ["nav", "class"],  # previous / next page titles
    "md-header__topic": ["div", "class"],  # page title in the header bar
}

#: The county level name, as in :data:`tracker.render.COUNTY_LEVEL` (not imported: render is heavy).
COUNTY_LEVEL = "county"
#: A level no page uses; it only fixes the order in which the browser tries passwords (``_trial_order``).
ORDER_LEVEL = "order-of-trial"

_LEVEL_RE = re.compile(r"^level:\s*(.+?)\s*$", re.M)


def page_levels(pages: Mapping[str, str]) -> set[str]:
    """The ``level`` of every page whose front matter has one."""
    levels = set()
    for text in pages.values():
        if not text.startswith("---"):
            continue
        front = text.split("---", 2)[1]
        match = _LEVEL_RE.search(front)
        if match:
            value = match.group(1)
            levels.add(json.loads(value) if value.startswith('"') else value.strip("'"))
    return levels


def password_inventory(secrets: Secrets, model: Any, levels: Iterable[str]) -> dict[str, list[str]]:
    """Level -> the passwords that open it (county first).  Every level of ``levels`` is present."""
    if not secrets.county:
        raise ConfigError("没有县级密码，不能生成加密的网站。")
    townships = {t.slug: secrets.township(t.name) for t in getattr(model, "townships", ())}
    villages = {v.slug: (v.township_slug, secrets.village(v.township, v.name))
                for t in getattr(model, "townships", ()) for v in t.villages}
    inventory: dict[str, list[str]] = {}
    for level in sorted(levels, key=lambda lv: (lv != COUNTY_LEVEL, lv)):
        passwords = [secrets.county]
        kind, _, slug = level.partition("-")
        if kind == "township":
            passwords.append(townships.get(slug) or "")
        elif kind == "village":
            township_slug, own = villages.get(slug, ("", None))
            passwords += [townships.get(township_slug) or "", own or ""]
        inventory[level] = [pw for pw in passwords if pw]
    return {ORDER_LEVEL: _trial_order(secrets, inventory), **inventory}


def _trial_order(secrets: Secrets, inventory: Mapping[str, list[str]]) -> list[str]:
    """Every password in use: the villages' first, then the townships', then the county's.

    A page lists its keystore entries in the order the plugin first met each password, and the browser
    runs PBKDF2 on them in that order until one opens.  Listing this (otherwise unused) level first puts
    village passwords before township passwords before the county password, so a village user -- the
    most numerous, on the slowest phones -- waits for one derivation instead of three.
    """
    used = {pw for passwords in inventory.values() for pw in passwords}
    ordered = [*secrets.villages.values(), *secrets.townships.values(), secrets.county]
    return list(dict.fromkeys(pw for pw in ordered if pw in used))


def missing_places(secrets: Secrets, model: Any) -> list[str]:
    """Townships and villages of the register without their own password (their pages open from above)."""
    missing = []
    for t in getattr(model, "townships", ()):
        if not secrets.township(t.name):
            missing.append(t.name)
        missing += [f"{v.township}/{v.name}" for v in t.villages if not secrets.village(v.township, v.name)]
    return missing


def base_plugins() -> list[Any]:
    """The ``plugins`` list of the repository's ``mkdocs.yml``."""
    config = yaml.safe_load(resource("mkdocs.yml").read_text(encoding="utf-8"))
    return list(config.get("plugins") or [])


def _plugin_name(entry: Any) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))


def encryption_config(secrets: Secrets, model: Any, levels: Iterable[str], kdf_pow: int = KDF_POW) -> dict[str, Any]:
    """The ``extra_config`` for :func:`tracker.build.build_site_dir`: the plugins list with encryptcontent last."""
    if kdf_pow < MIN_KDF_POW:
        raise ConfigError(f"PBKDF2 迭代次数不能少于 10^{MIN_KDF_POW}（100,000 次）。")
    plugins = [p for p in base_plugins() if _plugin_name(p) != "encryptcontent"]
    if "search" not in [_plugin_name(p) for p in plugins]:
        plugins.insert(0, {"search": {"lang": "zh"}})
    settings: dict[str, Any] = {
        **UI,
        "password_button": True,
        "password_inventory": password_inventory(secrets, model, levels),
        "webcrypto": True,
        "esm": False,                # classic script: also works from file://
        "kdf_pow": kdf_pow,
        "search_index": "encrypted",
        "encrypted_something": ENCRYPTED_SOMETHING,
        "cache_file": "",            # never write encryptcontent.cache (passwords and keys in clear)
        "remember_keys": True,       # keys in sessionStorage: one password per browser session
        "remember_password": False,
        "session_storage": True,
        "sharelinks": False,
        "tag_encrypted_page": True,  # page.encrypted, used by site/overrides/main.html
        "threshold_warning_min_entropy": 80,
    }
    plugins.append({"encryptcontent": settings})
    return {"plugins": plugins}


def isolate_plugin_state(mkdocs_config: Any) -> None:
    """Give this build's encryptcontent plugin its own state dict (the class-level one leaks across builds)."""
    plugin = mkdocs_config.plugins.get("encryptcontent") if hasattr(mkdocs_config, "plugins") else None
    if plugin is not None:
        plugin.setup = {}
