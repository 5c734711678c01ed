"""End to end: ``tracker build`` on the demo register gives a page for every village (HTML parsed)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.decrypt import decrypted_html
from tracker.cli.app import main
from tracker.demo.generator import generate
from tracker.register.sources import open_source
from tracker.register.writers import write_register
from tracker.validate.validator import validate

AS_OF = date(2026, 11, 15)
COUNTY_PASSWORD = "yefufa-bicica-zapuli-xufawu-374"  # protected pages are read decrypted, as the county would


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("build")
    register = root / "demo.xlsx"
    write_register(generate(villages=40, households=600, seed=7, today=AS_OF), register)
    out = root / "public"
    with pytest.MonkeyPatch.context() as env:
        env.delenv("TRACKER_SECRETS", raising=False)
        env.setenv("TRACKER_COUNTY_PASSWORD", COUNTY_PASSWORD)
        assert main(["build", "--source", str(register), "--out", str(out), "--as-of", AS_OF.isoformat()]) == 0
    return register, out


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(decrypted_html(path, COUNTY_PASSWORD), "html.parser")


def _links(page: Path, pattern: str) -> list[Path]:
    soup = _soup(page)
    return [(page.parent / a["href"]).resolve() for a in soup.select("article a[href]")
            if re.fullmatch(pattern, a["href"])]


def test_every_village_has_its_page(built: tuple[Path, Path]) -> None:
    register, out = built
    villages = validate(open_source(str(register)).read(), today=AS_OF).tables["villages"].values
    expected = {(t, v) for t, v in zip(villages["township"], villages["village"], strict=True)}
    found = set()
    for township_page in _links(out / "index.html", r"t[0-9a-f]{8}/index\.html"):
        township = _soup(township_page).select_one("article h1").get_text(strip=True)
        for village_page in _links(township_page, r"v[0-9a-f]{8}\.html"):
            assert village_page.is_file()
            name = _soup(village_page).select_one("article h1").get_text(strip=True)
            found.add((township, name))
    assert found == expected


def test_households_listed_with_masked_ids(built: tuple[Path, Path]) -> None:
    register, out = built
    households = validate(open_source(str(register)).read(), today=AS_OF).tables["households"]
    pages = list(out.glob("t*/v*.html"))
    rows = 0
    masked = re.compile(r"^\d{4}\*{10}[\dX]{4}$")
    for page in pages:
        for tr in _soup(page).select("table.households tbody tr"):
            cells = [td.get_text(strip=True) for td in tr.find_all(["th", "td"])]  # (户编号 is the row's header)
            assert masked.match(cells[2]) or cells[2] == "", cells[2]
            rows += 1
    unassigned = out / "unassigned.html"
    if unassigned.exists():
        rows += len(_soup(unassigned).select("table.households tbody tr"))
    assert rows == len(households.values)
    full_ids = {str(v) for v in households.values["head_id_number"].dropna()}
    html = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert not any(i in html for i in full_ids)


def test_empty_village_says_so(built: tuple[Path, Path]) -> None:
    _, out = built
    texts = [_soup(p).get_text() for p in out.glob("t*/v*.html")]
    assert any("没有监测户" in t for t in texts)


def test_report_page_lists_errors_with_rows(built: tuple[Path, Path]) -> None:
    _, out = built
    rows = _soup(out / "report.html").select("table.errors tbody tr")
    assert rows and all(r.find_all("td")[1].get_text(strip=True).isdigit() for r in rows)


def test_no_external_urls(built: tuple[Path, Path]) -> None:
    _, out = built
    external = re.compile(r"^(https?:)?//", re.I)
    for page in out.rglob("*.html"):
        soup = _soup(page)
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for el in soup.find_all(tag):
                assert not external.match(el.get(attr, "")), (page, el)
    for css in out.rglob("*.css"):
        assert not re.search(r"url\((['\"]?)https?:", css.read_text(encoding="utf-8")), css
