"""Protected pages in mkdocs-encryptcontent-plugin's format, written by the tracker itself.

The browser side is the plugin's own (``decrypt-contents.js`` rendered from the plugin's template, see
:func:`decrypt_js`), so the unlocking and the remembered keys behave exactly as with the plugin; the password
form is the plugin's form made accessible (:func:`decrypt_form`), with the element ids the script looks for.
The server side is done here, once per page and without re-parsing any HTML:

* every level (``county``, ``township-<slug>``, ``village-<slug>``) has a random AES-256 key; a page's
  content is AES-256-CBC under its level's key (``iv;ciphertext`` in ``#mkdocs-encrypted-content``);
* a page carries one keystore entry per password that may open it -- the village's, the township's, the
  county's, tried in that order -- each a JSON object ``{key id: level key}`` encrypted with
  PBKDF2-HMAC-SHA256 of the password (``iv;ciphertext;salt``).  Unlike the plugin, an entry holds only
  the keys of the levels *around this page* that the password opens (its own, the levels above it, and
  on county and township pages the levels below), not every key of the password: that keeps every entry
  small and the output linear in the number of villages (the plugin padded every entry of every page to
  the county password's list of all ~450 keys: 162 KB of a 227 KB village page).  Entries of one page are
  padded to the same length so they cannot be told apart;
* after an unlock the browser keeps the keys it learnt in ``sessionStorage`` (``remember_keys``): the
  county user opens the county home once and then every township page, and from a township page its
  villages, without typing again.

Level keys can be kept between builds (``level-keys.json`` in the private data directory, mode 0600): a
level whose set of passwords changed gets a new key, so an old password never opens new pages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets as random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import jinja2
from Crypto.Cipher import AES
from Crypto.Util.Padding import pad

from tracker.common import write_private

from .encryption import UI

PREFIX = "encryptcontent_"
LEVEL_KEYS_FILE = "level-keys.json"
#: the password prompt, next to this module (the plugin's form, made accessible)
FORM_TEMPLATE = "decrypt_form.html.j2"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def aes_cbc(key: bytes, plaintext: bytes) -> tuple[str, str]:
    """(iv, ciphertext), base64, as the plugin writes them."""
    iv = random.token_bytes(16)
    return _b64(iv), _b64(AES.new(key, AES.MODE_CBC, iv).encrypt(pad(plaintext, 16, style="pkcs7")))


@dataclass(frozen=True)
class PasswordKey:
    salt: bytes
    key: bytes  # PBKDF2-HMAC-SHA256(encodeURIComponent(password), salt), 32 bytes


@dataclass(frozen=True)
class KeyRing:
    """Everything needed to protect the pages of one build."""

    level_keys: Mapping[str, bytes]
    #: level -> the passwords that open it, in the order the browser tries them (village, township, county)
    inventory: Mapping[str, tuple[str, ...]]
    password_keys: Mapping[str, PasswordKey]
    iterations: int

    def level_id(self, level: str) -> str:
        """The id the browser keeps a level's key under: stable while the key is, new when it rotates."""
        return PREFIX + hashlib.sha256(level.encode() + b"\0" + self.level_keys[level]).hexdigest()[:20]


def _fingerprint(passwords: Iterable[str]) -> str:
    return hashlib.sha256("\0".join(sorted(hashlib.sha256(p.encode()).hexdigest() for p in passwords))
                          .encode()).hexdigest()


def level_keys(inventory: Mapping[str, Iterable[str]], key_dir: Path | None = None) -> dict[str, bytes]:
    """A key per level: random, or kept from an earlier build (``key_dir``) while its passwords are the same."""
    path = key_dir / LEVEL_KEYS_FILE if key_dir is not None else None
    stored: dict[str, Any] = {}
    if path is not None and path.is_file():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = {}
    keys: dict[str, bytes] = {}
    kept: dict[str, dict[str, str]] = {}
    for level, passwords in inventory.items():
        fingerprint = _fingerprint(passwords)
        old = stored.get(level)
        if isinstance(old, dict) and old.get("passwords") == fingerprint and isinstance(old.get("key"), str):
            key = bytes.fromhex(old["key"])
        else:
            key = random.token_bytes(32)
        keys[level] = key
        kept[level] = {"key": key.hex(), "passwords": fingerprint}
    if path is not None and kept != stored:
        write_private(path, json.dumps(kept))
    return keys


