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
PARTS = ("reference", "nightly", "parallel", "validate")


@dataclass(frozen=True)
class Size:
    """A register size.  ``kind``: ``demo`` (the demo register, xlsx; a CSV directory when validation only),
    ``national`` (a person-level national export of ``households`` person rows, bench_national.person_list),
    ``tall`` (a workbook whose 监测户 tab fills all 1,048,576 rows, bench_national.full_height; a refusal at a
    documented limit is a result, not a failure), ``province`` (``counties`` demo registers of this size, each
    a separate nightly shard)."""

    name: str
    villages: int
    households: int
    validation_only: bool = False
    note: str = ""
    kind: str = "demo"
    counties: int = 1


SIZES: dict[str, Size] = {s.name: s for s in (
    Size("tiny", 4, 40, note="harness self-test"),
    Size("tiny-province", 4, 40, kind="province", counties=3, note="harness self-test of the province part"),
    Size("small", 40, 600),
    Size("county", 400, 10_000),
    Size("large", 2_000, 50_000, note="opt-in: several minutes per build"),
    Size("1m", 40_000, 1_000_000, validation_only=True, note="opt-in: read + validate + rules only, CSV register"),
    Size("person200k", 2_400, 200_000, validation_only=True, kind="national",
         note="opt-in: 200,000 person rows of a national export (~50,000 households), xlsx; validate + rules"),
    Size("xlsx1m", 400, 1_048_574, validation_only=True, kind="tall",
         note="opt-in: a 1,048,576-row xlsx; tracker validate, a refusal at the row limit counts"),
    Size("province", 400, 10_000, kind="province", counties=20,
         note="opt-in: 20 county registers, each nightly a shard with TRACKER_JOBS=1, as many at once as cores"),
)}
DEFAULT_SIZES = "small,county"


def stage_columns(stage_sets: Iterable[Iterable[str]]) -> list[str]:
    """Every stage name that appears in any of ``stage_sets``: known ones in pipeline order, then the rest."""
    seen = list(dict.fromkeys(name for names in stage_sets for name in names))
    return [s for s in STAGE_ORDER if s in seen] + [s for s in seen if s not in STAGE_ORDER]
