"""The nightly job (issue 7): faults leave the published site byte-for-byte unchanged, deleted households
are kept and shown, an unchanged register skips the build, and a second concurrent run is refused."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from tests.builders import headers, household, measure, register, village
from tests.decrypt import decrypted_html
from tracker.cli.app import main
from tracker.register.sheets import RawRegister, SheetData
from tracker.register.writers import write_register

PASSWORD = "zanuxi-ledesa-nasiji-pudeha-580"
AS_OF = date(2020, 7, 20)


def _write(reg: RawRegister, path: Path) -> None:
    sheets = []
    for key, name in (("villages", "行政村"), ("households", "监测户"), ("measures", "帮扶措施")):
        sheets.append(SheetData(name, tuple(headers(key)), [cells for _, cells in reg.sheets[name].rows[1:]]))
    write_register(sheets, path)


def _households(n: int, skip: tuple[int, ...] = ()) -> RawRegister:
    rows = [household(i, **({"行政村": "西村", "村代码": None} if i % 2 else {})) for i in range(1, n + 1)
            if i not in skip]
    return register(villages=[village(), village(**{"行政村": "西村", "村代码": "410102001002"})], households=rows,
                    measures=[measure(f"H{i:04d}") for i in range(1, n + 1) if i not in skip])


def decrypt_page(path: Path, password: str) -> BeautifulSoup:
    return BeautifulSoup(decrypted_html(path, password), "html.parser")


def _tree(path: Path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture()
def county(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRACKER_COUNTY_PASSWORD", PASSWORD)
    _write(_households(8), tmp_path / "名册.xlsx")
    return tmp_path


def _args(root: Path, *extra: str) -> list[str]:
    return ["nightly", "--source", str(root / "名册.xlsx"), "--out", str(root / "public"), "--data",
            str(root / "data"), "--as-of", AS_OF.isoformat(), "--quiet", *extra]


STAMP = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) 北京时间 \S")


def _china_time_log(text: str) -> list[datetime]:
    """The time of every line of a nightly log, each of which must say it, in China time."""
    lines = text.splitlines()
    assert lines
    for line in lines:
        assert STAMP.match(line), line
    return [datetime.fromisoformat(STAMP.match(line).group(1)) for line in lines]  # type: ignore[union-attr]


@pytest.fixture()
def far_zone() -> Iterator[None]:
    """The server's own zone is far from China's: never the one shown."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_first_run_publishes_and_unchanged_run_skips(county: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch, far_zone: None) -> None:
    loud = [a for a in _args(county) if a != "--quiet"]  # the stage lines, as under cron (not a terminal)
    assert main(loud) == 0
    assert (county / "public" / "index.html").is_file()
    first = capsys.readouterr()
    china = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    for when in _china_time_log(first.err + first.out):
        assert abs((china - when).total_seconds()) < 120
    assert "✔ 发布" in first.err and "网站已生成" in first.out
    import tracker.pipeline.run

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged register must not be rebuilt")

    monkeypatch.setattr(tracker.pipeline.run, "build_site", no_build)
    started = time.monotonic()
    assert main(loud) == 0
    again = capsys.readouterr()
    assert (again.out + again.err).count("跳过生成") == 1
    _china_time_log(again.err + again.out)
    assert time.monotonic() - started < 5  # generous bound; the benchmark measures the real figure


@pytest.mark.parametrize("fault", ["source", "build", "disk"])
def test_faults_leave_the_published_site_unchanged(county: Path, fault: str, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_args(county)) == 0
    before = _tree(county / "public")
    _write(_households(9), county / "名册.xlsx")  # a change, so the next run really builds
    import tracker.site.build

    real = tracker.site.build.fill_site

    def halfway(pages: object, site_dir: Path, *args: object, **kwargs: object) -> None:
        (site_dir / "index.html").write_text("half a site", encoding="utf-8")
        if fault == "disk":
            raise OSError(errno.ENOSPC, "No space left on device")
        raise RuntimeError("the build crashed halfway")

    if fault == "source":
        (county / "名册.xlsx").write_bytes(b"PK\x03\x04 broken")
    else:
        monkeypatch.setattr(tracker.pipeline.run, "fill_site", halfway)
    capsys.readouterr()
    code = main(_args(county))
    assert code != 0
    err = capsys.readouterr().err
    assert err.strip()
    assert _tree(county / "public") == before
    assert not list(county.glob(".public.new-*"))
    monkeypatch.setattr(tracker.pipeline.run, "fill_site", real)


