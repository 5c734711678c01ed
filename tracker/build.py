"""Build stage: pages -> a static site, with mkdocs-material for the theme and the public pages.

mkdocs renders the public guidance pages in full and, for every protected page, only the theme around
it: the page's Markdown is a stub, and :class:`_ProtectedPages` puts a marker where the content goes.
Pages of one ``shell`` kind (the village pages, ~90% of a county's pages) share a single such theme page
-- they differ only in title and content.  Then :mod:`tracker.protect` encrypts each page's HTML and the
marker is replaced by the plugin-format password form.  So neither Python-Markdown nor the theme ever
sees a household table, and no HTML is parsed twice.

The configuration is the repository's ``mkdocs.yml`` with paths made absolute and the navigation set
here.  Village pages stay out of the global navigation (it would be copied into every page: O(N²)
output) and are reached from their township page.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markupsafe import escape

from .errors import BuildError
from .pages import Page
from .protect import KeyRing, decrypt_js, protect
from .resources import resource

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


def mkdocs_config(docs: Path, site: Path, nav: Sequence[NavEntry], extra: Mapping[str, Any] | None = None,
                  ) -> dict[str, Any]:
    """The repository's mkdocs.yml for a build of ``docs`` into ``site`` with this navigation."""
    config = yaml.safe_load(resource("mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(docs)
    config["site_dir"] = str(site)
    config["theme"]["custom_dir"] = str(resource("site") / "overrides")
    config["nav"] = [n.as_yaml() for n in nav]
    config["not_in_nav"] = f"/t*/*.md\n/unassigned.md\n/archive/\n/{SHELL_DIR}/"
    config.update(extra or {})
    return config


def _shell_page(kind: str, like: Page) -> Page:
    """The stub that gets the theme around every page of one shell kind (same depth as those pages)."""
    depth = like.path.count("/")
    path = "/".join([SHELL_DIR] * depth + [f"{kind}.md"]) if depth else f"{SHELL_DIR}-{kind}.md"
    return Page(path, TITLE_MARKER, "", like.level, (), like.wide)


def _stubs(pages: Sequence[Page]) -> tuple[list[Page], dict[str, Page]]:
    """The pages mkdocs renders (public pages in full, protected ones as stubs) and the shells by kind."""
    mk: list[Page] = []
    shells: dict[str, Page] = {}
    for page in pages:
        if page.level is None or page.shell is None:
            mk.append(page)
        elif page.shell not in shells:
            shells[page.shell] = _shell_page(page.shell, page)
    return mk + list(shells.values()), shells


def _stub_text(page: Page) -> str:
    if page.level is None:
        return page.body
    return f"{page.front_matter()}\n@@\n"


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


def _fill(template: str, page: Page, ring: KeyRing, title: bool) -> str:
    if page.level is None:
        raise ValueError(page.path)
    form = protect(ring, page.body, page.level, page.scope, page.html_path, page.root)
    if template.count(CONTENT_MARKER) != 1:
        raise BuildError(f"生成网站失败：主题页面里找不到 {page.path} 的内容位置。")
    text = template.replace(CONTENT_MARKER, form)
    return text.replace(TITLE_MARKER, str(escape(page.title))) if title else text


def build_site_dir(pages: Sequence[Page], site_dir: Path, nav: Sequence[NavEntry], ring: KeyRing) -> None:
    """Build the site into ``site_dir`` (must not exist): the theme by mkdocs, protected pages encrypted.
    An ``OSError`` (disk full, permissions) is left to the caller, which keeps the published site."""
    mk_pages, shells = _stubs(pages)
    _mkdocs(mk_pages, site_dir, nav)
    js = site_dir / "assets" / "javascripts" / "decrypt-contents.js"
    js.write_text(decrypt_js(ring.iterations), encoding="utf-8")
    templates = {}
    for kind, shell in shells.items():
        shell_file = site_dir / shell.html_path
        templates[kind] = shell_file.read_text(encoding="utf-8")
        shell_file.unlink()
    for directory in {(site_dir / s.html_path).parent for s in shells.values()}:
        if directory != site_dir and not any(directory.iterdir()):
            directory.rmdir()
    for page in pages:
        if page.level is None:
            continue
        target = site_dir / page.html_path
        if page.shell is None:
            target.write_text(_fill(target.read_text(encoding="utf-8"), page, ring, False), encoding="utf-8")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_fill(templates[page.shell], page, ring, True), encoding="utf-8")
