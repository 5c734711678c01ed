"""A page of the site as the render stage hands it to the build stage."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    """``body`` is HTML for a protected page (``level`` set) and Markdown with front matter for a public one.

    ``scope``: the levels whose keys a protected page hands on to the browser after an unlock, for the
    pages it links to (see :func:`tracker.protect.forms.keystore`).  ``wide``: the navigation sidebar is hidden
    (village pages: the household table needs the width).  ``shell``: pages of one kind that share one
    rendered theme page (village pages), only title and content differing."""

    path: str  # under the docs directory, ending in .md
    title: str
    body: str
    level: str | None = None
    scope: tuple[str, ...] = ()
    wide: bool = False
    shell: str | None = None

    @property
    def html_path(self) -> str:
        return self.path[: -len(".md")] + ".html"

    @property
    def root(self) -> str:
        """The relative way up to the site root."""
        return "../" * self.path.count("/")

    def front_matter(self) -> str:
        lines = ["---", f"title: {json.dumps(self.title, ensure_ascii=False)}"]
        if self.level:
            lines += ["search:", "  exclude: true", "hide:", "  - toc"]
            if self.wide:
                lines.append("  - navigation")
        return "\n".join([*lines, "---", ""])

    def as_markdown(self) -> str:
        """The page as a Markdown file (the body's HTML stays raw HTML): for the bare mkdocs reference."""
        if self.level is None:
            return self.body
        return f"{self.front_matter()}\n{self.body}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["scope"] = list(self.scope)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Page:
        return cls(**{**data, "scope": tuple(data.get("scope") or ())})
