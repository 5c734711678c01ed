"""Build stage: pages -> a static site, with mkdocs-material for the theme and the public pages.

mkdocs renders the public guidance pages in full and, for every protected page, only the theme around
it: the page's Markdown is a stub, and :class:`tracker.site.mkdocs_hooks.ProtectedPages` puts a marker where
the content goes.
Pages of one ``shell`` kind (the village pages, ~90% of a county's pages) share a single such theme page
-- they differ only in title and content.  Then :mod:`tracker.protect.forms` encrypts each page's HTML and the
marker is replaced by the plugin-format password form.  So neither Python-Markdown nor the theme ever
sees a household table, and no HTML is parsed twice.

The configuration is the repository's ``mkdocs.yml`` with paths made absolute and the navigation set
here.  Village pages stay out of the global navigation (it would be copied into every page: O(N²)
output) and are reached from their township page.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from markupsafe import escape

from tracker.common import BuildError, cores, resource
from tracker.protect import KeyRing, decrypt_js, protect

from .pages import Page
from .shell_links import without_links_to

COUNTY_LEVEL = "county"

CONTENT_MARKER = "<h1>@@tracker-content@@</h1>"
TITLE_MARKER = "@@tracker-title@@"
SHELL_DIR = "_shell"


@dataclass(frozen=True)
class NavEntry:
    title: str
    path: str | None = None
    children: tuple[NavEntry, ...] = ()

    def as_yaml(self) -> dict[str, Any]:
        if self.children:
            return {self.title: [c.as_yaml() for c in self.children]}
        return {self.title: self.path}


def mkdocs_config(docs: Path, site: Path, nav: Sequence[NavEntry]) -> dict[str, Any]:
    """The repository's mkdocs.yml for a build of ``docs`` into ``site`` with this navigation."""
    config = yaml.safe_load(resource("mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(docs)
    config["site_dir"] = str(site)
    config["theme"]["custom_dir"] = str(resource("site") / "overrides")
    config["nav"] = [n.as_yaml() for n in nav]
    config["not_in_nav"] = f"/t*/*.md\n/unassigned.md\n/archive/\n/{SHELL_DIR}/"
    return config


def _shell_page(kind: str, like: Page) -> Page:
    """The stub that gets the theme around every page of one shell kind (same depth as those pages)."""
    depth = like.path.count("/")
    path = "/".join([SHELL_DIR] * depth + [f"{kind}.md"]) if depth else f"{SHELL_DIR}-{kind}.md"
    return Page(path, TITLE_MARKER, "", like.level, (), like.wide)


def skeleton_pages(pages: Sequence[Page]) -> list[Page]:
    """What mkdocs renders: public pages in full, protected pages as stubs, one stub per shell kind.
    Only the protected pages' places and levels matter: their bodies may still be empty.

    No text from the register ever reaches mkdocs: a protected page's title (a county, township or village
    name) is a marker there, replaced by the escaped title in :func:`fill_site` -- the theme prints titles
    unescaped (``md-header__topic``), so a cell holding ``<img onerror=…>`` would run before the password."""
    stubs: list[Page] = []
    shells: dict[str, Page] = {}
    for page in pages:
        if page.level is None:
            stubs.append(page)
        elif page.shell is None:
            stubs.append(replace(page, title=TITLE_MARKER, body="", scope=()))
        elif page.shell not in shells:
            shells[page.shell] = _shell_page(page.shell, page)
    return stubs + list(shells.values())


def _stub_text(page: Page) -> str:
    if page.level is None:
        return page.body
    return f"{page.front_matter()}\n@@\n"


def _skeleton_key(stubs: Sequence[Page], nav: Sequence[NavEntry]) -> str:
    """Everything the skeleton depends on: pages, navigation, site sources, this code, mkdocs versions."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for part in (json.dumps([[p.path, _stub_text(p)] for p in stubs], ensure_ascii=False),
                 json.dumps([n.as_yaml() for n in nav], ensure_ascii=False),
                 resource("mkdocs.yml").read_text(encoding="utf-8"), version("mkdocs"), version("mkdocs-material"),
                 Path(__file__).read_text(encoding="utf-8"), CONTENT_MARKER):
        digest.update(part.encode())
        digest.update(b"\0")
    for folder in (resource("site") / "docs", resource("site") / "overrides"):
        for file in sorted(f for f in folder.rglob("*") if f.is_file()):
            digest.update(str(file.relative_to(folder.parent)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:32]


def build_skeleton(stubs: Sequence[Page], site_dir: Path, nav: Sequence[NavEntry], cache: Path | None = None,
                   ) -> None:
    """The theme site (public pages, stubs with content markers) into ``site_dir``, from ``cache`` when an
    identical skeleton was built before.

    ``cache`` may be shared by the counties of a province run on one machine (their skeletons are the same when
    their policy pages are): a skeleton is built under a name of its own and renamed into place (the first of
    two counties building the same one at once wins, the other uses it), and an entry is removed only when no
    run has used it for :data:`CACHE_IDLE_SECONDS` and it is not among the newest two."""
    site_dir = site_dir.resolve()  # mkdocs takes a relative site_dir from the config file's directory
    if cache is None:
        _mkdocs(stubs, site_dir, nav)
        return
    key = _skeleton_key(stubs, nav)
    cache = cache.resolve()
    kept = cache / key
    try:
        os.utime(kept)  # (marks it in use before it is read: a pruning run elsewhere leaves it alone)
    except FileNotFoundError:
        cache.mkdir(parents=True, exist_ok=True)
        fresh = cache / f".{key}.{os.getpid()}.tmp"
        shutil.rmtree(fresh, ignore_errors=True)
        _mkdocs(stubs, fresh, nav)
        try:
            fresh.rename(kept)
        except OSError:  # another run built the same skeleton meanwhile
            shutil.rmtree(fresh, ignore_errors=True)
            if not kept.is_dir():
                raise
        _prune(cache, kept)
    shutil.copytree(kept, site_dir, copy_function=_link_or_copy)  # fill_site never writes into a linked file


#: A cached skeleton (or a half-built one left by a crash) unused this long may be removed.
CACHE_IDLE_SECONDS = 24 * 3600


def _prune(cache: Path, kept: Path) -> None:
    """Remove the entries no run has used for :data:`CACHE_IDLE_SECONDS`, never ``kept`` nor the newest other
    skeleton (entries may vanish meanwhile: another run prunes the same cache)."""
    ages: dict[Path, float] = {}
    for entry in cache.iterdir():
        try:
            ages[entry] = entry.stat().st_mtime
        except FileNotFoundError:
            continue
    skeletons = sorted((p for p in ages if p != kept and not p.name.startswith(".")), key=ages.__getitem__)
    spared = {kept, *skeletons[-1:]}
    cutoff = time.time() - CACHE_IDLE_SECONDS
    for entry, mtime in ages.items():
        if entry not in spared and mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)


def _link_or_copy(source: str, target: str) -> None:
    """A hard link where the file system allows it (the cache lies beside the site), else a copy."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        shutil.copy2(source, target)


class SkeletonJob:
    """:func:`build_skeleton` in a forked process, while this one renders and encrypts the bodies."""

    def __init__(self, stubs: Sequence[Page], site_dir: Path, nav: Sequence[NavEntry], cache: Path | None) -> None:
        self._args = (list(stubs), site_dir, list(nav), cache)
        self._pool = cores.fork_pool(1) if cores.jobs() > 1 else None
        if self._pool is not None:
            with cores.frozen_heap():
                self._future = self._pool.submit(build_skeleton, *self._args)

    def close(self) -> None:
        """Wait for the job and forget its outcome (the build failed elsewhere; nothing writes afterwards)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def wait(self) -> None:
        if self._pool is None:
            build_skeleton(*self._args)
            return
        try:
            self._future.result()
        finally:
            self._pool.shutdown()


def _mkdocs(docs_pages: Sequence[Page], site_dir: Path, nav: Sequence[NavEntry]) -> None:
    """Run mkdocs over the hand-written docs and these pages (protected ones as stubs) into ``site_dir``."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from .mkdocs_hooks import ProtectedPages

    with tempfile.TemporaryDirectory(prefix="tracker-docs-") as tmp:
        staging = Path(tmp)
        docs = staging / "docs"
        shutil.copytree(resource("site") / "docs", docs)
        for page in docs_pages:
            target = docs / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_stub_text(page), encoding="utf-8")
        config_file = staging / "mkdocs.yml"
        config = mkdocs_config(docs, site_dir, nav)
        config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        mkdocs_log = logging.getLogger("mkdocs")
        previous = mkdocs_log.level
        mkdocs_log.setLevel(logging.WARNING)
        try:
            cfg = load_config(config_file=str(config_file))
            cfg.plugins["tracker-protected-pages"] = ProtectedPages(
                {p.path for p in docs_pages if p.level is not None}, CONTENT_MARKER)
            build(cfg)
        except MkDocsException as exc:
            raise BuildError(f"生成网站失败：{exc}") from exc
        finally:
            mkdocs_log.setLevel(previous)


def encrypt_pages(pages: Sequence[Page], ring: KeyRing) -> dict[str, str]:
    """The password form (encrypted content included) of every protected page, by path."""
    return {p.path: protect(ring, p, p.body) for p in pages if p.level}


def _write(target: Path, text: str) -> None:
    target.unlink(missing_ok=True)  # never write through a hard link into the skeleton cache
    target.write_text(text, encoding="utf-8")


def _fill(template: str, page: Page, form: str) -> str:
    if template.count(CONTENT_MARKER) != 1:
        raise BuildError(f"生成网站失败：主题页面里找不到 {page.path} 的内容位置。")
    return template.replace(CONTENT_MARKER, form).replace(TITLE_MARKER, str(escape(page.title)))


def fill_site(pages: Sequence[Page], site_dir: Path, forms: Mapping[str, str], iterations: int) -> None:
    """Put every protected page's form into its place in the skeleton; the shells then go."""
    _write(site_dir / "assets" / "javascripts" / "decrypt-contents.js", decrypt_js(iterations))
    shells = {p.shell: _shell_page(p.shell, p) for p in pages if p.level and p.shell}
    county = {p.html_path for p in pages if p.level == COUNTY_LEVEL}  # (every shell is of a level below)
    templates = {kind: without_links_to((site_dir / shell.html_path).read_text(encoding="utf-8"), shell.html_path,
                                        county) for kind, shell in shells.items()}
    for page in pages:
        if page.level is None:
            continue
        target = site_dir / page.html_path
        if page.shell is None:
            _write(target, _fill(target.read_text(encoding="utf-8"), page, forms[page.path]))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write(target, _fill(templates[page.shell], page, forms[page.path]))
    for shell in shells.values():
        (site_dir / shell.html_path).unlink()
    for directory in {(site_dir / s.html_path).parent for s in shells.values()}:
        if directory != site_dir and not any(directory.iterdir()):
            directory.rmdir()


def build_site_dir(pages: Sequence[Page], site_dir: Path, nav: Sequence[NavEntry], ring: KeyRing,
                   cache: Path | None = None) -> None:
    """Build the site into ``site_dir`` (must not exist): the theme by mkdocs, protected pages encrypted.
    An ``OSError`` (disk full, permissions) is left to the caller, which keeps the published site."""
    build_skeleton(skeleton_pages(pages), site_dir, nav, cache)
    fill_site(pages, site_dir, encrypt_pages(pages, ring), ring.iterations)
