"""The site people read (issue 4), checked by parsing the built HTML of a register of crafted cases."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.builders import headers, household, measure, register, village
from tests.decrypt import decrypted_html
from tracker.pipeline.run import build_site, check
from tracker.protect.passwords import Secrets
from tracker.register.sheets import RawRegister, SheetData
from tracker.register.writers import write_register

AS_OF = date(2020, 7, 20)
COUNTY_PASSWORD = "yefufa-bicica-zapuli-xufawu-374"  # protected pages are read decrypted, as the county would
HOSTILE_NAME = "<script>alert('x')</script>"
HOSTILE_MEASURE = "[点我](javascript:alert(1)) | {{ 7*7 }} **粗**"


def _sheets(reg: RawRegister) -> list[SheetData]:
    out = []
    for key, name in (("villages", "行政村"), ("households", "监测户"), ("measures", "帮扶措施")):
        rows = [cells for number, cells in reg.sheets[name].rows[1:]]
        out.append(SheetData(name, tuple(headers(key)), rows))
    return out


def _register() -> RawRegister:
    return register(
        villages=[village(), village(**{"行政村": "空村", "村代码": "410102001002", "最近排查日期": "2020-07-10"}),
                  village(**{"行政村": "未排查村", "村代码": "410102001003", "最近排查日期": None}),
                  village(**{"乡镇（街道）": "河西乡", "行政村": "河西村", "村代码": "410102002001"})],
        households=[
            household(1),  # compliant
            household(2, **{"户主姓名": HOSTILE_NAME, "帮扶责任人": "{{ 7*7 }}"}),
            household(3, **{"系统录入日期": None, "农户申报或发现日期": "2020-05-01",
                            "首次纳入监测日期": "2020-05-02"}),  # procedure.overdue (due 2020-06-30)
            household(4, **{"家庭人口数": "很多"}),  # data error
            household(5, **{"乡镇（街道）": "河西乡", "行政村": "河西村", "帮扶责任人": None}),  # no_responsible
            household(6, **{"监测状态": "风险已消除", "风险消除日期": "2020-07-05"}),  # cleared prematurely
            household(7, **{"首次纳入监测日期": "2020-07-03", "农户申报或发现日期": "2020-07-01",
                            "村级评议日期": None, "乡镇审核日期": None, "县级确定日期": None, "系统录入日期": None}),
        ],
        measures=[measure("H0001"), measure("H0002", **{"具体措施": HOSTILE_MEASURE}), measure("H0003"),
                  measure("H0004"), measure("H0005"), measure("H0007")],
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    source = root / "crafted.xlsx"
    write_register(_sheets(_register()), source)
    policy = root / "policy.yaml"
    policy.write_text("urban_dibao_monthly: 800\nrural_dibao_annual: 5000\nregistered_population: 200\n",
                      encoding="utf-8")
    out = root / "public"
    build_site(str(source), out, policy_file=str(policy), as_of=AS_OF, secrets=Secrets(county=COUNTY_PASSWORD))
    return out


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(decrypted_html(path, COUNTY_PASSWORD), "html.parser")


def _village_pages(site: Path) -> dict[str, BeautifulSoup]:
    pages = {}
    for page in site.glob("t*/v*.html"):
        soup = _soup(page)
        pages[soup.select_one("article h1").get_text(strip=True)] = soup
    return pages


def test_every_village_has_a_page_listing_its_households(site: Path) -> None:
    pages = _village_pages(site)
    assert set(pages) == {"东村", "空村", "未排查村", "河西村"}
    east = pages["东村"]
    rows = east.select("table.households tbody tr")
    ids = [tr.find("th", scope="row").get_text(" ", strip=True).split()[0] for tr in rows]
    assert ids == ["H0001", "H0002", "H0003", "H0004", "H0006", "H0007"]
    detail = east.get_text()
    assert "监测程序超期未完成" in detail and "期限" in detail  # the rule by its Chinese title
    assert east.select('li[data-rule="procedure.overdue"] small[title="规则编号 procedure.overdue"]')


def test_empty_villages_say_screened_or_missing(site: Path) -> None:
    pages = _village_pages(site)
    assert "2020年7月10日 完成排查，目前没有监测户" in pages["空村"].get_text()
    text = pages["未排查村"].get_text()
    assert "没有登记排查日期" in text and pages["未排查村"].select('li[data-rule="coverage.unscreened"]')


def test_hostile_cells_render_as_text(site: Path) -> None:
    east = _village_pages(site)["东村"]
    assert not east.select("article script")
    cells = [td.get_text() for td in east.select("table.households td")]
    assert HOSTILE_NAME in cells
    assert not [a for a in east.select("a[href]") if a["href"].lower().startswith("javascript")]
    measures = " ".join(cells)
    assert "[点我](javascript:alert(1)) | {{ 7*7 }} **粗**" in measures
    assert "49" not in measures


def test_data_error_household_is_flagged_and_linked(site: Path) -> None:
    east = _village_pages(site)["东村"]
    row = east.select_one("tr.has-error")
    assert row is not None and "H0004" in row.get_text()
    link = row.select_one("a.flag")["href"]
    assert east.select_one(link)  # the anchor exists on the page
    detail = east.select_one(link).get_text()
    # the error itself, on the village page: no link to the county-only report a village password cannot open
    assert "监测户 第 5 行「家庭人口数」：「很多」不是有效的整数" in detail
    assert "report.html" not in str(east.select_one("article"))


def test_checklists_titled_and_naming_every_flagged_household(site: Path) -> None:
    county = _soup(site / "checklist.html")
    assert "动态调整" in county.title.get_text() or "动态调整" in county.select_one("h1").get_text()
    text = county.get_text()
    _, outcome = check(str(site.parent / "crafted.xlsx"), str(site.parent / "policy.yaml"), AS_OF)
    flagged = {f.household for f in outcome.findings if f.household and f.severity in ("error", "warning")}
    assert {"H0003", "H0005", "H0006"} <= flagged
    listed = {a.get_text(strip=True) for a in county.select("ul.tasks li a, table.sheet th a")}
    assert flagged <= listed  # each in its village's work sheet
    sheets = county.select("section.village-sheet")
    assert sheets and all(s.select("table.village-signature") and s.select("td.box") for s in sheets)
    assert "村级核查人" in text and "乡镇审核人" in text and "县级抽查人" in text
    summary = county.select_one("table.summary")  # the county checklist leads with its townships
    assert summary is not None and {a["href"] for a in summary.select("th a")} == {
        f"{p.parent.name}/checklist.html" for p in site.glob("t*/checklist.html")}
    assert "H0007" in text  # newly monitored this month
    assert "消除条件不满足" in text
    assert "核查人" in text and "签字" in text
    assert county.select("ul.tasks li")
    townships = [p for p in site.glob("t*/checklist.html")]
    assert len(townships) == 2
    for page in townships:
        assert "动态调整" in _soup(page).select_one("h1").get_text()


def test_guidance_shows_configured_numbers(site: Path) -> None:
    relief = _soup(site / "guide" / "assistance.html").get_text()
    assert "2,400 元" in relief and "6,400 元" in relief and "7,500 元" in relief
    scope = _soup(site / "guide" / "scope.html").get_text()
    assert "6,000 元" in scope
    rules = _soup(site / "guide" / "rules.html")
    assert rules.select_one("h2#procedure-overdue")
    dictionary = _soup(site / "guide" / "data-dictionary.html").get_text()
    assert "户主身份证号" in dictionary and "脱贫监测户、边缘户" in dictionary


def test_guidance_cites_document_and_clause(site: Path) -> None:
    """Every citation of every rule is on the 政策依据 page with its verbatim phrase; the guide pages name their
    document wherever they cite a clause, and say the documents' words (issue 22)."""
    from tracker.rules import BASES

    basis = " ".join(_soup(site / "guide" / "basis.html").get_text().split())
    for key, grounds in BASES.items():
        assert key in basis, key
        for c in grounds.citations:
            assert f"依据：{c.document} {c.clause}「{c.quote}」" in basis, (key, c)
    rules = _soup(site / "guide" / "rules.html")
    overdue = rules.select_one("h2#procedure-overdue").find_next("ul", class_="citations").get_text()
    assert "郑脱贫组〔2020〕2号 二、(二)「此项工作与集中整治同步进行，于5月10日前完成」" in overdue
    text = {name: " ".join(_soup(site / "guide" / f"{name}.html").get_text().split())
            for name in ("scope", "procedure", "schedule", "assistance")}
    assert "等多种途径收集相关信息" in text["scope"] and "三条途径" not in text["scope"]
    assert "刚性支出明显超过上年度收入" in text["scope"]
    assert "于 2020年5月10日 前完成（郑脱贫组〔2020〕2号 二、(二)）" in text["schedule"]
    assert "各级扶贫、卫生健康、应急管理、残联等相关部门" in text["schedule"] and "医保" not in text["schedule"]
    assert "不另起炉灶，减少不必要的填表报数" in text["schedule"]
    assert "有法定赡养人但单独分户生活的老人户" in text["assistance"]
    assert "本县设定从申报或发现的当月起，最迟在次月最后一天前走完四步" in text["procedure"]
    for name, page in text.items():  # a clause is never cited without its document
        for cited in re.findall(r"（([^（）]*[一二三四五六]、[^（）]*)）", page):
            assert "号" in cited or cited.startswith(("13号", "2号")), (name, cited)


