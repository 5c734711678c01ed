"""Protected pages written in the encryptcontent format: keystores, kept keys, the theme skeleton and shells."""

from __future__ import annotations

import base64
import json
import re
import shutil
import stat
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from Crypto.Cipher import AES
from Crypto.Util.Padding import unpad

import tracker.protect.kdf_cache
import tracker.site.build
from tests.decrypt import decrypt_page
from tracker.protect.encryption import UI
from tracker.protect.forms import KeyRing, keystore, level_keys
from tracker.protect.kdf_cache import key_files, password_keys
from tracker.site.build import NavEntry, build_site_dir
from tracker.site.pages import Page

ROUNDS = 1000  # enough to exercise the format; the real count is tested in test_passwords / the browser
INVENTORY = {
    "county": ("county-pw",),
    "township-ta": ("town-pw", "county-pw"),
    "village-v1": ("v1-pw", "town-pw", "county-pw"),
    "village-v2": ("v2-pw", "town-pw", "county-pw"),
}


def _ring(tmp_path: Path | None = None) -> KeyRing:
    passwords = {pw for pws in INVENTORY.values() for pw in pws}
    return KeyRing(level_keys(INVENTORY, tmp_path), INVENTORY, password_keys(passwords, ROUNDS), ROUNDS)


def _open(entry: str, ring: KeyRing, password: str) -> dict[str, str] | None:
    iv, data, salt = entry.split(";")
    derived = ring.password_keys[password]
    if base64.b64decode(salt) != derived.salt:  # another password's entry (the browser would derive in vain)
        return None
    try:
        plain = unpad(AES.new(derived.key, AES.MODE_CBC, base64.b64decode(iv)).decrypt(base64.b64decode(data)), 16)
        return json.loads(plain)
    except ValueError:
        return None


def test_keystore_entries_hold_only_the_levels_around_the_page_each_password_opens() -> None:
    ring = _ring()
    entries = keystore(ring, "township-ta", ("county", "village-v1", "village-v2"))
    assert len(entries) == 2  # the township's and the county's password, in that order
    assert len({len(e) for e in entries}) == 1  # padded to one length: entries cannot be told apart
    town = _open(entries[0], ring, "town-pw")
    county = _open(entries[1], ring, "county-pw")
    ids = {lv: ring.level_id(lv) for lv in INVENTORY}
    assert town == {ids[lv]: ring.level_keys[lv].hex() for lv in ("township-ta", "village-v1", "village-v2")}
    assert county is not None and set(county) == set(ids.values())
    assert _open(entries[0], ring, "county-pw") is None
    # a village page: its own password first, then the township's and the county's; nothing of the neighbour
    village = keystore(ring, "village-v1", ("township-ta", "county"))
    assert [_open(e, ring, pw) is not None for e, pw in zip(village, ("v1-pw", "town-pw", "county-pw"),
                                                            strict=True)] == [True, True, True]
    assert set(_open(village[0], ring, "v1-pw") or {}) == {ids["village-v1"]}
    assert ids["village-v2"] not in (_open(village[2], ring, "county-pw") or {})


def test_keystore_size_does_not_grow_with_the_county() -> None:
    """A village page's keystore is the same size in a county of 2 villages or of 2,000 (linear output)."""
    big = dict(INVENTORY)
    big.update({f"village-x{i}": (f"x{i}-pw", "county-pw") for i in range(2000)})
    ring = _ring()
    ring_big = KeyRing(level_keys(big), big, {**ring.password_keys,
                                                 **password_keys([f"x{i}-pw" for i in range(3)], ROUNDS)}, ROUNDS)
    small = keystore(ring, "village-v1", ("township-ta", "county"))
    large = keystore(ring_big, "village-v1", ("township-ta", "county"))
    assert [len(e) for e in small] == [len(e) for e in large]


def test_level_keys_are_kept_until_their_passwords_change(tmp_path: Path) -> None:
    first = level_keys(INVENTORY, tmp_path)
    kept = tmp_path / "level-keys.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert level_keys(INVENTORY, tmp_path) == first
    changed = {**INVENTORY, "village-v1": ("new-v1-pw", "town-pw", "county-pw")}
    second = level_keys(changed, tmp_path)
    assert second["village-v1"] != first["village-v1"]  # an old village password opens no new page
    assert all(second[lv] == first[lv] for lv in INVENTORY if lv != "village-v1")
    assert level_keys(INVENTORY) != first  # without a data directory every build has new keys


def test_derived_keys_are_kept_private_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = tmp_path / "secrets.toml"
    files = key_files(None, secrets)
    assert files == [tmp_path / "secrets.toml.keys"]
    first = password_keys(["pw-a", "pw-b", "pw-c"], ROUNDS, files)
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    text = files[0].read_text(encoding="utf-8")
    assert "pw-a" not in text  # indexed by a hash of the password, never the password

    def no_derive(job: object) -> bytes:
        raise AssertionError("derived again")

    monkeypatch.setattr(tracker.protect.kdf_cache, "_derive", no_derive)
    data = tmp_path / "data"
    again = password_keys(["pw-a", "pw-c"], ROUNDS, key_files(data, secrets))  # data dir first, then beside
    assert again == {k: v for k, v in first.items() if k != "pw-b"}
    assert not (data / "kdf-keys.json").exists()  # nothing new to keep


