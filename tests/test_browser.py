"""The three password levels in a real browser: Debian's chromium driven by Playwright (never downloaded).

One small demo county (2 townships, 12 villages) is built with generated passwords and the production
PBKDF2 setting, and served on 127.0.0.1 (a secure context, so WebCrypto works) by a thread-based server.
Every test opens a fresh browser context (empty sessionStorage), types a password and clicks 打开 (or
presses Enter).  The prompt itself is checked for older staff on phones (WCAG 2.1 AA): its label, focus on
load, the announced error, the show-password button and the contrast of its colours.
"""

from __future__ import annotations

import mimetypes
import posixpath
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from threading import Thread
from typing import Any

import pytest

from tests.conftest import CHROMIUM
from tests.test_privacy import personal_values
from tracker.demo.generator import generate
from tracker.pipeline.run import build_site
from tracker.protect.encryption import KDF_POW, UI
from tracker.protect.passwords import Secrets, generate_secrets
from tracker.protect.serve import make_certificate, make_server
from tracker.register.sheets import SheetData
from tracker.register.writers import write_register

AS_OF = date(2026, 11, 15)
UNLOCK_TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (scripts/test installs it)"),
]


@dataclass(frozen=True)
class Village:
    township: str
    name: str
    url: str  # relative to the site root
    households: int


@dataclass(frozen=True)
class Site:
    root: Path
    base: str
    secrets: Secrets
    sheets: list[SheetData]
    townships: dict[str, str]  # township name -> its page url
    villages: list[Village]


