"""What the rules stage hands on: findings with a stable rule id, severity and the next action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "information"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "information": 2}
SEVERITY_LABEL: dict[str, str] = {"error": "问题", "warning": "提醒", "information": "提示"}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    next_action: str
    household: str | None = None  # 户编号; None for village- and county-level findings
    township: str | None = None
    village: str | None = None
    sheet: str | None = None
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "household": self.household,
            "township": self.township,
            "village": self.village,
            "message": self.message,
            "next_action": self.next_action,
            "sheet": self.sheet,
            "row": self.row,
        }