def test_print_css_and_charts(site: Path) -> None:
    css = (site / "assets" / "tracker.css").read_text(encoding="utf-8")
    assert "@media print" in css and "size: A4" in css and ".page-break" in css
    home = _soup(site / "index.html")
    svgs = home.select("figure.chart svg")
    assert len(svgs) >= 5
    for svg in svgs:
        assert svg.find("title").get_text() and svg.find("desc").get_text()
        assert svg.find("text")


def test_no_external_url_anywhere(site: Path) -> None:
    external = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
    css_url = re.compile(r"url\(\s*['\"]?(?:https?:)?//", re.I)
    import_url = re.compile(r"@import\s+['\"]?(?:url\()?['\"]?(?:https?:)?//", re.I)
    for path in site.rglob("*"):
        if path.suffix in (".html", ".css", ".js") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not external.search(text), path
            assert not css_url.search(text), path
            assert not import_url.search(text), path


def test_guidance_follows_the_mechanism_of_the_as_of_date(tmp_path: Path) -> None:
    """Issue 16: a site dated 2026 describes the 2021+ mechanism; its rules page lists both mechanisms."""
    source = tmp_path / "crafted.xlsx"
    write_register(_sheets(_register()), source)
    out = tmp_path / "public"
    build_site(str(source), out, as_of=date(2026, 3, 1), secrets=Secrets(county=COUNTY_PASSWORD))
    text = {name: " ".join(_soup(out / "guide" / f"{name}.html").get_text().split())
            for name in ("index", "scope", "procedure", "rules", "schedule", "assistance")}
    assert "执行 2021 年以后的防止返贫动态监测和帮扶机制" in text["index"]
    assert "脱贫不稳定户" in text["scope"] and "2026 年的监测标准还没有在政策参数文件中填写" in text["scope"]
    assert "村内公示" in text["procedure"] and "不超过 15 天" in text["procedure"] and "集中整治" not in text[
        "procedure"]
    assert "常态化监测" in text["schedule"] and "饮水安全保障" in text["assistance"]
    rules = text["rules"]
    assert "执行2021 年以后的机制" in rules and "identify.late" in rules and "procedure.overdue" in rules
    assert "2020 年的机制（本网站的判断日期不执行）" in rules


