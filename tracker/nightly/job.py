"""The nightly job: fetch -> snapshot -> validate -> rules -> render -> build -> publish -> (write-back).

Built to be left alone: one lock per data directory, the published site replaced only by a complete
build (atomic exchange), every register kept as a snapshot, vanished households kept in a ledger, and
no work at all when the register, the code and the configuration are those of the last published build.
Exit status: 0 when a site was published or nothing needed doing; non-zero only when nothing could be
published (the last good site then stays exactly as it was).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tracker.common import StageTimer, china_now, private_dir, resource, run_lock, write_private
from tracker.history import SnapshotStore
from tracker.pipeline import check_owner

from .config import Config

_STATE = "state.json"
_CODE_PARTS = ("tracker", "site", "schemas", "mkdocs.yml")


@dataclass(frozen=True)
class NightlyOutcome:
    status: str  # published | skipped
    message: str
    stages: dict[str, Any]
    blind: tuple[str, ...] = ()  # rules not run for want of a required column: the run exits 1


def _now() -> datetime:
    return china_now()


def _hash_paths(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or file.suffix == ".pyc" or not file.exists():
                continue
            digest.update(str(file.relative_to(path.parent)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def code_digest() -> str:
    """Hash of the code, templates, contract and site config that shape the output."""
    package = Path(__file__).resolve().parent.parent  # the whole tracker package
    return _hash_paths([package, *(resource(p) for p in _CODE_PARTS[1:])])


def _file_digest(path: Path | None) -> str:
    return "" if path is None or not path.exists() else _hash_paths([path])


def config_digest(config: Config, as_of: date) -> str:
    """Everything besides the register and the code that changes the site, as one hash."""
    parts = {
        "config": {k: str(v) for k, v in config.__dict__.items() if k != "origin"},
        "policy": _file_digest(config.policy), "secrets": _file_digest(config.secrets),
        "warnings": _file_digest(config.warnings),
        "county_password": hashlib.sha256(os.environ.get("TRACKER_COUNTY_PASSWORD", "").encode()).hexdigest(),
        "as_of": as_of.isoformat(),  # deadlines move with the date: a new day is a new build
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def source_digest(source: str) -> str | None:
    """A cheap hash of a file or CSV-directory source (None for a remote source: it must be read)."""
    path = Path(source).expanduser()
    if path.is_file() or path.is_dir():
        return _hash_paths([path.resolve()])
    return None


def _read_state(data_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((data_dir / _STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(data_dir: Path, state: dict[str, Any]) -> None:
    write_private(data_dir / _STATE, json.dumps(state, ensure_ascii=False, indent=1))


def _demo_source(config: Config, today: date) -> tuple[str, Path]:
    """The demo county's register and policy, regenerated once a day, inside the data directory."""
    demo_dir = config.data_dir / "demo"
    register, policy = demo_dir / "register.xlsx", demo_dir / "policy.yaml"
    stamp = demo_dir / "generated-on"
    if not register.exists() or not stamp.exists() or stamp.read_text() != today.isoformat():
        from tracker.demo import generate
        from tracker.pipeline import demo_policy
        from tracker.register import write_register

        private_dir(demo_dir)
        write_register(generate(today=today), register)
        os.chmod(register, 0o600)
        write_private(policy, demo_policy(today))
        write_private(stamp, today.isoformat())
    return str(register), policy


