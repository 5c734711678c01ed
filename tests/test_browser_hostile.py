"""No script from a cell (issue 14, item 1), in a real browser: Debian's chromium driven by Playwright.

A register with markup and script in every place-name and person-name column (``tests/hostile.py``) and a
department warning list of the same kind are built into a site; every page is opened twice -- before any
password (where an injected script could read the password as it is typed) and after the county password --
while the browser reports any dialog.  No payload may run, and the payloads must be shown as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from threading import Thread
from typing import Any

import pytest

from tests.conftest import CHROMIUM
from tests.hostile import COUNTY, TOWNSHIPS, VILLAGES, write_hostile, write_hostile_warnings
from tests.test_browser import AS_OF, opened, unlock
from tracker.pipeline.run import build_site
from tracker.protect.passwords import Secrets
from tracker.protect.serve import make_server

PASSWORD = "zanuxi-ledesa-nasiji-pudeha-580"
#: elements and attributes only a payload would have put on a page
INJECTED = ("img[src='x'], svg[onload], iframe[srcdoc], details[ontoggle], [onerror], [onload]:not(body),"
            "a[href^='javascript:' i]")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (scripts/test installs it)"),
]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("hostile")
    write_hostile(root / "register.xlsx")
    write_hostile_warnings(root / "warnings")
    out = root / "public"
    build_site(str(root / "register.xlsx"), out, as_of=AS_OF, secrets=Secrets(county=PASSWORD),
               warnings=root / "warnings")
    server = make_server(out, "127.0.0.1", 0)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _pages(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.html") if "assets" not in p.parts)


def test_no_cell_runs_a_script_before_or_after_the_password(hostile_site: tuple[Path, str], browser: Any) -> None:
    out, base = hostile_site
    pages = _pages(out)
    assert {"index.html", "checklist.html", "report.html", "leads.html", "unassigned.html"} <= set(pages)
    assert len(pages) >= 18  # three villages, two townships with their checklists, the guide
    context = browser.new_context()
    context.set_default_timeout(30_000)
    page = context.new_page()
    dialogs: list[tuple[str, str]] = []
    page.on("dialog", lambda d: (dialogs.append((page.url, d.message)), d.dismiss()))
    try:
        for url in pages:  # before any password
            page.goto(base + url)
            page.wait_for_load_state("load")
            page.wait_for_timeout(100)
            assert page.query_selector_all(INJECTED) == [], url
        page.goto(base + "index.html")
        unlock(page, PASSWORD)
        assert opened(page)
        text = page.inner_text("body")
        assert COUNTY in text and TOWNSHIPS[0] in text  # shown as text, not dropped
        for url in pages:  # after: the county home handed on every page's key
            page.goto(base + url)
            page.wait_for_load_state("load")
            if page.query_selector("#mkdocs-content-password") is not None:
                page.wait_for_function("() => !document.getElementById('mkdocs-encrypted-content')")
            page.wait_for_timeout(100)
            assert page.query_selector_all(INJECTED) == [], url
            # unlocked, the tab names the place: the hostile name as plain text (no dialog, asserted below)
            assert page.title().endswith("防止返贫监测台账") or url.startswith(("guide/", "404")), url
        village = next(p for p in pages if p.count("/") == 1 and "/v" in p)
        page.goto(base + village)
        page.wait_for_function("() => !document.getElementById('mkdocs-encrypted-content')")
        names = {name for _, name in VILLAGES}
        assert page.inner_text("article h1") in names
    finally:
        context.close()
    assert dialogs == []
