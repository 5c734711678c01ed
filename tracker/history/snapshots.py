"""Snapshots of the register exactly as fetched: content-addressed, verified by hash when read.

Layout under the data directory::

    snapshots/objects/ab/abcdef….json.gz   the register's cells (one object per distinct content)
    snapshots/refs/2026-11-28T020000.json  which object the register had at that run
    snapshots/refs/2026-11-28T020000_2.json  a second run within the same second (names are never reused)

An unchanged register adds no object (its hash is already there), only a ref of a few bytes. Retention
keeps the last ref of every month, the last ref of each of the last ``keep_daily`` days and every ref of
the latest day; objects no ref points to are removed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tracker.common import TrackerError, private_dir, write_private_bytes
from tracker.register import Cell, RawRegister, RawSheet

DEFAULT_KEEP_DAILY = 31


class SnapshotError(TrackerError):
    """A snapshot is missing or its content does not match its hash."""


def _encode_cell(cell: Cell) -> Any:
    if isinstance(cell, datetime):
        return {"dt": cell.isoformat()}
    if isinstance(cell, date):
        return {"d": cell.isoformat()}
    return cell


def _decode_cell(value: Any) -> Cell:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        return date.fromisoformat(value["d"])
    return value  # type: ignore[no-any-return]


def _date_encoder() -> Callable[[object], Any]:
    """``json.dumps``' ``default`` for date cells, each distinct date encoded once: a county's registers repeat a
    few thousand dates over hundreds of thousands of cells (large demo: 627,314 date cells, 1.07 s -> 0.62 s)."""
    done: dict[object, tuple[type, Any]] = {}

    def default(value: object) -> Any:
        found = done.get(value)
        if found is None or found[0] is not type(value):  # (a date never equals a datetime; checked all the same)
            if not isinstance(value, date):  # datetime included
                raise TypeError(f"cannot store a {type(value).__name__} cell")
            found = done[value] = (type(value), _encode_cell(value))
        return found[1]

    return default


def encode_register(register: RawRegister) -> bytes:
    """Canonical bytes of a register's cells (the source label is not part of the content).  Dates go through
    ``default`` (called only for them), so the cells are not copied one by one."""
    payload = {name: [[number, cells] for number, cells in sheet.rows]
               for name, sheet in sorted(register.sheets.items())}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=_date_encoder()).encode("utf-8")


def decode_register(data: bytes, source: str) -> RawRegister:
    payload = json.loads(data.decode("utf-8"))
    sheets = {name: RawSheet(name, tuple((int(n), tuple(_decode_cell(c) for c in cells)) for n, cells in rows))
              for name, rows in payload.items()}
    return RawRegister(source=source, sheets=sheets)


@dataclass(frozen=True)
class Snapshot:
    taken: datetime  # when the register was read, China time (tracker.common.china_now; naive)
    sha: str
    source: str
    seq: int = 0  # the n-th run within the same second (0: the first)

    @property
    def day(self) -> date:
        return self.taken.date()

    @property
    def label(self) -> str:
        base = self.taken.strftime("%Y-%m-%dT%H%M%S")
        return f"{base}_{self.seq + 1}" if self.seq else base


@dataclass(frozen=True)
class Pending:
    """A register's canonical bytes and hash, not stored yet."""

    data: bytes = field(repr=False)
    sha: str
    taken: datetime
    source: str

    @classmethod
    def of(cls, register: RawRegister, taken_at: datetime) -> Pending:
        data = encode_register(register)
        return cls(data, hashlib.sha256(data).hexdigest(), taken_at, register.source)

    @property
    def snapshot(self) -> Snapshot:
        """What it will be called once kept (its label may still gain a suffix)."""
        return Snapshot(self.taken.replace(microsecond=0), self.sha, self.source)