def _pages() -> list[Page]:
    return [
        Page("index.md", "首页", "<h1>县</h1><p>县级机密</p>", "county", tuple(INVENTORY)),
        Page("ta/index.md", "城关镇", "<h1>城关镇</h1><p>乡镇机密</p>", "township-ta",
             ("county", "village-v1", "village-v2")),
        Page("ta/v1.md", "东村 <b>", "<h1>东村</h1><p>张三 东村机密</p>", "village-v1", ("township-ta", "county"),
             wide=True, shell="village"),
        Page("ta/v2.md", "西村", "<h1>西村</h1><p>李四 西村机密</p>", "village-v2", ("township-ta", "county"),
             wide=True, shell="village"),
        Page("guide/index.md", "政策", "---\ntitle: 政策\n---\n\n# 政策\n\n公开内容\n"),
    ]


def _nav() -> list[NavEntry]:
    return [NavEntry("首页", "index.md"), NavEntry("乡镇", children=(NavEntry("城关镇", "ta/index.md"),)),
            NavEntry("政策", "guide/index.md")]


def test_shell_pages_get_their_own_title_and_content(tmp_path: Path) -> None:
    ring = _ring()
    site = tmp_path / "site"
    build_site_dir(_pages(), site, _nav(), ring)
    east, west = (site / "ta" / "v1.html").read_text("utf-8"), (site / "ta" / "v2.html").read_text("utf-8")
    for html in (east, west):
        assert "@@tracker" not in html and "机密" not in html and "张三" not in html and "李四" not in html
        assert html.count('id="mkdocs-encrypted-content"') == 1
    assert "东村 &lt;b&gt;" in east and "东村 <b>" not in east  # the title, escaped, in the header
    assert re.search(r'<div class="md-header__topic" data-md-component="header-topic">\s*<span class="md-ellipsis">'
                     r"\s*西村", west)
    assert "<title>防止返贫监测台账</title>" in west  # a protected page's title is the site name
    assert not (site / "_shell").exists()
    assert "张三 东村机密" in (decrypt_page(east, "v1-pw", ROUNDS) or "")
    assert decrypt_page(west, "v1-pw", ROUNDS) is None
    assert "李四" in (decrypt_page(west, "county-pw", ROUNDS) or "")
    assert "公开内容" in (site / "guide" / "index.html").read_text("utf-8")
    js = (site / "assets" / "javascripts" / "decrypt-contents.js").read_text("utf-8")
    assert f"iterations: encryptcontent_obfuscate ? 1 : {ROUNDS}" in js
    index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    assert {d["location"].split("#")[0] for d in index["docs"]} == {"guide/index.html"}


def test_prompt_markup_is_accessible_and_holds_nothing_of_the_page(tmp_path: Path) -> None:
    """The built prompt, parsed: a label, focus on load, an announced error, a show-password button, the ids
    the plugin's script looks for, only local scripts and nothing of the page before it is unlocked."""
    build_site_dir(_pages(), tmp_path / "site", _nav(), _ring())
    html = (tmp_path / "site" / "ta" / "v1.html").read_text("utf-8")
    soup = BeautifulSoup(html, "html.parser")
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    form = soup.find("form", id="mkdocs-decrypt-form")
    field = form.find("input", id="mkdocs-content-password")
    assert field["type"] == "password" and field.has_attr("autofocus") and field["autocomplete"] == "current-password"
    assert not field.has_attr("name")  # without script, a submitted form must not put the password in the URL
    label = form.find("label", attrs={"for": "mkdocs-content-password"})
    assert label is not None and label.get_text(strip=True) == UI["label"] == "请输入本页密码"
    described = field["aria-describedby"].split()
    assert {"mkdocs-decrypt-msg", "tracker-prompt-remember"} <= set(described)
    remember = form.find(id="tracker-prompt-remember").get_text(strip=True)
    assert remember == UI["remember_message"] and "标签页" in remember and "同一级别" in remember
    message = form.find(id="mkdocs-decrypt-msg")
    assert message["role"] == "alert" and message.get_text() == ""
    toggle = form.find("button", id="tracker-show-password")
    assert toggle["type"] == "button" and toggle.get_text(strip=True) == UI["show_password"] == "显示密码"
    assert toggle["aria-controls"] == field["id"] and toggle["data-hide"] == UI["hide_password"] == "隐藏密码"
    status = form.find(id="tracker-show-status")
    assert status["aria-live"] == "polite"
    submit = form.find("button", id="mkdocs-decrypt-button")
    assert submit.get_text(strip=True) == "打开" and not submit.has_attr("type")  # the plugin handles its click
    assert "密码不对，请核对后重新输入" in UI["decryption_failure_message"]
    said = re.search(r"var decryption_failure_message = (.*);", html)
    assert said is not None and json.loads(said.group(1)) == UI["decryption_failure_message"]
    # every element decrypt-contents.js looks up by id is on the page (bar the options this site leaves off)
    js = (tmp_path / "site" / "assets" / "javascripts" / "decrypt-contents.js").read_text("utf-8")
    wanted = set(re.findall(r"getElementById\(['\"]([\w-]+)['\"]\)", js))
    assert wanted - set(ids) == {"mkdocs-content-user"}
    # the prompt's script is inline, inside the form (gone once the page is decrypted); no other server's script
    assert form.find("script") is not None and not form.find("script").has_attr("src")
    sources = [tag["src"] for tag in soup.find_all("script", src=True)]
    assert sources and not [src for src in sources if "//" in src or src.startswith("/")], sources
    assert "张三" not in html and "机密" not in html
    assert "张三 东村机密" in (decrypt_page(html, "v1-pw", ROUNDS) or "")