def run_nightly(config: Config, as_of: date | None = None, timer: StageTimer | None = None,
                accept_vanished: bool = False) -> NightlyOutcome:
    """``accept_vanished``: publish even when tonight's register lacks more than ``config.max_vanished_share``
    of the previous one's households (the operator confirmed the deletions)."""
    timer = timer or StageTimer()
    data_dir = config.data_dir
    with run_lock(data_dir):
        check_owner(config.out, data_dir)
        now = _now()
        today = as_of or now.date()
        demo = config.source is None
        if demo:
            source, policy = _demo_source(config, today)
            config = Config(**{**config.__dict__, "source": source, "policy": config.policy or policy})
        source = str(config.source)
        store = SnapshotStore(data_dir)
        state = _read_state(data_dir)
        out = config.out.resolve()
        code, settings = code_digest(), config_digest(config, today)
        fast = source_digest(source)
        quick_key = fast and hashlib.sha256(f"{fast}|{code}|{settings}".encode()).hexdigest()
        if quick_key and state.get("quick_key") == quick_key and out.is_dir() and state.get("register_sha"):
            store.add_ref(state["register_sha"], now, source)
            message = f"名册、程序和配置都与上次发布时相同，跳过生成；网站 {out} 保持不变。"
            return NightlyOutcome("skipped", message, timer.as_dict(status="skipped"))
        return _full_run(config, today, now, timer, store, state, quick_key, code, settings, demo,
                         accept_vanished)


def _full_run(config: Config, today: date, now: datetime, timer: StageTimer, store: SnapshotStore,
              state: dict[str, Any], quick_key: str | None, code: str, settings: str, demo: bool,
              accept_vanished: bool) -> NightlyOutcome:
    """Read and check everything, keep tonight's register only once it is accepted, then build and publish.
    A register that cannot be read or validated, or that lost too many households, is never kept as a
    snapshot: it can't become the baseline later nights compare with."""
    from tracker.history import Pending
    from tracker.register import open_source

    out = config.out.resolve()
    with timer.stage("read", str(config.source)):
        raw = open_source(str(config.source)).read()
    pending = Pending.of(raw, now)
    full_key = hashlib.sha256(f"{pending.sha}|{code}|{settings}".encode()).hexdigest()
    if state.get("full_key") == full_key and out.is_dir():  # the very register published last time
        store.keep(pending)
        _write_state(config.data_dir, {**state, "quick_key": quick_key})
        message = f"名册内容、程序和配置都与上次发布时相同，跳过生成；网站 {out} 保持不变。"
        return NightlyOutcome("skipped", message, timer.as_dict(status="skipped"))
    from tracker.pipeline import build_site
    from tracker.register import county_contract
    from tracker.validate import validate

    from .history_build import baseline, site_history

    with timer.stage("validate"):
        validated = validate(raw, county_contract(config.policy), today=today)
    with timer.stage("history"):
        base = baseline(config, store, validated, pending.snapshot, code, timer)
        base.check_vanished(config.max_vanished_share, accept_vanished)
    with timer.stage("snapshot"):
        snap = store.keep(pending)
    with timer.stage("history"):
        history = site_history(config, store, base, snap, today, timer, code)
    secrets = _secrets(config, out, demo)
    outcome = build_site(validated, out, policy_file=str(config.policy) if config.policy else None, as_of=today,
                         demo=demo, secrets=secrets, timer=timer, history=history, warnings=config.warnings,
                         key_dir=config.data_dir, theme_cache=config.theme_cache)
    _write_state(config.data_dir, {"quick_key": quick_key, "full_key": full_key, "register_sha": snap.sha,
                                   "published_at": now.isoformat(timespec="seconds"), "out": str(out)})
    store.prune(config.keep_daily)  # after the history stage has read the previous snapshot
    if config.write_back:
        _write_back(config, validated, today, timer)
    lines = [outcome.summary_line(), *outcome.notes]
    return NightlyOutcome("published", "\n".join(lines), timer.as_dict(status="published", pages=outcome.pages,
                                                                       output_bytes=_size(out)), outcome.blind)


def _secrets(config: Config, out: Path, demo: bool) -> Any:
    from tracker.protect import demo_secrets, resolve_secrets

    secrets = resolve_secrets(config.secrets, out)
    if secrets is None and demo:
        return lambda model: demo_secrets(model, out, path=config.data_dir / "demo" / "secrets.toml")[0]
    return secrets


def _write_back(config: Config, validated: Any, today: date, timer: StageTimer) -> None:
    from tracker.pipeline import WriteBackRun, check

    with timer.stage("write_back"):
        run = WriteBackRun(str(config.source))
        validated, outcome = check(validated, str(config.policy) if config.policy else None, today)
        timer.log(run.write(validated.errors, outcome.findings))


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