class SnapshotStore:
    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "snapshots"
        self.objects = self.root / "objects"
        self.refs = self.root / "refs"

    def _object(self, sha: str) -> Path:
        return self.objects / sha[:2] / f"{sha}.json.gz"

    def save(self, register: RawRegister, taken_at: datetime) -> Snapshot:
        """Store the register as read at ``taken_at``."""
        return self.keep(Pending.of(register, taken_at))

    def keep(self, pending: Pending) -> Snapshot:
        """Store a register prepared by :meth:`Pending.of` (the nightly job keeps only registers it accepted)."""
        target = self._object(pending.sha)
        if not target.exists():
            write_private_bytes(target, gzip.compress(pending.data, compresslevel=1, mtime=0), sync=True)
        return self.add_ref(pending.sha, pending.taken, pending.source)

    def add_ref(self, sha: str, taken_at: datetime, source: str) -> Snapshot:
        """Record that the register (already stored under ``sha``) was read again at ``taken_at``."""
        if not self._object(sha).exists():
            raise SnapshotError(f"快照数据 {sha[:12]} 不存在，无法登记。")
        private_dir(self.refs)
        seq = 0
        while True:  # a name is claimed by creating it: two runs in one second never share a ref
            snap = Snapshot(taken_at.replace(microsecond=0), sha, source, seq)
            ref = {"sha": sha, "taken_at": snap.taken.isoformat(), "source": source, "seq": seq}
            try:
                fd = os.open(self.refs / f"{snap.label}.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                seq += 1
                continue
            os.close(fd)
            write_private_bytes(self.refs / f"{snap.label}.json", json.dumps(ref, ensure_ascii=False).encode("utf-8"),
                                sync=True)
            return snap

    def list(self) -> list[Snapshot]:
        """Every snapshot, oldest first."""
        out = []
        for path in sorted(self.refs.glob("*.json")) if self.refs.is_dir() else []:
            try:
                ref = json.loads(path.read_text(encoding="utf-8"))
                out.append(Snapshot(datetime.fromisoformat(ref["taken_at"]), ref["sha"], ref["source"],
                                    int(ref.get("seq", 0))))
            except (ValueError, KeyError, OSError, TypeError):
                continue  # a stray, claimed or half-written file is not a snapshot
        out.sort(key=lambda s: (s.taken, s.seq))
        return out

    def find(self, label: str) -> Snapshot:
        """A snapshot by its label, its date (YYYY-MM-DD: that day's last), a hash prefix, or latest/previous."""
        snaps = self.list()
        if label in ("latest", "previous") and len(snaps) >= (1 if label == "latest" else 2):
            return snaps[-1] if label == "latest" else snaps[-2]
        for snap in reversed(snaps):
            if label in (snap.label, snap.day.isoformat()) or (len(label) >= 8 and snap.sha.startswith(label)):
                return snap
        have = "、".join(s.label for s in snaps[-5:]) or "还没有任何快照"
        raise SnapshotError(f"找不到快照「{label}」（最近的有：{have}），请用 tracker history 查看。")

    def load(self, snap: Snapshot) -> RawRegister:
        """The register of a snapshot, after checking its bytes against the hash."""
        path = self._object(snap.sha)
        try:
            data = gzip.decompress(path.read_bytes())
        except (OSError, EOFError) as exc:
            raise SnapshotError(f"快照 {snap.label} 的数据文件缺失或损坏（{path}）。") from exc
        if hashlib.sha256(data).hexdigest() != snap.sha:
            raise SnapshotError(f"快照 {snap.label} 的内容与校验值不符，文件已损坏（{path}），不能使用。")
        return decode_register(data, f"{snap.source}（{snap.label} 快照）")

    def month_end(self, year: int, month: int) -> Snapshot | None:
        """The last snapshot taken in a month."""
        inside = [s for s in self.list() if (s.day.year, s.day.month) == (year, month)]
        return inside[-1] if inside else None

    def prune(self, keep_daily: int = DEFAULT_KEEP_DAILY) -> list[Snapshot]:
        """Apply retention; returns the refs removed."""
        snaps = self.list()
        last_of_day: dict[date, Snapshot] = {}
        last_of_month: dict[tuple[int, int], Snapshot] = {}
        for snap in snaps:
            last_of_day[snap.day] = snap
            last_of_month[(snap.day.year, snap.day.month)] = snap
        days = sorted(last_of_day)[-keep_daily:] if keep_daily > 0 else []
        keep = {last_of_day[d].label for d in days} | {s.label for s in last_of_month.values()}
        keep |= {s.label for s in snaps if snaps and s.day == snaps[-1].day}  # all of the latest day
        removed = [s for s in snaps if s.label not in keep]
        for snap in removed:
            (self.refs / f"{snap.label}.json").unlink(missing_ok=True)
        live = {s.sha for s in snaps if s.label in keep}
        for obj in self.objects.glob("*/*.json.gz") if self.objects.is_dir() else []:
            if obj.name.split(".")[0] not in live:
                obj.unlink(missing_ok=True)
        return removed
