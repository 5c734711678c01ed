"""What the snapshots add to tonight's site: the vanished-household ledger, this month's changes, and
past months' checklists rebuilt from their month-end snapshots (cached by content)."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from .config import Config
from .history import Diff, HouseholdRecord, VanishedLedger, diff, load_records, records, save_records
from .pages import Page
from .pipeline import SiteHistory, check
from .progress import StageTimer
from .snapshots import Snapshot, SnapshotStore
from .validate import ValidatedRegister, validate

ARCHIVE_MONTHS = 12


def _previous_month(day: date) -> tuple[int, int]:
    return (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)


def _validated(store: SnapshotStore, snap: Snapshot) -> ValidatedRegister:
    return validate(store.load(snap), today=snap.day)


def _records_of(config: Config, store: SnapshotStore, snap: Snapshot, code: str,
                validated: ValidatedRegister | None = None) -> dict[str, HouseholdRecord]:
    """A snapshot's household records, kept in the data dir (display-safe: masked IDs, no phones), so the
    previous night's register need not be validated again to see what changed."""
    folder = config.data_dir / "records"
    path = folder / f"{snap.sha[:24]}-{snap.day.isoformat()}-{code[:12]}.json"
    found = load_records(path) if path.is_file() else None
    if found is None:
        found = records(validated if validated is not None else _validated(store, snap))
        save_records(path, found)
        live = {s.sha[:24] for s in store.list()}
        for old in folder.glob("*.json"):
            if old.name[:24] not in live:
                old.unlink(missing_ok=True)
    return found


def _archive(config: Config, store: SnapshotStore, today: date, code: str
             ) -> tuple[list[Page], list[tuple[str, str]]]:
    """Checklist pages of past months from their month-end snapshots, rendered once and cached."""
    from .render import render_checklists
    from .views import build_site_model

    policy_hash = hashlib.sha256(config.policy.read_bytes() if config.policy and config.policy.exists()
                                 else b"").hexdigest()[:12]
    cache = config.data_dir / "archive-cache"
    pages: list[Page] = []
    months = []
    year, month = today.year, today.month
    for _ in range(ARCHIVE_MONTHS):
        year, month = _previous_month(date(year, month, 1))
        snap = store.month_end(year, month)
        if snap is None:
            continue
        key = f"{year:04d}-{month:02d}"
        cached = cache / f"{snap.sha[:16]}-{code[:12]}-{policy_hash}-{key}.json"
        if cached.is_file():
            rendered = [Page.from_json(p) for p in json.loads(cached.read_text(encoding="utf-8"))]
        else:
            validated, outcome = check(store.load(snap), str(config.policy) if config.policy else None, snap.day)
            model = build_site_model(validated, outcome)
            rendered = render_checklists(model, f"archive/{key}/")
            cache.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps([p.to_json() for p in rendered], ensure_ascii=False), encoding="utf-8")
        pages += rendered
        months.append((key, f"{year}年{month}月"))
    return pages, months


def site_history(config: Config, store: SnapshotStore, current: ValidatedRegister, snap: Snapshot,
                 previous: Snapshot | None, today: date, timer: StageTimer, code: str) -> SiteHistory:
    ledger = VanishedLedger(config.data_dir)
    with timer.stage("history"):
        now = _records_of(config, store, snap, code, current)
        if previous is not None and previous.sha != snap.sha:
            change = diff(_records_of(config, store, previous, code), now, previous.label, snap.label)
            vanished = ledger.update(change, now, removed_on=today, last_seen=previous.day)
        else:
            vanished = ledger.update(Diff("", "", (), (), (), ()), now, today, today)
        month_changes = None
        last_month = store.month_end(*_previous_month(today))
        if last_month is not None and last_month.sha != snap.sha:
            month_changes = diff(_records_of(config, store, last_month, code), now, last_month.label, snap.label)
        pages, months = _archive(config, store, today, code)
    return SiteHistory(vanished=vanished, month_changes=month_changes, archive_pages=tuple(pages),
                       archive_months=tuple(months))
