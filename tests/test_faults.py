"""Faults of an unattended nightly job (issue 14): a killed run's workers, poisoned history, file systems,
the data directory's permissions, unique snapshot names."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracker.demo.generator import generate
from tracker.register.writers import write_register

PASSWORD = "zanuxi-ledesa-nasiji-pudeha-580"


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = {int(k) for k in (task / "children").read_text().split()}
            except OSError:
                continue
            todo.extend(kids - found)
            found |= kids
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _nightly(root: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tracker", "nightly", "--source", str(root / "reg.xlsx"), "--out",
            str(root / "public"), "--data", str(root / "data"), "--as-of", "2026-11-15", "--quiet", *extra]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_kill_9_during_rendering_leaves_no_worker_and_no_lock(tmp_path: Path) -> None:
    write_register(generate(villages=60, households=900, seed=3), tmp_path / "reg.xlsx")
    env = {**os.environ, "TRACKER_COUNTY_PASSWORD": PASSWORD, "TRACKER_JOBS": "2"}
    proc = subprocess.Popen(_nightly(tmp_path), cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if len(workers) >= 2:  # the theme job and the page workers are forked: the run is rendering
            break
        time.sleep(0.01)
    assert workers, "the run never forked its workers"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    try:
        assert not [w for w in workers if _alive(w)], "forked workers outlived the killed run"
    finally:
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker, signal.SIGKILL)
    nxt = subprocess.run(_nightly(tmp_path), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert nxt.returncode == 0, nxt.stderr
    assert (tmp_path / "public" / "index.html").is_file()


def test_a_forked_child_does_not_hold_the_run_lock(tmp_path: Path) -> None:
    """Even a child that outlives its run (no parent-death signal) leaves the lock to the next run."""
    code = ("import os, sys, time\nfrom pathlib import Path\nfrom tracker.common.lock import run_lock\n"
            f"with run_lock(Path({str(tmp_path)!r})):\n"
            "    if os.fork() == 0:\n        os.write(1, b'child\\n')\n        time.sleep(60)\n        os._exit(0)\n"
            "    os.write(1, b'parent\\n')\n    os._exit(0)  # as if killed: the lock's finally never runs\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    # both lines: the child is past its fork handlers (a fork takes microseconds; the next run comes much later)
    lines = {proc.stdout.readline().strip(), proc.stdout.readline().strip()}  # type: ignore[union-attr]
    assert lines == {"child", "parent"}
    proc.wait(timeout=30)
    from tracker.common.lock import run_lock

    try:
        with run_lock(tmp_path):
            pass
    finally:
        subprocess.run(["pkill", "-f", str(tmp_path)], check=False)


# ------------------------------------------------------------------ the nightly job's history and site (in process)

AS_OF = "2026-11-15"


def _register(path: Path, households: int = 30, seed: int = 5, drop: int = 0) -> None:
    from tracker.register.sheets import SheetData

    sheets = generate(villages=4, households=households, seed=seed)
    if drop:
        sheets = [SheetData(s.name, s.header, list(s.rows)[:-drop], s.title) if s.name == "监测户" else s
                  for s in sheets]
    write_register(sheets, path)


def _run(root: Path, *extra: str, out: Path | None = None, data: Path | None = None,
         source: Path | None = None) -> int:
    from tracker.cli.app import main

    return main(["nightly", "--source", str(source or root / "reg.xlsx"), "--out", str(out or root / "public"),
                 "--data", str(data or root / "data"), "--as-of", AS_OF, "--quiet", *extra])


def _tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRACKER_COUNTY_PASSWORD", PASSWORD)
    _register(tmp_path / "reg.xlsx")
    return tmp_path


def _without_tab(path: Path, tab: str) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    del book[tab]
    book.save(path)


def test_a_rejected_register_never_becomes_the_baseline(night: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 3: a register that cannot be validated is not kept, so the next good night still runs."""
    from tracker.history.snapshots import SnapshotStore

    assert _run(night) == 0
    kept = SnapshotStore(night / "data").list()
    before = _tree(night / "public")
    _without_tab(night / "reg.xlsx", "监测户")
    assert _run(night) == 2
    assert "缺少工作表 「监测户」" in capsys.readouterr().err
    assert SnapshotStore(night / "data").list() == kept
    assert _tree(night / "public") == before
    _register(night / "reg.xlsx", seed=6, households=31)
    assert _run(night, "--accept-vanished") == 0


