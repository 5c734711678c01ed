"""One time zone everywhere: China time (Asia/Shanghai), named when shown -- the log lines, the lock records, the
snapshots' names and the site's "generated at" all read the clock here, whatever the server's own zone is."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
ZONE_NAME = "北京时间"


def china_now() -> datetime:
    """The wall-clock time in China now (naive: the snapshots store it so, the zone being always this one)."""
    return datetime.now(CHINA).replace(tzinfo=None)


def china_today() -> date:
    """Today's date in China, the time zone the policy deadlines are set in."""
    return datetime.now(CHINA).date()


def stamp(moment: datetime | None = None) -> str:
    """``2026-12-06 03:00:01 北京时间`` (``moment``: a China wall-clock time, or an aware time; default now)."""
    moment = china_now() if moment is None else moment
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA)
    return f"{moment:%Y-%m-%d %H:%M:%S} {ZONE_NAME}"


def stamped(text: str, moment: datetime | None = None) -> str:
    """Every line of ``text`` behind the time stamp, as a log line."""
    now = stamp(moment)
    return "\n".join(f"{now} {line}" if line else line for line in text.split("\n"))
