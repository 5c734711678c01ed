"""Changes between two snapshots of the register: new, cleared, changed and vanished households.

A household is matched across snapshots by its 户编号 (folded: width and spaces ignored). A household
that vanished from the sheet keeps its last known record here, so it is never lost: the site shows it on
its village page and on the checklist as "removed from the register on date X — confirm".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from tracker.common import fmt, write_private
from tracker.validate import ValidatedRegister, match_key

CLEARED_STATUS = "风险已消除"


@dataclass(frozen=True)
class HouseholdRecord:
    """The last known, display-safe record of a household (masked ID, no phone)."""

    household_id: str
    head_name: str
    id_masked: str
    township: str
    village: str
    category: str
    status: str
    people: str

    @property
    def key(self) -> str:
        return str(match_key(pd.Series([self.household_id])).iat[0])


@dataclass(frozen=True)
class Change:
    household_id: str
    what: str  # field label, e.g. 监测状态
    before: str
    after: str


@dataclass(frozen=True)
class Diff:
    before: str  # snapshot labels
    after: str
    new: tuple[HouseholdRecord, ...]
    vanished: tuple[HouseholdRecord, ...]
    cleared: tuple[HouseholdRecord, ...]
    changes: tuple[Change, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "before": self.before, "after": self.after,
            "new": [asdict(r) for r in self.new], "vanished": [asdict(r) for r in self.vanished],
            "cleared": [asdict(r) for r in self.cleared], "changes": [asdict(c) for c in self.changes],
        }


def records(validated: ValidatedRegister) -> dict[str, HouseholdRecord]:
    """Households by folded 户编号 (the first row wins when an ID is duplicated)."""
    table = validated.tables["households"]
    text = table.text
    if "household_id" not in text:
        return {}
    values = table.values.reindex(text.index)
    ids = [fmt.text(v) for v in text["household_id"].tolist()]
    keys = match_key(pd.Series(ids, index=text.index, dtype="object").mask(lambda s: s == "")).tolist()

    def column(key: str, shown: Callable[[object], str] = fmt.text) -> list[str]:
        return [shown(v) for v in values[key].tolist()] if key in values else [""] * len(ids)

    fields = {"head_name": column("head_name"), "id_masked": column("head_id_number", fmt.mask_id),
              **{k: column(k) for k in ("township", "village", "category", "status", "people")}}
    out: dict[str, HouseholdRecord] = {}
    for i, key in enumerate(keys):
        if key is pd.NA or key is None or str(key) in out:
            continue
        out[str(key)] = HouseholdRecord(household_id=ids[i], **{k: v[i] for k, v in fields.items()})
    return out


def save_records(path: Path, found: Mapping[str, HouseholdRecord]) -> None:
    """Keep a register's records (display-safe: masked IDs, no phones) for later diffs."""
    # (vars, not asdict: the fields are plain strings, and asdict's deep copy was most of the nightly's history stage)
    write_private(path, json.dumps({k: dict(vars(r)) for k, r in found.items()}, ensure_ascii=False))


def load_records(path: Path) -> dict[str, HouseholdRecord] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): HouseholdRecord(**v) for k, v in data.items()}
    except (OSError, ValueError, TypeError):
        return None


def diff(before: ValidatedRegister | Mapping[str, HouseholdRecord],
         after: ValidatedRegister | Mapping[str, HouseholdRecord], before_label: str, after_label: str) -> Diff:
    """What changed between two registers (validated, or their :func:`records`)."""
    old = before if isinstance(before, Mapping) else records(before)
    new = after if isinstance(after, Mapping) else records(after)
    changes = []
    cleared = []
    for key in sorted(old.keys() & new.keys()):
        a, b = old[key], new[key]
        for attr, label in (("category", "监测类别"), ("status", "监测状态"), ("village", "行政村")):
            if getattr(a, attr) != getattr(b, attr):
                changes.append(Change(b.household_id, label, getattr(a, attr), getattr(b, attr)))
        if b.status == CLEARED_STATUS and a.status != CLEARED_STATUS:
            cleared.append(b)
    return Diff(
        before_label, after_label,
        new=tuple(new[k] for k in sorted(new.keys() - old.keys())),
        vanished=tuple(old[k] for k in sorted(old.keys() - new.keys())),
        cleared=tuple(cleared), changes=tuple(changes),
    )


@dataclass(frozen=True)
class Vanished:
    record: HouseholdRecord
    removed_on: date  # the first snapshot it was missing from
    last_seen: date


class VanishedLedger:
    """Households that disappeared from the sheet, kept until they reappear (``vanished.json``)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "vanished.json"

    def load(self) -> dict[str, Vanished]:
        if not self.path.is_file():
            return {}
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return {key: Vanished(HouseholdRecord(**item["record"]), date.fromisoformat(item["removed_on"]),
                              date.fromisoformat(item["last_seen"])) for key, item in data.items()}

    def update(self, change: Diff, current: ValidatedRegister | Mapping[str, HouseholdRecord], removed_on: date,
               last_seen: date) -> dict[str, Vanished]:
        ledger = self.load()
        present = (current if isinstance(current, Mapping) else records(current)).keys()
        for key in list(ledger):
            if key in present:
                del ledger[key]  # it came back
        for record in change.vanished:
            ledger.setdefault(record.key, Vanished(record, removed_on, last_seen))
        self.save(ledger)
        return ledger

    def save(self, ledger: dict[str, Vanished]) -> None:
        data = {key: {"record": asdict(v.record), "removed_on": v.removed_on.isoformat(),
                      "last_seen": v.last_seen.isoformat()} for key, v in sorted(ledger.items())}
        write_private(self.path, json.dumps(data, ensure_ascii=False, indent=1))