def test_lower_level_shells_lose_links_to_county_pages() -> None:
    from tracker.site.shell_links import without_links_to

    html = ('<!doctype html><html><body><a class="md-logo" href="../index.html">台账</a><nav><ul>'
            '<li class="md-nav__item"><a href="../index.html">首页</a></li>'
            '<li class="md-nav__item"><a href="../report.html#x">名册校验报告</a></li>'
            '<li class="md-nav__item"><a href="../guide/index.html">政策指引</a></li></ul></nav>'
            '<article>@@content@@<a href="#hh-2">户</a></article></body></html>')
    out = without_links_to(html, "t1/v2.html", {"index.html", "report.html", "checklist.html"})
    assert "首页" not in out and "名册校验报告" not in out  # their navigation items are gone
    assert 'href="../guide/index.html"' in out and 'href="#hh-2"' in out and "@@content@@" in out
    assert '<span class="md-logo">台账</span>' in out  # the logo stays, without its link up
    assert without_links_to(html, "index.html", {"x.html"}) == html  # nothing to drop: untouched


def test_readers_see_no_rule_ids_config_keys_or_flags(site: Path) -> None:
    """Issue 23: what readers see names rules and settings in Chinese (ids and keys stay in attributes and JSON)."""
    import re

    pages = [site / "index.html", site / "checklist.html", *site.glob("t*/index.html"), *site.glob("t*/checklist.html"),
             *site.glob("t*/v*.html")]
    assert len(pages) > 6
    for page in pages:
        article = _soup(page).select_one("article")
        text = article.get_text(" ") if article is not None else ""
        codes = r"\b[a-z]+\.(?!xlsx\b|xls\b|csv\b|ods\b)[a-z_]{3,}\b|\b[a-z]+_[a-z_]+\b|--[a-z-]+|schemas/\w+"
        found = re.findall(codes, text)  # (the register's file name, 名册：crafted.xlsx, is the county's own word)
        assert not found, (page.name, found[:5])