def test_skeleton_is_reused_from_the_cache_and_never_written_through(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ring = _ring()
    cache = tmp_path / "skeleton"
    build_site_dir(_pages(), tmp_path / "one", _nav(), ring, cache)
    (kept,) = list(cache.iterdir())
    before = {p.relative_to(kept): p.read_bytes() for p in kept.rglob("*") if p.is_file()}

    def no_mkdocs(*args: object) -> None:
        raise AssertionError("mkdocs ran again")

    monkeypatch.setattr(tracker.site.build, "_mkdocs", no_mkdocs)
    changed = [p if p.path != "ta/v2.md" else Page(p.path, p.title, "<p>新内容</p>", p.level, p.scope, p.wide,
                                                    p.shell) for p in _pages()]
    build_site_dir(changed, tmp_path / "two", _nav(), ring, cache)
    assert "新内容" in (decrypt_page((tmp_path / "two" / "ta" / "v2.html").read_text("utf-8"), "county-pw",
                                     ROUNDS) or "")
    after = {p.relative_to(kept): p.read_bytes() for p in kept.rglob("*") if p.is_file()}
    assert after == before  # the cached skeleton still holds markers, no page content
    renamed = [Page(p.path, "改名<i>" if p.path == "ta/index.md" else p.title, p.body, p.level, p.scope, p.wide,
                    p.shell) for p in _pages()]
    build_site_dir(renamed, tmp_path / "three", _nav(), ring, cache)  # titles never reach mkdocs: same skeleton
    assert "改名&lt;i&gt;" in (tmp_path / "three" / "ta" / "index.html").read_text("utf-8")
    monkeypatch.undo()
    more = [*_pages(), Page("ta/checklist.md", "清单", "<p>x</p>", "township-ta", ("county",))]
    build_site_dir(more, tmp_path / "four", _nav(), ring, cache)  # a new page: a new skeleton
    assert len(list(cache.iterdir())) == 2


def test_jobs_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from tracker.common import cores

    monkeypatch.setenv(cores.ENV_JOBS, "1")
    assert cores.jobs() == 1
    monkeypatch.setenv(cores.ENV_JOBS, "3")
    assert cores.jobs() == 3
    for bad in ("0", "-2", "two", ""):
        monkeypatch.setenv(cores.ENV_JOBS, bad)
        assert cores.jobs() == (os.cpu_count() or 1)


def test_a_shared_theme_cache_survives_two_builders_at_once_and_prunes_only_idle_entries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counties of a province may share one theme cache: when another run renames the same skeleton into place
    first, this run uses theirs; pruning leaves recently used entries and the newest other one."""
    import os
    import time

    ring, cache = _ring(), tmp_path / "shared"
    real_mkdocs = tracker.site.build._mkdocs

    def racing(pages: object, site_dir: Path, nav: object) -> None:
        real_mkdocs(pages, site_dir, nav)  # type: ignore[arg-type]
        key = site_dir.name.split(".")[1]
        shutil.copytree(site_dir, cache / key)  # the other county's run finished first

    monkeypatch.setattr(tracker.site.build, "_mkdocs", racing)
    build_site_dir(_pages(), tmp_path / "one", _nav(), ring, cache)
    assert [p.name for p in cache.iterdir() if p.name.startswith(".")] == []  # this run's copy was let go
    assert (tmp_path / "one" / "index.html").is_file()
    monkeypatch.undo()

    old = time.time() - tracker.site.build.CACHE_IDLE_SECONDS - 60
    for name in ("a" * 32, "b" * 32, "c" * 32, ".dead.123.tmp"):  # idle skeletons, a crashed run's half-build
        (cache / name).mkdir()
        os.utime(cache / name, (old - ord(name[0]), old - ord(name[0])))
    (cache / ("d" * 32)).mkdir()  # used a minute ago by another county
    more = [*_pages(), Page("ta/checklist.md", "清单", "<p>x</p>", "township-ta", ("county",))]
    build_site_dir(more, tmp_path / "two", _nav(), ring, cache)  # a new skeleton: the cache is pruned
    left = sorted(p.name for p in cache.iterdir())
    assert "d" * 32 in left and len(left) == 3  # the new one, the recent one, and the first build's (newest other)
    assert not {"a" * 32, "b" * 32, "c" * 32, ".dead.123.tmp"} & set(left)