def _model_urls(source: Path, secrets: Secrets) -> tuple[dict[str, str], list[Village]]:
    from tracker.pipeline.run import check
    from tracker.site.views import build_site_model

    model = build_site_model(*check(str(source), as_of=AS_OF))
    townships = {t.name: f"{t.slug}/index.html" for t in model.townships}
    villages = [Village(v.township, v.name, f"{t.slug}/{v.slug}.html", len(v.households))
                for t in model.townships for v in t.villages]
    return townships, villages


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("browser")
    sheets = generate(villages=12, households=90, seed=5, today=AS_OF)
    source = root / "register.xlsx"
    write_register(sheets, source)
    names = [(str(r[1]), str(r[2])) for r in sheets[0].rows]
    secrets = generate_secrets(names, random.Random(2026))
    out = root / "public"
    build_site(str(source), out, as_of=AS_OF, secrets=secrets)
    townships, villages = _model_urls(source, secrets)
    assert len(townships) == 2
    server = make_server(out, "127.0.0.1", 0)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(out, f"http://127.0.0.1:{server.server_address[1]}/", secrets, sheets, townships, villages)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    context.set_default_timeout(UNLOCK_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _with_households(site: Site, township: str | None = None) -> list[Village]:
    return [v for v in site.villages if v.households and (township is None or v.township == township)]


def unlock(page: Any, password: str) -> float:
    """Type the password, click 打开; seconds until the page decrypted (or the error showed)."""
    page.wait_for_selector("#mkdocs-content-password")
    page.fill("#mkdocs-content-password", password)
    started = time.monotonic()
    page.click("#mkdocs-decrypt-button")
    page.wait_for_function(
        "() => !document.getElementById('mkdocs-encrypted-content')"
        " || document.getElementById('mkdocs-decrypt-msg').textContent.length > 0")
    return time.monotonic() - started


def opened(page: Any) -> bool:
    return page.query_selector("#mkdocs-encrypted-content") is None


def refused(page: Any) -> bool:
    return (not opened(page)) and page.inner_text("#mkdocs-decrypt-msg") == UI["decryption_failure_message"]


def test_county_password_opens_a_village_page_with_its_households(site: Site, page: Any) -> None:
    village = _with_households(site)[0]
    page.goto(site.base + village.url)
    assert page.title() == "防止返贫监测台账"
    seconds = unlock(page, site.secrets.county or "")
    assert opened(page)
    rows = page.locator("article table.households tbody tr")
    rows.first.wait_for()
    assert rows.count() == village.households
    assert page.inner_text("article h1") == village.name
    print(f"county password on a village page: {seconds:.2f} s (PBKDF2 10^{KDF_POW})")
    # the navigation was decrypted too (it was cipher text, display:none, before)
    nav = page.eval_on_selector("nav.md-nav--primary", "e => [e.style.display, e.querySelectorAll('a').length]")
    assert nav[0] == "" and nav[1] > 0, nav


def test_village_password_opens_its_village_only(site: Site, page: Any) -> None:
    own, neighbour = _with_households(site)[:2]
    assert own.township == neighbour.township
    password = site.secrets.village(own.township, own.name) or ""
    page.goto(site.base + own.url)
    seconds = unlock(page, password)
    assert opened(page) and page.locator("article table.households").count() == 1
    print(f"village password on its own page: {seconds:.2f} s")
    page.goto(site.base + neighbour.url)  # same browser session: its keys are remembered, but not this level
    unlock(page, password)
    assert refused(page)
    page.goto(site.base + site.townships[own.township])
    unlock(page, password)
    assert refused(page)


def test_township_password_opens_its_villages_not_another_townships(site: Site, page: Any) -> None:
    first, second = list(site.townships)
    password = site.secrets.township(first) or ""
    mine = [v for v in site.villages if v.township == first]
    page.goto(site.base + site.townships[first])
    seconds = unlock(page, password)
    assert opened(page)
    print(f"township password on its township page: {seconds:.2f} s")
    for village in mine[:3]:  # the keys of every village of the township are now in sessionStorage
        page.goto(site.base + village.url)
        page.wait_for_function("() => !document.getElementById('mkdocs-encrypted-content')")
        assert page.inner_text("article h1") == village.name
    other = next(v for v in site.villages if v.township == second)
    for url in (other.url, site.townships[second], "index.html"):
        page.goto(site.base + url)
        unlock(page, password)
        assert refused(page), url


def test_county_password_once_on_the_home_page_opens_every_page_after(site: Site, page: Any) -> None:
    """Each page hands on the keys of the pages it leads to: one unlock on the county home is enough."""
    page.goto(site.base + "index.html")
    unlock(page, site.secrets.county or "")
    assert opened(page)
    first, second = list(site.townships)
    village = next(v for v in site.villages if v.township == second)
    township_checklist = site.townships[first].replace("index.html", "checklist.html")
    for url in (site.townships[first], village.url, township_checklist, "report.html", "checklist.html"):
        page.goto(site.base + url)
        page.wait_for_function("() => !document.getElementById('mkdocs-encrypted-content')")
        assert page.locator("#mkdocs-content-password").count() == 0, url


def test_wrong_password_shows_the_chinese_error_and_no_personal_data(site: Site, page: Any) -> None:
    village = _with_households(site)[0]
    page.goto(site.base + village.url)
    unlock(page, "yefufa-bicica-zapuli-xufawu-000")
    assert refused(page)
    assert page.inner_text("#mkdocs-decrypt-msg").startswith("密码不对，请核对后重新输入。")
    assert page.input_value("#mkdocs-content-password") == ""
    values = personal_values(site.sheets)
    shown, source = page.inner_text("body"), page.content()
    leaked = [v for kind in values.values() for v in kind if v in shown or v in source]
    assert not leaked, leaked[:5]
    assert page.locator("table").count() == 0


# ----------------------------------------------------------------------------------- the prompt itself


def _contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two computed ``rgb(...)`` colours."""
    def luminance(css: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _style(page: Any, selector: str, *props: str) -> list[str]:
    return page.eval_on_selector(selector, "(e, ps) => ps.map(p => getComputedStyle(e)[p])", list(props))


def test_prompt_field_has_a_label_and_is_focused_on_load(site: Site, page: Any) -> None:
    page.goto(site.base + _with_households(site)[0].url)
    field = page.get_by_label(UI["label"])
    assert field.evaluate("e => [e.id, e.type]") == ["mkdocs-content-password", "password"]
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'mkdocs-content-password'")
    assert page.get_by_text(UI["remember_message"]).is_visible()
    page.keyboard.type(site.secrets.county or "")  # straight into the focused field
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.getElementById('mkdocs-encrypted-content')")
    assert page.locator("article table.households").count() == 1


def test_a_page_opened_from_the_remembered_key_takes_no_focus_and_shows_no_prompt(site: Site, page: Any) -> None:
    first = next(iter(site.townships))
    page.goto(site.base + site.townships[first])
    unlock(page, site.secrets.township(first) or "")
    page.goto(site.base + site.townships[first].replace("index.html", "checklist.html"))
    page.wait_for_function("() => !document.getElementById('mkdocs-encrypted-content')")
    assert page.locator("#mkdocs-content-password, #tracker-show-password").count() == 0
    assert page.evaluate("() => document.activeElement === document.body")


def test_unlocked_once_the_same_level_opens_without_asking_in_this_tab_only(site: Site, page: Any) -> None:
    """What the sentence under the field promises: the other pages of the level open in this tab, a new tab asks."""
    first = next(iter(site.townships))
    checklist = site.townships[first].replace("index.html", "checklist.html")
    page.goto(site.base + checklist)
    assert page.get_by_text(UI["remember_message"]).is_visible()
    unlock(page, site.secrets.township(first) or "")
    assert opened(page)
    page.goto(site.base + site.townships[first])  # the same level (township-<slug>): no password asked
    page.wait_for_function("() => !document.getElementById('mkdocs-encrypted-content')")
    assert page.locator("#mkdocs-content-password").count() == 0
    other_tab = page.context.new_page()  # same browser, another tab: its sessionStorage is its own
    other_tab.goto(site.base + site.townships[first])
    other_tab.get_by_label(UI["label"]).wait_for()
    assert not opened(other_tab)


def test_wrong_password_is_announced_every_time(site: Site, page: Any) -> None:
    page.goto(site.base + _with_households(site)[0].url)
    page.eval_on_selector("#mkdocs-decrypt-msg", """e => { window.said = [];
        new MutationObserver(() => window.said.push(e.textContent)).observe(e, {childList: true, subtree: true,
                                                                             characterData: true}); }""")
    for attempt in ("yefufa-bicica-zapuli-xufawu-000", "yefufa-bicica-zapuli-xufawu-001"):
        page.fill("#mkdocs-content-password", attempt)
        page.press("#mkdocs-content-password", "Enter")
        alert = page.get_by_role("alert")
        alert.filter(has_text="密码不对，请核对后重新输入").wait_for()
        assert alert.inner_text() == UI["decryption_failure_message"]
        assert page.evaluate("() => document.activeElement.id") == "mkdocs-content-password"
        page.wait_for_function("() => window.said.length > 0 && window.said[window.said.length - 1].length > 0")
    said = page.evaluate("() => window.said")
    # each try empties the alert first, so the same message is a change again and read out again
    assert said == [UI["decryption_failure_message"], "", UI["decryption_failure_message"]], said
    assert "mkdocs-decrypt-msg" in (page.get_attribute("#mkdocs-content-password", "aria-describedby") or "")


def test_show_password_button_switches_the_field_and_enter_still_unlocks(site: Site, page: Any) -> None:
    village = _with_households(site)[0]
    page.goto(site.base + village.url)
    field = page.get_by_label(UI["label"])
    page.wait_for_function("() => document.activeElement.id === 'mkdocs-content-password'")
    page.keyboard.type("abc")
    page.keyboard.press("Tab")  # the button comes right after the field
    toggle = page.get_by_role("button", name=UI["show_password"])
    assert toggle.evaluate("e => [e === document.activeElement, e.type]") == [True, "button"]
    page.keyboard.press("Enter")
    assert field.get_attribute("type") == "text" and field.input_value() == "abc"
    assert page.get_by_role("button", name=UI["hide_password"]).count() == 1
    assert page.inner_text("#tracker-show-status") == UI["password_shown"]
    page.keyboard.press("Space")
    assert field.get_attribute("type") == "password"
    assert page.get_by_role("button", name=UI["show_password"]).count() == 1
    assert page.inner_text("#tracker-show-status") == UI["password_hidden"]
    assert not opened(page) and page.inner_text("#mkdocs-decrypt-msg") == ""  # the button never submits
    toggle.click()
    field.fill(site.secrets.village(village.township, village.name) or "")
    field.press("Enter")
    page.wait_for_function("() => !document.getElementById('mkdocs-encrypted-content')")
    assert page.locator("article table.households tbody tr").count() == village.households


def test_prompt_colours_meet_the_contrast_minimums(site: Site, page: Any) -> None:
    page.goto(site.base + _with_households(site)[0].url)
    page.get_by_label(UI["label"]).wait_for()
    white = "rgb(255, 255, 255)"
    assert _style(page, "body", "backgroundColor") == [white]
    text, background = _style(page, "#mkdocs-decrypt-button", "color", "backgroundColor")
    assert _contrast(text, background) >= 4.5 and _contrast(background, white) >= 3, (text, background)
    text, border = _style(page, "#tracker-show-password", "color", "borderTopColor")
    assert _contrast(text, white) >= 4.5 and _contrast(border, white) >= 3, (text, border)
    width, border = _style(page, "#mkdocs-content-password", "borderBottomWidth", "borderBottomColor")
    assert float(width.removesuffix("px")) >= 1 and _contrast(border, white) >= 3, (width, border)
    for selector in ("#mkdocs-content-password", "#tracker-show-password", "#mkdocs-decrypt-button"):
        page.focus(selector)
        if selector != "#mkdocs-content-password":  # :focus-visible, as after a Tab
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")
        style, width, colour = _style(page, selector, "outlineStyle", "outlineWidth", "outlineColor")
        assert style == "solid" and width == "2px" and _contrast(colour, white) >= 3, (selector, style, width, colour)
        text, background = _style(page, selector, "color", "backgroundColor")
        if selector != "#mkdocs-content-password":
            assert _contrast(text, background) >= 4.5, (selector, text, background)
    page.hover("#mkdocs-decrypt-button")
    text, background = _style(page, "#mkdocs-decrypt-button", "color", "backgroundColor")
    assert _contrast(text, background) >= 4.5, (text, background)
    assert _contrast(*_style(page, "#mkdocs-decrypt-form .tracker-prompt__remember", "color"), white) >= 4.5
    page.fill("#mkdocs-content-password", "yefufa-bicica-zapuli-xufawu-000")
    page.click("#mkdocs-decrypt-button")
    page.get_by_role("alert").filter(has_text="密码不对").wait_for()
    assert _contrast(*_style(page, "#mkdocs-decrypt-msg", "color"), white) >= 4.5


def _serve_as(page: Any, root: Path, origin: str) -> None:
    """Answer every request for ``origin`` from the site directory (no network): an insecure LAN address."""
    def handle(route: Any) -> None:
        rel = route.request.url[len(origin):].split("?")[0].split("#")[0] or "index.html"
        path = (root / rel).resolve()
        if root in path.parents and path.is_file():
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            route.fulfill(status=200, body=path.read_bytes(), headers={"Content-Type": kind})
        else:
            route.fulfill(status=404, body="not found")

    page.route(origin + "**", handle)


def test_plain_http_on_a_lan_address_explains_https_is_needed(site: Site, page: Any) -> None:
    origin = "http://intranet.county.example/"
    _serve_as(page, site.root, origin)
    page.goto(origin + _with_households(site)[0].url)
    assert page.evaluate("() => window.isSecureContext") is False
    message = page.locator("#mkdocs-decrypt-msg")
    message.wait_for(state="visible")
    text = message.inner_text()
    assert "HTTPS" in text and "https://" in text and "WebCrypto" in text
    assert page.locator("#mkdocs-content-password").is_disabled()
    assert page.locator("#tracker-show-password").is_disabled()
    assert message.get_attribute("role") == "alert"  # the HTTPS message is read out too


def test_file_url_opens_with_the_county_password(site: Site, page: Any) -> None:
    page.goto((site.root / "index.html").as_uri())
    unlock(page, site.secrets.county or "")
    assert opened(page) and "监测台账" in page.inner_text("article h1")


def test_https_with_a_self_signed_certificate(site: Site, browser: Any, tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path / "tls", ["localhost", "127.0.0.1"])
    server = make_server(site.root, "127.0.0.1", 0, cert, key)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context(ignore_https_errors=True)
    context.set_default_timeout(UNLOCK_TIMEOUT_MS)
    try:
        page = context.new_page()
        village = _with_households(site)[-1]
        page.goto(f"https://127.0.0.1:{server.server_address[1]}/{village.url}")
        assert page.evaluate("() => window.isSecureContext && !!crypto.subtle")
        unlock(page, site.secrets.village(village.township, village.name) or "")
        assert opened(page) and page.locator("article table.households tbody tr").count() == village.households
    finally:
        context.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_village_reader_on_a_phone_sees_where_it_is_and_only_links_it_can_open(site: Site, browser: Any) -> None:
    """Issue 18: breadcrumb and title name the place once unlocked, every link of the page opens with the village's
    own password, badges lead to the household's findings, and at 360 px nothing scrolls sideways."""
    village = max(_with_households(site), key=lambda v: v.households)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.set_default_timeout(UNLOCK_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(site.base + village.url)
        assert page.title() == "防止返贫监测台账"  # before unlocking: nothing the link does not show
        unlock(page, site.secrets.village(village.township, village.name) or "")
        assert opened(page)
        page.locator("article table.households").wait_for()
        assert page.title() == f"{village.name} · {village.township} · 监测户 · 防止返贫监测台账"
        crumbs = page.locator("article nav.crumbs li")
        assert crumbs.all_inner_texts()[-2:] == [village.township, village.name]
        assert page.locator("article nav.crumbs a").count() == 0  # the places above cannot be opened from here
        hrefs = page.eval_on_selector_all("article a[href]", "els => els.map(e => e.getAttribute('href'))")
        assert hrefs and all(h.startswith("#") for h in hrefs), [h for h in hrefs if not h.startswith("#")]
        for href in set(hrefs):
            assert page.locator(href).count() == 1, href  # every badge and link lands on this page
        badges = page.locator("article .badges a")
        assert badges.count() > 0
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")  # theme too
        targets = {posixpath.normpath(posixpath.join(posixpath.dirname(village.url), h.split("#")[0]))
                   for h in links if h and not h.startswith("#") and "://" not in h}
        townships = site.townships.values()
        above = {"index.html", "checklist.html", "report.html", "leads.html", "unassigned.html", *townships,
                 *(u.replace("index.html", "checklist.html") for u in townships)}
        assert not targets & above, targets & above  # nothing a village password cannot open
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, width  # the household table became cards
        steps = page.locator("table.households details.steps").first  # procedure dates: open by touch or key
        steps.locator("summary").focus()
        page.keyboard.press("Enter")
        assert "村级评议" in steps.inner_text() or "农户申请" in steps.inner_text()
        page.check("#only-action")  # the filter works without a server
        hidden = page.eval_on_selector_all("table.households tbody tr",
                                           "rows => rows.filter(r => r.hidden).length")
        assert hidden == page.locator("table.households tbody tr:not(.needs-action)").count()
    finally:
        context.close()


def test_a_township_checklist_prints_as_village_work_sheets(site: Site, page: Any, tmp_path: Path) -> None:
    """Issue 18: printed to A4, the township checklist is numbered 第 x 页 / 共 y 页 with the township and month at
    the top of every page, each village's sheet starts a page of its own, and the sign-off blocks are there."""
    import io
    import unicodedata

    from pypdf import PdfReader

    township = next(iter(site.townships))
    page.goto(site.base + site.townships[township].replace("index.html", "checklist.html"))
    unlock(page, site.secrets.township(township) or "")
    assert opened(page)
    page.locator("article section.village-sheet").first.wait_for()
    villages = page.locator("article section.village-sheet h3").all_inner_texts()
    assert villages
    data = page.pdf(format="A4", print_background=False)
    (tmp_path / "checklist.pdf").write_bytes(data)
    pdf = PdfReader(io.BytesIO(data))
    # (the PDF's fonts map some characters to radicals: ⻚ for 页, ⽉ for 月; NFKC folds most, ⻚ by hand)
    texts = [unicodedata.normalize("NFKC", p.extract_text()).replace("⻚", "页") for p in pdf.pages]
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        flat = "".join(text.split())
        assert f"第{number}页/共{total}页" in flat, (number, text[-200:])
        assert "".join(township.split()) in flat and "动态调整清单" in flat  # the running header
    starts = {v.split("（")[0].strip() for v in villages}  # the village names (some glyphs extract as variants)
    heads = ["".join(t.split())[:120] for t in texts]  # the running header, then the page's first lines
    opened_at = [next((s for s in starts if s in head), None) for head in heads]
    assert starts <= set(opened_at), (starts, opened_at)  # each village begins near the top of a page
    whole = "".join("".join(t.split()) for t in texts)
    assert whole.count("村级核查人") == len(villages) and "乡镇审核人" in whole and "县级抽查人" in whole


def test_no_page_scrolls_sideways_on_a_phone(site: Site, browser: Any) -> None:
    """Issue 18: at 360 px the county home, a township page and its checklist fit the screen (wide tables scroll
    inside their own box, the household table is cards)."""
    township = next(iter(site.townships))
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.set_default_timeout(UNLOCK_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(site.base + "index.html")
        unlock(page, site.secrets.county or "")
        for url in ("index.html", site.townships[township], site.townships[township].replace("index", "checklist"),
                    "checklist.html", max(_with_households(site), key=lambda v: v.households).url):
            page.goto(site.base + url)
            page.locator("article h1").wait_for()
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 360, (url, width)
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_pages_pass_axe_core_wcag_21_aa(site: Site, browser: Any, width: int) -> None:
    """Issue 23: axe-core (bundled with the axe-playwright-python test extra, so offline) finds no WCAG 2.0/2.1 A or
    AA violation on the password screen, a guide page, the county home, a township page, a village page and a
    checklist."""
    import os

    import axe_playwright_python

    script = os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js")
    run = ("() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
           ".then(r => r.violations.map(v => [v.id, v.nodes.length, v.nodes[0].target.join(' ')]))")
    township = next(iter(site.townships))
    village = max(_with_households(site), key=lambda v: v.households)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(UNLOCK_TIMEOUT_MS)
    found = {}
    try:
        page = context.new_page()
        page.goto(site.base + "guide/index.html")
        page.add_script_tag(path=script)
        found["guide"] = page.evaluate(run)
        page.goto(site.base + "index.html")
        page.wait_for_selector("#mkdocs-content-password")
        page.add_script_tag(path=script)
        found["prompt"] = page.evaluate(run)
        unlock(page, site.secrets.county or "")
        checklist = site.townships[township].replace("index", "checklist")
        for name, url in (("home", "index.html"), ("township", site.townships[township]), ("village", village.url),
                          ("checklist", checklist)):
            page.goto(site.base + url)
            page.locator("article h1").wait_for()
            page.add_script_tag(path=script)
            found[name] = page.evaluate(run)
    finally:
        context.close()
    assert all(not v for v in found.values()), {k: v for k, v in found.items() if v}


def test_keyboard_only(site: Site, page: Any) -> None:
    """Issue 23: the password field has the focus on load, Enter unlocks, the first Tab reaches the skip link and
    the next one lands in the content, and every household's procedure dates open from the keyboard."""
    village = max(_with_households(site), key=lambda v: v.households)
    page.goto(site.base + village.url)
    page.wait_for_selector("#mkdocs-content-password")
    assert page.evaluate("() => document.activeElement.id") == "mkdocs-content-password"
    page.keyboard.type(site.secrets.county or "")
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.getElementById('mkdocs-encrypted-content')")
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    page.reload()  # (unlocked once, the tab opens it again without asking); Tab from the top of the page
    page.wait_for_function("() => !document.getElementById('mkdocs-encrypted-content')")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "跳到正文"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#mkdocs-decrypted-content')")
    summaries = page.locator("table.households details.steps > summary")
    assert summaries.count() == village.households
    assert page.evaluate("() => [...document.querySelectorAll('details.steps > summary')].every(s => s.tabIndex >= 0)")
