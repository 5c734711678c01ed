"""What the snapshots add to tonight's site: the vanished-household ledger, this month's changes, and
past months' checklists rebuilt from their month-end snapshots (cached by content).

A snapshot that can no longer be read or validated (a damaged file, or a register an older version kept
before it was checked) never stops a run: it is skipped with a log line, and the one before it is used."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from tracker.common import StageTimer, TrackerError, write_private
from tracker.history import (
    Diff,
    HouseholdRecord,
    Snapshot,
    SnapshotStore,
    VanishedLedger,
    diff,
    load_records,
    records,
    save_records,
)
from tracker.pipeline import SiteHistory, check
from tracker.site import Page
from tracker.validate import ValidatedRegister, validate

from .config import Config

ARCHIVE_MONTHS = 12


class VanishedError(TrackerError):
    """Tonight's register lacks too many of last night's households: nothing is published until confirmed."""

    exit_code = 3


def _previous_month(day: date) -> tuple[int, int]:
    return (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)


def _records_of(config: Config, store: SnapshotStore, snap: Snapshot, code: str,
                validated: ValidatedRegister | None = None) -> dict[str, HouseholdRecord]:
    """A snapshot's household records, kept in the data dir (display-safe: masked IDs, no phones), so the
    previous night's register need not be validated again to see what changed."""
    folder = config.data_dir / "records"
    path = folder / f"{snap.sha[:24]}-{snap.day.isoformat()}-{code[:12]}.json"
    found = load_records(path) if path.is_file() else None
    if found is None:
        found = records(validated if validated is not None else validate(store.load(snap), today=snap.day))
        save_records(path, found)
        live = {s.sha[:24] for s in store.list()} | {snap.sha[:24]}
        for old in folder.glob("*.json"):
            if old.name[:24] not in live:
                old.unlink(missing_ok=True)
    return found


def _usable_records(config: Config, store: SnapshotStore, snap: Snapshot, code: str, timer: StageTimer
                    ) -> dict[str, HouseholdRecord] | None:
    """A kept snapshot's records, or None (logged) when it cannot be read or validated any more."""
    try:
        return _records_of(config, store, snap, code)
    except TrackerError as exc:
        timer.log(f"跳过快照 {snap.label}：{exc}（不影响今晚的任务）")
        return None


@dataclass(frozen=True)
class Baseline:
    """Tonight's households against the last usable snapshot: what vanished, and from how many."""

    now: Mapping[str, HouseholdRecord]
    previous: Snapshot | None
    change: Diff
    before: int  # households of the previous snapshot

    def check_vanished(self, max_share: float, accepted: bool) -> None:
        """Refuse a register that lost more than ``max_share`` of the previous one's households."""
        lost = len(self.change.vanished)
        if accepted or not self.before or self.previous is None or lost <= max_share * self.before:
            return
        shown = "、".join(r.household_id for r in self.change.vanished[:5]) + ("等" if lost > 5 else "")
        raise VanishedError(
            f"今晚的名册比上次（快照 {self.previous.label}，{self.before} 户）少了 {lost} 户"
            f"（{lost / self.before:.0%}，超过设定的 {max_share:.0%}，见 max_vanished_share），如 {shown}。"
            "为防止误删或表格被清空，这次没有发布，"
            "已发布的网站保持不变。请检查名册（是否删错了行、筛选后另存、复制到了别的工作表）；"
            "这些户确实应当删除时，运行一次 tracker nightly --accept-vanished 确认。")


def baseline(config: Config, store: SnapshotStore, current: ValidatedRegister, snap: Snapshot, code: str,
             timer: StageTimer) -> Baseline:
    """Compare tonight's register (``snap``: kept or about to be) with the newest usable earlier snapshot."""
    now = _records_of(config, store, snap, code, current)
    for previous in reversed(store.list()):
        before = now if previous.sha == snap.sha else _usable_records(config, store, previous, code, timer)
        if before is None:
            continue
        change = diff(before, now, previous.label, snap.label) if before is not now else _NO_CHANGE
        return Baseline(now, previous, change, len(before))
    return Baseline(now, None, _NO_CHANGE, 0)


_NO_CHANGE = Diff("", "", (), (), (), ())


def _archive(config: Config, store: SnapshotStore, today: date, code: str, timer: StageTimer
             ) -> tuple[list[Page], list[tuple[str, str]]]:
    """Checklist pages of past months from their month-end snapshots, rendered once and cached."""
    from tracker.site import build_site_model, render_checklists

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
            try:
                validated, outcome = check(store.load(snap), str(config.policy) if config.policy else None,
                                           snap.day)
            except TrackerError as exc:
                timer.log(f"跳过 {year}年{month}月的往月清单（快照 {snap.label}）：{exc}")
                continue
            model = build_site_model(validated, outcome)
            rendered = render_checklists(model, f"archive/{key}/")
            write_private(cached, json.dumps([p.to_json() for p in rendered], ensure_ascii=False))
        pages += rendered
        months.append((key, f"{year}年{month}月"))
    return pages, months


def site_history(config: Config, store: SnapshotStore, base: Baseline, snap: Snapshot, today: date,
                 timer: StageTimer, code: str) -> SiteHistory:
    """The vanished ledger, this month's changes and past months' checklists, once tonight's register
    (``snap``) is kept."""
    ledger = VanishedLedger(config.data_dir)
    last_seen = base.previous.day if base.previous is not None else today
    vanished = ledger.update(base.change, base.now, removed_on=today, last_seen=last_seen)
    month_changes = None
    last_month = store.month_end(*_previous_month(today))
    if last_month is not None and last_month.sha != snap.sha:
        before = _usable_records(config, store, last_month, code, timer)
        if before is not None:
            month_changes = diff(before, base.now, last_month.label, snap.label)
    pages, months = _archive(config, store, today, code, timer)
    return SiteHistory(vanished=vanished, month_changes=month_changes, archive_pages=tuple(pages),
                       archive_months=tuple(months))
