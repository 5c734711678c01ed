"""Build stage: generated pages + hand-written ``site/docs`` -> a static site, with mkdocs-material.

The pages are written to a private staging directory (never inside the repository); the mkdocs
configuration is the repository's ``mkdocs.yml`` with paths made absolute and the navigation set here.
Village pages stay out of the global navigation (it would be copied into every page: O(N²) output) and
are reached from their township page.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .encryption import isolate_plugin_state
from .errors import BuildError
from .kdf_cache import seed_plugin
from .resources import resource


@dataclass(frozen=True)
class NavEntry:
    title: str
    path: str | None = None
    children: tuple[NavEntry, ...] = ()

    def as_yaml(self) -> dict[str, Any]:
        if self.children:
            return {self.title: [c.as_yaml() for c in self.children]}
        return {self.title: self.path}


def _config(docs: Path, site: Path, nav: list[NavEntry], extra: Mapping[str, Any]) -> dict[str, Any]:
    config = yaml.safe_load(resource("mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(docs)
    config["site_dir"] = str(site)
    config["theme"]["custom_dir"] = str(resource("site") / "overrides")
    config["nav"] = [n.as_yaml() for n in nav]
    config["not_in_nav"] = "/t*/v*.md\n/unassigned.md"
    for key, value in extra.items():
        config[key] = value
    return config


def build_site_dir(pages: Mapping[str, str], site_dir: Path, nav: list[NavEntry],
                   extra_config: Mapping[str, Any] | None = None, key_dir: Path | None = None) -> None:
    """Write the pages next to the hand-written docs and run mkdocs into ``site_dir`` (must not exist).

    ``key_dir``: the private data directory where derived encryption keys are kept between builds."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with tempfile.TemporaryDirectory(prefix="tracker-docs-") as tmp:
        staging = Path(tmp)
        docs = staging / "docs"
        shutil.copytree(resource("site") / "docs", docs)
        for rel, text in pages.items():
            target = docs / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        config_file = staging / "mkdocs.yml"
        config = _config(docs, site_dir, nav, extra_config or {})
        config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        mkdocs_log = logging.getLogger("mkdocs")
        previous = mkdocs_log.level
        mkdocs_log.setLevel(logging.WARNING)
        try:
            cfg = load_config(config_file=str(config_file))
            isolate_plugin_state(cfg)
            seed_plugin(cfg, key_dir)
            build(cfg)
        except MkDocsException as exc:
            raise BuildError(f"生成网站失败：{exc}") from exc
        except OSError as exc:
            raise BuildError(f"生成网站时写文件失败：{exc}。请检查磁盘空间和目录权限。") from exc
        finally:
            mkdocs_log.setLevel(previous)
