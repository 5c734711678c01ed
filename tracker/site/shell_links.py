"""A lower level's pages link only to pages its password opens.

The theme around every page comes from mkdocs with the site's one navigation (首页, 全县动态调整清单, 名册校验报告 …)
and a logo linking to the county home: all county pages. A village or township reader following them meets a
password prompt it cannot answer. The shells of township, village and township-checklist pages (every protected
page below the county) therefore lose the navigation entries and links that lead to county-only pages; the public
guidance stays.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection


def without_links_to(html: str, where: str, forbidden: Collection[str]) -> str:
    """``html`` (a page at ``where``) without the navigation items linking to ``forbidden`` paths (site-relative
    ``.html`` paths); any other link to them loses its ``href``."""
    import lxml.html

    doc = lxml.html.document_fromstring(html)
    folder = posixpath.dirname(where)
    changed = False
    for link in list(doc.iter("a")):
        href = (link.get("href") or "").split("#", 1)[0]
        if not href or "://" in href or href.startswith(("mailto:", "/")):
            continue
        if posixpath.normpath(posixpath.join(folder, href)) not in forbidden:
            continue
        item = next((a for a in link.iterancestors("li") if "md-nav__item" in (a.get("class") or "")), None)
        if item is not None and item.getparent() is not None:
            item.getparent().remove(item)
        else:  # (the logo): no longer a link, so a plain element without a link's label
            link.tag = "span"
            for name in ("href", "aria-label"):
                link.attrib.pop(name, None)
        changed = True
    if not changed:
        return html
    return lxml.html.tostring(doc, encoding="unicode", doctype="<!doctype html>")