def _subprocess(root: Path, patch: str, *extra: str) -> subprocess.Popen[str]:
    code = f"{patch}\nfrom tracker.cli.app import main\nraise SystemExit(main({_args(root, *extra)!r}))"
    env = {**os.environ, "TRACKER_COUNTY_PASSWORD": PASSWORD}
    return subprocess.Popen([sys.executable, "-c", code], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_killed_mid_publish_leaves_the_site_and_no_stale_lock(county: Path) -> None:
    assert main(_args(county)) == 0
    before = _tree(county / "public")
    _write(_households(9), county / "名册.xlsx")
    kill = ("import os, signal, tracker.pipeline.publish\n"
            "tracker.pipeline.publish._exchange = lambda a, b: os.kill(os.getpid(), signal.SIGKILL)")
    proc = _subprocess(county, kill)
    proc.communicate(timeout=300)
    assert proc.returncode == -9
    assert _tree(county / "public") == before
    assert main(_args(county)) == 0  # the next night runs: no stale lock, leftovers cleaned
    assert _tree(county / "public") != before
    assert not list(county.glob(".public.new-*"))


def test_second_concurrent_run_exits_with_the_lock_message(county: Path) -> None:
    slow = ("import time, tracker.pipeline.run\nreal = tracker.pipeline.run.fill_site\n"
            "def slow(*a, **k):\n    time.sleep(4)\n    return real(*a, **k)\n"
            "tracker.pipeline.run.fill_site = slow")
    first = _subprocess(county, slow)
    lock = county / "data" / "nightly.lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.05)
    second = _subprocess(county, "")
    _, err2 = second.communicate(timeout=300)
    _, err1 = first.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode not in (0, None)
    assert "另一次任务正在运行" in err2
    assert (county / "public" / "index.html").is_file()


def test_deleted_households_are_kept_on_checklist_and_village_pages(county: Path) -> None:
    assert main(_args(county)) == 0
    _write(_households(8, skip=(2, 3, 5)), county / "名册.xlsx")
    assert main(_args(county, "--accept-vanished")) == 0  # 3 of 8 is more than max_vanished_share
    checklist = decrypt_page(county / "public" / "checklist.html", PASSWORD).get_text()
    for hid, name in (("H0002", "王2"), ("H0003", "王3"), ("H0005", "王5")):
        assert hid in checklist and name in checklist
    assert "请确认" in checklist
    villages = {}
    for page in (county / "public").glob("t*/v*.html"):
        soup = decrypt_page(page, PASSWORD)
        villages[soup.select_one("article h1").get_text(strip=True)] = soup
    east = villages["东村"].select("table.vanished tbody tr")
    west = villages["西村"].select("table.vanished tbody tr")
    assert [tr.find("td").get_text() for tr in east] == ["H0002"]
    assert sorted(tr.find("td").get_text() for tr in west) == ["H0003", "H0005"]
    assert "2020年7月20日" in east[0].get_text()
    assert "脱贫监测户" in east[0].get_text() and "王2" in east[0].get_text()


def test_history_diff_restore_and_rollback(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_args(county)) == 0
    first = _tree(county / "public")
    _write(_households(8, skip=(4,)), county / "名册.xlsx")
    assert main(_args(county)) == 0
    capsys.readouterr()
    data = ["--data", str(county / "data")]
    assert main(["history", *data]) == 0
    listing = capsys.readouterr().out
    assert listing.count("2026-") + listing.count("20") >= 2
    assert main(["diff", "previous", "latest", *data]) == 0
    assert "删除（请核实）：H0004" in capsys.readouterr().out
    restored = county / "restored.xlsx"
    assert main(["restore", "previous", "--out", str(restored), *data]) == 0
    import openpyxl

    book = openpyxl.load_workbook(restored)
    ids = [r[0] for r in book["监测户"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert ids == [f"H{i:04d}" for i in range(1, 9)]
    assert main(["rollback", "--out", str(county / "public"), *data]) == 0
    assert _tree(county / "public") == first


def test_past_months_checklists_rebuilt_from_month_end_snapshots(county: Path) -> None:
    from datetime import datetime

    from tracker.history.snapshots import SnapshotStore

    store = SnapshotStore(county / "data")
    store.save(_households(6), datetime(2020, 6, 30, 2, 0))  # last month's month-end register
    assert main(_args(county)) == 0
    page = county / "public" / "archive" / "2020-06" / "checklist.html"
    assert page.is_file()
    text = decrypt_page(page, PASSWORD).get_text()
    assert "2020年6月 动态调整清单" in text
    home = decrypt_page(county / "public" / "index.html", PASSWORD)
    assert home.select_one('a[href="archive/2020-06/checklist.html"]') is not None
    current = decrypt_page(county / "public" / "checklist.html", PASSWORD).get_text()
    assert "2020年7月 动态调整清单" in current
