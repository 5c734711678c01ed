"""Snapshots (content-addressed, hash-verified, retention), the run lock, and the configuration file."""

from __future__ import annotations

import gzip
import multiprocessing
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.builders import household, register
from tracker.common.errors import ConfigError
from tracker.common.lock import LockedError, run_lock
from tracker.history.snapshots import SnapshotError, SnapshotStore, encode_register
from tracker.nightly.config import load_config


def test_unchanged_register_adds_no_object(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    reg = register(households=[household(1, **{"首次纳入监测日期": datetime(2020, 4, 3)})])
    first = store.save(reg, datetime(2026, 11, 1, 2, 0))
    second = store.save(reg, datetime(2026, 11, 2, 2, 0))
    assert first.sha == second.sha
    assert len(list(store.objects.rglob("*.json.gz"))) == 1
    assert [s.label for s in store.list()] == ["2026-11-01T020000", "2026-11-02T020000"]
    loaded = store.load(second)
    assert encode_register(loaded) == encode_register(reg)
    assert loaded.sheets["监测户"].rows == reg.sheets["监测户"].rows


def test_corrupted_object_is_refused(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    snap = store.save(register(households=[household(1)]), datetime(2026, 11, 1))
    obj = next(store.objects.rglob("*.json.gz"))
    obj.write_bytes(gzip.compress(gzip.decompress(obj.read_bytes()).replace(b"H0001", b"H0002")))
    with pytest.raises(SnapshotError, match="校验值不符"):
        store.load(snap)


def test_retention_keeps_month_ends_and_last_daily(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    days = [date(2026, 9, d) for d in (1, 15, 30)] + [date(2026, 10, d) for d in range(1, 32)]
    for i, day in enumerate(days):
        store.save(register(households=[household(i + 1)]), datetime(day.year, day.month, day.day, 2))
    store.prune(keep_daily=5)
    store.save(register(households=[household(99)]), datetime(2026, 10, 30, 1))  # an earlier run that day
    labels = [s.day.isoformat() for s in store.list()]
    assert labels == ["2026-09-30", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30", "2026-10-30",
                      "2026-10-31"]
    store.prune(keep_daily=5)
    labels = [s.day.isoformat() for s in store.list()]
    assert labels == ["2026-09-30", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30", "2026-10-31"]
    assert len(list(store.objects.rglob("*.json.gz"))) == 6
    assert store.month_end(2026, 9).day == date(2026, 9, 30)
    assert store.find("previous").day == date(2026, 10, 30)
    assert store.find("2026-10-30").taken.hour == 2
    with pytest.raises(SnapshotError, match="找不到快照"):
        store.find("2026-09-01")


def _hold(data_dir: str, ready: multiprocessing.synchronize.Event, seconds: float) -> None:
    with run_lock(Path(data_dir)):
        ready.set()
        time.sleep(seconds)


def test_lock_refuses_second_run_and_survives_a_killed_holder(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(tmp_path), ready, 30))
    holder.start()
    assert ready.wait(10)
    with pytest.raises(LockedError, match="另一次任务正在运行") as info, run_lock(tmp_path):
        pass
    assert info.value.exit_code != 0
    holder.kill()
    holder.join(10)
    with run_lock(tmp_path):  # a killed run leaves no stale lock behind
        pass


def test_config_file_env_and_flags(tmp_path: Path) -> None:
    file = tmp_path / "tracker.toml"
    file.write_text('source = "名册.xlsx"\nout = "site"\nwrite_back = true\nkeep_daily = 7\n', encoding="utf-8")
    config = load_config(file, env={"TRACKER_OUT": "/srv/site"}, source="other.xlsx")
    assert config.source == "other.xlsx"
    assert config.out == Path("/srv/site")
    assert config.write_back is True and config.keep_daily == 7
    plain = load_config(file, env={})
    assert plain.out == tmp_path / "site"


def test_config_reports_every_bad_key(tmp_path: Path) -> None:
    file = tmp_path / "tracker.toml"
    file.write_text('sourse = "x"\nwrite_back = "maybe"\nkeep_daily = -1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(file, env={})
    text = str(info.value)
    assert "3 处错误" in text and "是不是「source」" in text and "write_back" in text and "keep_daily" in text


def test_theme_cache_from_the_file_or_the_environment_and_never_inside_the_site(tmp_path: Path) -> None:
    file = tmp_path / "tracker.toml"
    file.write_text('out = "site"\ntheme_cache = "../shared-theme"\n', encoding="utf-8")
    assert load_config(file, env={}).theme_cache == tmp_path / ".." / "shared-theme"
    assert load_config(file, env={"TRACKER_THEME_CACHE": "/srv/theme"}).theme_cache == Path("/srv/theme")
    assert load_config(tmp_path / "tracker.toml", env={"TRACKER_THEME_CACHE": ""}).theme_cache is not None
    file.write_text('out = "site"\ntheme_cache = "site/theme"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(file, env={})
    assert "主题缓存目录" in str(info.value) and "网站目录" in str(info.value)


def test_repeated_dates_and_a_date_beside_the_same_day_s_datetime_keep_their_kinds() -> None:
    """Each distinct date is encoded once; a date and a datetime of the same day stay apart."""
    import json

    from tracker.history.snapshots import decode_register
    from tracker.register import RawRegister, RawSheet

    cells = (date(2020, 1, 1), datetime(2020, 1, 1), date(2020, 1, 1), datetime(2020, 1, 1, 8, 30), "x", 3)
    reg = RawRegister("r", {"监测户": RawSheet("监测户", ((2, cells), (3, cells[::-1])))})
    data = encode_register(reg)
    rows = json.loads(data)["监测户"]
    assert rows[0][1][:4] == [{"d": "2020-01-01"}, {"dt": "2020-01-01T00:00:00"}, {"d": "2020-01-01"},
                              {"dt": "2020-01-01T08:30:00"}]
    back = decode_register(data, "r").sheets["监测户"].rows
    assert back == reg.sheets["监测户"].rows
    assert [type(c) for c in back[0][1]] == [type(c) for c in cells]
