"""Decrypt pages of a built site in Python, the way decrypt-contents.js does in the browser (for tests).

A protected page holds ``<div id="mkdocs-encrypted-content">iv;ciphertext</div>`` (AES-256-CBC under
the level key) and ``encryptcontent_keystore = ["iv;ciphertext;salt", ...]``: the level keys wrapped
with PBKDF2-HMAC-SHA256(encodeURIComponent(password), salt, iterations).  Derived keys are cached by
(password, salt): the plugin reuses one keystore entry per password on every page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from Crypto.Cipher import AES
from Crypto.Util.Padding import unpad

_CONTENT = re.compile(r'<div id="mkdocs-encrypted-content" style="display:none">([^<]*)</div>')
_KEYSTORE = re.compile(r"var encryptcontent_keystore = (\[.*?\]);")
_ID = re.compile(r'var encryptcontent_id = "([^"]+)";')
_FORM = re.compile(r'<div id="mkdocs-decrypted-content".*?</form>\s*</div>', re.S)
_PLUGIN_SCRIPTS = re.compile(
    r'<script type="text/javascript">\s*var encryptcontent_id = .*?</script>\s*'
    r'(?:<script[^>]*decrypt-contents\.js[^>]*></script>)?', re.S)
_ITERATIONS = re.compile(r"iterations: encryptcontent_obfuscate \? 1 : (\d+)")


#: (site root, password) -> level keys learnt, like the browser's sessionStorage for one user.
_SESSION: dict[tuple[Path, str], dict[str, str]] = {}


def is_encrypted(html: str) -> bool:
    return _CONTENT.search(html) is not None


def site_root(page: Path) -> Path:
    for parent in page.resolve().parents:
        if (parent / "assets" / "javascripts" / "decrypt-contents.js").is_file():
            return parent
    raise FileNotFoundError(f"no decrypt-contents.js above {page}")


@lru_cache(maxsize=8)
def iterations(root: Path) -> int:
    js = (root / "assets" / "javascripts" / "decrypt-contents.js").read_text(encoding="utf-8")
    match = _ITERATIONS.search(js)
    assert match, "iteration count not found in decrypt-contents.js"
    return int(match.group(1))


@lru_cache(maxsize=4096)
def _kdf(password: str, salt: bytes, rounds: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", quote(password, safe="~()*!'").encode(), salt, rounds, 32)


def _aes(key: bytes, iv_b64: str, data_b64: str) -> bytes:
    cipher = AES.new(key, AES.MODE_CBC, base64.b64decode(iv_b64))
    return unpad(cipher.decrypt(base64.b64decode(data_b64)), 16)


def keystore_trials(html: str) -> list[str]:
    match = _KEYSTORE.search(html)
    return json.loads(match.group(1)) if match else []


def open_keystore(html: str, password: str, rounds: int) -> tuple[int, dict[str, str]] | None:
    """(position tried, keys) for the first keystore entry the password opens, as the browser would."""
    page_id = _ID.search(html).group(1)
    for position, entry in enumerate(keystore_trials(html)):
        iv, data, salt = entry.split(";")
        try:
            keys = json.loads(_aes(_kdf(password, base64.b64decode(salt), rounds), iv, data))
        except (ValueError, KeyError):
            continue
        if page_id in keys:
            return position, keys
    return None


def decrypt_page(html: str, password: str, rounds: int, known: dict[str, str] | None = None) -> str | None:
    """The page with its content decrypted in place of the password form and the plugin's scripts, as the
    article reads once the browser has decrypted it; None if the password fails.

    ``known`` plays the browser's sessionStorage: level keys learnt from keystores this password opened
    before (a county keystore holds every level's key), used without another PBKDF2 run.
    """
    if not is_encrypted(html):
        return html
    page_id = _ID.search(html).group(1)
    if known is None or page_id not in known:
        opened = open_keystore(html, password, rounds)
        if opened is None:
            return None
        if known is not None:
            known.update(opened[1])
        keys = opened[1]
    else:
        keys = known
    key = bytes.fromhex(keys[page_id])
    iv, data = _CONTENT.search(html).group(1).split(";")
    content = _aes(key, iv, data).decode("utf-8")
    html = _PLUGIN_SCRIPTS.sub("", _CONTENT.sub("", html, count=1), count=1)
    return _FORM.sub(lambda _: content, html, count=1)


def decrypted_html(path: Path, password: str) -> str:
    """The decrypted text of a built page (unchanged if it is public); fails if the password does not open it."""
    html = path.read_text(encoding="utf-8")
    if not is_encrypted(html):
        return html
    root = site_root(path)
    out = decrypt_page(html, password, iterations(root), _SESSION.setdefault((root, password), {}))
    assert out is not None, f"password does not open {path}"
    return out
