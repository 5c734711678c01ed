"""What ``scripts/bench`` measures: the register sizes, the stage names, the fixed inputs of every run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).resolve().parent

#: The stages of ``tracker build --timings``.
BUILD_STAGES = ("read", "validate", "rules", "model", "keys", "render", "encrypt", "build", "publish")
#: Every stage name the tracker's StageTimer may report, in pipeline order (``tracker nightly`` adds snapshot,
#: history, and write_back when it writes back; ``warnings`` comes with ``--warnings``).  Tables show the
#: stages that appear, in this order; a name not listed here follows them, in the order first seen.
STAGE_ORDER = ("read", "snapshot", "validate", "history", "rules", "warnings", "model", "keys", "render", "encrypt",
               "build", "publish", "write_back")

#: A fixed "today" by default: the same register, byte for byte, on every machine and every day.
DEFAULT_AS_OF = "2026-11-28"
#: The county-only values of the fictional demo county (as ``tracker nightly`` writes for the demo), so that
#: every rule runs instead of being skipped for want of a value.
DEMO_POLICY = """rural_dibao_annual: 4200
urban_dibao_monthly: 700
registered_population: 30000
"""
#: Parts of a size that ``--skip`` can leave out.
PARTS = ("reference", "nightly", "parallel")


@dataclass(frozen=True)
class Size:
    name: str
    villages: int
    households: int
    validation_only: bool = False
    note: str = ""


SIZES: dict[str, Size] = {s.name: s for s in (
    Size("tiny", 4, 40, note="harness self-test"),
    Size("small", 40, 600),
    Size("county", 400, 10_000),
    Size("large", 2_000, 50_000, note="opt-in: several minutes per build"),
    Size("1m", 40_000, 1_000_000, validation_only=True, note="opt-in: read + validate + rules only, CSV register"),
)}
DEFAULT_SIZES = "small,county"


def stage_columns(stage_sets: Iterable[Iterable[str]]) -> list[str]:
    """Every stage name that appears in any of ``stage_sets``: known ones in pipeline order, then the rest."""
    seen = list(dict.fromkeys(name for names in stage_sets for name in names))
    return [s for s in STAGE_ORDER if s in seen] + [s for s in seen if s not in STAGE_ORDER]
