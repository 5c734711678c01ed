"""The tracker's mkdocs plugin: protected pages get a content marker instead of their (stub) content.

Added to the loaded configuration by :mod:`tracker.site.build` (no entry point, it is never used alone).
``page.encrypted`` tells the theme override (``site/overrides/main.html``) to give the page the site name
as ``<title>`` and to check for WebCrypto; the marker is replaced by the encrypted content afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mkdocs.plugins import BasePlugin


class ProtectedPages(BasePlugin):  # type: ignore[type-arg]
    def __init__(self, paths: Iterable[str], marker: str) -> None:
        super().__init__()
        self.paths = frozenset(paths)
        self.marker = marker

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        """Chinese as written in mainland China: ``lang="zh-CN"`` (the theme says ``zh``), for screen readers."""
        return output.replace('<html lang="zh"', '<html lang="zh-CN"', 1)

    def on_page_content(self, html: str, page: Any, config: Any, files: Any) -> str:
        if page.file.src_uri in self.paths:
            page.encrypted = True
            return self.marker
        return html