@lru_cache(maxsize=4)
def _plugin_template(name: str) -> jinja2.Template:
    source = resources.files("encryptcontent").joinpath(name).read_text(encoding="utf-8")
    return jinja2.Template(source)


@lru_cache(maxsize=1)
def _form_template() -> jinja2.Template:
    source = resources.files(__package__).joinpath(FORM_TEMPLATE).read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string(source)


def decrypt_js(iterations: int) -> str:
    """``assets/javascripts/decrypt-contents.js``: the plugin's script with this site's settings."""
    return _plugin_template("decrypt-contents.tpl.js").render({
        "password_button": True, "arithmatex": False, "hljs": False, "mermaid2": False,
        "remember_keys": True, "remember_password": False, "session_storage": True,
        "encrypted_something": {}, "reload_scripts": [], "experimental": False, "site_path": "",
        "kdf_iterations": iterations, "webcrypto": True, "esm": False, "remember_prefix": PREFIX,
        "sharelinks": False, "sharelinks_incomplete": False, "material": True, "extra": {},
    })


def decrypt_form(ciphertext: str, page_id: str, path: str, keystore: list[str], root: str) -> str:
    """The password form and the plugin's scripts for one page (``esm: false``: also works from file://).

    The plugin's ``decrypt-form.tpl.html`` with this site's settings, written out in :data:`FORM_TEMPLATE` to
    make it usable for older staff on phones (WCAG 2.1 AA): a real label, the field focused on load, the
    error announced (``role="alert"``), a show-password button and a sentence saying that the pages of the
    same level then open without the password in this browser tab (``remember_keys`` in ``sessionStorage``,
    which every tab has to itself).  The colours are in ``site/docs/assets/tracker.css``."""
    return _form_template().render(
        ui=UI, ciphertext_bundle=ciphertext, encryptcontent_id=page_id, encryptcontent_path=path,
        encryptcontent_keystore=keystore, base_path=root)


def keystore(ring: KeyRing, level: str, scope: Iterable[str]) -> list[str]:
    """The page's keystore: one entry per password opening ``level``, each holding the keys of the levels
    in ``scope`` (this page's and its neighbours') that the password opens, padded to one length."""
    scope = [lv for lv in dict.fromkeys([level, *scope]) if lv in ring.level_keys]
    plain = []
    for password in ring.inventory.get(level, ()):
        opened = {ring.level_id(lv): ring.level_keys[lv].hex() for lv in scope
                  if password in ring.inventory.get(lv, ())}
        plain.append((password, json.dumps(opened)))
    width = max((len(text) for _, text in plain), default=0)
    entries = []
    for password, text in plain:
        derived = ring.password_keys[password]
        iv, data = aes_cbc(derived.key, text.ljust(width).encode())
        entries.append(f"{iv};{data};{_b64(derived.salt)}")
    return entries


class ProtectedPage(Protocol):
    """What encryption needs to know of a page (the site's :class:`tracker.site.Page` is one)."""

    @property
    def path(self) -> str: ...
    @property
    def level(self) -> str | None: ...
    @property
    def scope(self) -> tuple[str, ...]: ...
    @property
    def html_path(self) -> str: ...
    @property
    def root(self) -> str: ...


def protect(ring: KeyRing, page: ProtectedPage, html: str) -> str:
    """A protected page's content (``html``) replaced by the encrypted bundle, the keystore and the form."""
    if page.level is None:
        raise ValueError(f"{page.path} is a public page")
    iv, data = aes_cbc(ring.level_keys[page.level], html.encode("utf-8"))
    return decrypt_form(f"{iv};{data}", ring.level_id(page.level), page.html_path,
                        keystore(ring, page.level, page.scope), page.root)