def test_an_unreadable_old_snapshot_is_skipped_with_a_log_line(night: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 3: a data directory poisoned by an older version (a register without 监测户 kept as last month's
    month-end and as last night's snapshot) or a damaged snapshot file never stops a run."""
    from datetime import datetime

    from tracker.history.snapshots import SnapshotStore
    from tracker.register.sources import open_source

    _without_tab(night / "reg.xlsx", "监测户")
    bad = open_source(str(night / "reg.xlsx")).read()
    store = SnapshotStore(night / "data")
    store.save(bad, datetime(2026, 10, 31, 2, 0))
    broken = store.save(open_source(str(night / "reg.xlsx")).read(), datetime(2026, 11, 13, 2, 0))
    store.save(bad, datetime(2026, 11, 14, 2, 0))
    _register(night / "reg.xlsx")
    monkeypatch.setattr("sys.stderr", __import__("io").StringIO())
    from tracker.cli.app import main

    code = main(["nightly", "--source", str(night / "reg.xlsx"), "--out", str(night / "public"), "--data",
                 str(night / "data"), "--as-of", AS_OF])
    log = sys.stderr.getvalue()  # type: ignore[attr-defined]
    assert code == 0, log
    assert "跳过快照 2026-11-14T020000" in log and "跳过 2026年10月的往月清单" in log
    assert (night / "public" / "index.html").is_file()
    assert not (night / "public" / "archive" / "2026-10").exists()
    assert broken.sha in {s.sha for s in store.list()}


def test_losing_households_is_not_published_until_confirmed(night: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 4: more than max_vanished_share (default 0.2) of last night's households gone: exit 3, site kept,
    nothing kept as the new baseline; --accept-vanished publishes."""
    assert _run(night) == 0
    before = _tree(night / "public")
    _register(night / "reg.xlsx", drop=10)  # 10 of 30
    assert _run(night) == 3
    err = capsys.readouterr().err
    assert "少了 10 户" in err and "--accept-vanished" in err
    assert _tree(night / "public") == before
    assert _run(night) == 3  # still compared with the last accepted register
    (night / "tracker.toml").write_text("max_vanished_share = 0.5\n", encoding="utf-8")
    assert _run(night, "--config", str(night / "tracker.toml")) == 0
    _register(night / "reg.xlsx", drop=25)
    assert _run(night, "--accept-vanished") == 0
    assert _tree(night / "public") != before


def test_snapshots_of_one_second_keep_both(tmp_path: Path) -> None:
    """Item 11: two runs within one second used to share a snapshot name (the later overwrote the earlier)."""
    from datetime import datetime

    from tests.builders import household, register
    from tracker.history.snapshots import SnapshotStore

    store = SnapshotStore(tmp_path)
    at = datetime(2026, 11, 15, 2, 0, 0, 100)
    first = store.save(register(households=[household(1)]), at)
    second = store.save(register(households=[household(2)]), at.replace(microsecond=900))
    assert first.label != second.label
    assert [s.sha for s in store.list()] == [first.sha, second.sha]
    assert store.find("previous").sha == first.sha and store.find("latest").sha == second.sha
    assert store.find(second.label) == second


def test_data_directory_is_private_under_umask_022(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 8: every file the tool writes in the data directory is 0600, every folder 0700 (records, vanished
    ledger, snapshots, state, caches, the demo's register and passwords)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRACKER_COUNTY_PASSWORD", PASSWORD)
    old = os.umask(0o022)
    try:
        _register(tmp_path / "reg.xlsx")
        assert _run(tmp_path) == 0
        _register(tmp_path / "reg.xlsx", drop=3)
        assert _run(tmp_path) == 0  # records of two registers, a vanished ledger
        from tracker.cli.app import main

        monkeypatch.delenv("TRACKER_COUNTY_PASSWORD")
        assert main(["nightly", "--out", str(tmp_path / "demo-site"), "--data", str(tmp_path / "demo-data"),
                     "--quiet"]) == 0
    finally:
        os.umask(old)
    for data in (tmp_path / "data", tmp_path / "demo-data"):
        assert (data / "vanished.json").is_file() or data.name == "demo-data"
        modes = {str(p.relative_to(tmp_path)): p.stat().st_mode & 0o777 for p in [data, *data.rglob("*")]}
        assert len(modes) > 8
        wrong = {p: oct(m) for p, m in modes.items() if m != (0o700 if (tmp_path / p).is_dir() else 0o600)}
        assert wrong == {}
    assert (tmp_path / "public").stat().st_mode & 0o755 == 0o755  # the site itself stays readable


# ------------------------------------------------------------------ file systems (item 7)


@pytest.mark.skipif(not Path("/dev/shm").is_dir() or os.stat("/dev/shm").st_dev == os.stat("/tmp").st_dev,
                    reason="needs /dev/shm on a file system of its own")
def test_data_and_site_on_different_file_systems(night: Path) -> None:
    import shutil
    import tempfile

    data = Path(tempfile.mkdtemp(prefix="tracker-test-", dir="/dev/shm"))
    try:
        assert _run(night, data=data) == 0
        _register(night / "reg.xlsx", seed=6, households=31)
        assert _run(night, "--accept-vanished", data=data) == 0
        assert (night / "public" / "index.html").is_file()
    finally:
        shutil.rmtree(data, ignore_errors=True)


def test_data_inside_the_site_or_the_site_inside_data_is_refused(night: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(night, out=night / "site", data=night / "site" / "data") == 2
    assert "数据目录" in capsys.readouterr().err
    assert _run(night, out=night / "data" / "site", data=night / "data") == 2
    assert "网站目录" in capsys.readouterr().err
    assert not (night / "site").exists() and not (night / "data").exists()  # refused before anything is written


def test_an_unwritable_site_parent_is_one_sentence(night: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (night / "afile").write_text("not a folder", encoding="utf-8")
    assert _run(night, out=night / "afile" / "public") == 2
    err = capsys.readouterr().err.strip()
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 北京时间 错误：", err)  # a log line, as every line of the nightly
    assert "Traceback" not in err and "afile" in err and len(err.splitlines()) == 1


def test_two_data_directories_never_publish_into_one_site(night: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(night, data=night / "data-a") == 0
    before = _tree(night / "public")
    capsys.readouterr()
    assert _run(night, data=night / "data-b") == 2
    err = capsys.readouterr().err
    assert "data-a" in err and "不同的名册请各用一个网站目录" in err
    assert _tree(night / "public") == before


def test_two_data_directories_at_once_are_told_apart(night: Path) -> None:
    """While one run publishes into a site, a run from another data directory is refused with exit 75 and
    a clear message (it used to delete the other's staging directory: 'disk full?')."""
    slow = ("import time, tracker.pipeline.run\nreal = tracker.pipeline.run.fill_site\n"
            "def slow(*a, **k):\n    time.sleep(4)\n    return real(*a, **k)\ntracker.pipeline.run.fill_site = slow\n")

    def start(data: str, patch: str) -> subprocess.Popen[str]:
        args = ["nightly", "--source", str(night / "reg.xlsx"), "--out", str(night / "public"), "--data",
                str(night / data), "--as-of", AS_OF, "--quiet"]
        code = f"{patch}from tracker.cli.app import main\nraise SystemExit(main({args!r}))"
        return subprocess.Popen([sys.executable, "-c", code], cwd=night, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    first = start("data-a", slow)
    deadline = time.monotonic() + 60
    lock = night / ".public.lock"
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.05)
    second = start("data-b", "")
    _, err2 = second.communicate(timeout=300)
    _, err1 = first.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode == 75, err2
    assert "正在向网站目录" in err2 and "data-a" in err2


def test_scripts_install_each_missing_debian_package(tmp_path: Path) -> None:
    """Item 11: fonts-noto-cjk was installed only when chromium was missing, so the browser tests could render
    Chinese as boxes; each package is now checked on its own."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    calls = tmp_path / "apt-calls"
    scripts = {
        "dpkg-query": '[ "$3" = chromium ] && printf "install ok installed"; exit 0',
        "apt-get": f'echo "$*" >> {calls}',
        "sudo": '"$@"',
        "id": "echo 1000",
    }
    for name, body in scripts.items():
        (stubs / name).write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        (stubs / name).chmod(0o755)
    script = Path(__file__).resolve().parent.parent / "scripts" / "install-system-deps"
    env = {**os.environ, "PATH": f"{stubs}:/usr/bin:/bin"}
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = calls.read_text(encoding="utf-8").splitlines()
    assert lines[-1].endswith("install -y -qq fonts-noto-cjk"), lines
    assert "./scripts/install-system-deps" in (script.parent / "test").read_text(encoding="utf-8")  # the CI path
