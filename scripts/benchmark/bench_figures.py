"""Arithmetic on measured figures: stage sums, medians over runs, village page sizes, growth exponents."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any


def stage_summary(data: dict[str, Any], wall: float) -> dict[str, Any]:
    """Stage seconds by name (repeated names added) from a ``--timings`` JSON, and what the stages leave out of
    the process wall time:

    * ``other_seconds``    wall minus every stage reported (interpreter start, imports, unstaged work);
    * ``startup_seconds``  wall minus the timer's own total (interpreter start, imports, argument parsing;
      the time after the timer stopped, such as exiting, also lands here).
    """
    stages: dict[str, float] = {}
    for entry in data.get("stages", []):
        stages[entry["name"]] = stages.get(entry["name"], 0.0) + float(entry["seconds"])
    total = data.get("total_seconds")
    summary: dict[str, Any] = {
        "stages": {k: round(v, 4) for k, v in stages.items()}, "wall_seconds": round(wall, 4),
        "total_seconds": total, "other_seconds": round(max(wall - sum(stages.values()), 0.0), 4)}
    if isinstance(total, (int, float)):
        summary["startup_seconds"] = round(max(wall - total, 0.0), 4)
    return summary


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of every number over the runs (stages one by one; a stage missing from a run counts as 0)."""
    out: dict[str, Any] = {}
    if not runs:
        return out
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values = [r[key] for r in runs if isinstance(r.get(key), (int, float))]
            out[key] = round(statistics.median(values), 4)
    if "stages" in runs[0]:
        names = list(dict.fromkeys(n for r in runs for n in r["stages"]))
        out["stages"] = {n: round(statistics.median(r["stages"].get(n, 0.0) for r in runs), 4) for n in names}
    return out


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 4) if a is not None and b else None


def fmt_stages(measured: dict[str, Any]) -> str:
    return ", ".join(f"{n} {s:.2f}" for n, s in measured["stages"].items())


def village_page_sizes(site: Path, villages: dict[str, int]) -> dict[str, Any] | None:
    """HTML size of the village pages against their number of households; the line fitted through them."""
    points = []
    for md, households in villages.items():
        html = site / (md.removesuffix(".md") + ".html")
        if html.is_file():
            points.append((households, html.stat().st_size / 1024))
    if not points:
        return None
    n = len(points)
    mx = sum(h for h, _ in points) / n
    my = sum(k for _, k in points) / n
    sxx = sum((h - mx) ** 2 for h, _ in points)
    slope = sum((h - mx) * (k - my) for h, k in points) / sxx if sxx else 0.0
    at_50 = my + slope * (50 - mx)
    biggest = max(points)
    within = [k for h, k in points if h <= 50]
    return {"pages": n, "kb_per_household": round(slope, 2), "kb_at_50_households": round(at_50, 1),
            "max_households": biggest[0], "kb_of_largest_village": round(biggest[1], 1),
            "max_kb_with_up_to_50": round(max(within), 1) if within else None}


def growth(results: dict[str, Any], key: Callable[[dict[str, Any]], float | None]) -> dict[str, Any] | None:
    """Exponent k of value ~ villages^k between the two largest built sizes (1 = linear, 2 = quadratic)."""
    built = sorted(((r["villages"], key(r)) for r in results.values() if not r.get("validation_only")),
                   key=lambda p: p[0])
    built = [(n, v) for n, v in built if v]
    if len(built) < 2 or built[-2][0] == built[-1][0]:
        return None
    (n1, v1), (n2, v2) = built[-2], built[-1]
    return {"from": n1, "to": n2, "exponent": round(math.log(v2 / v1) / math.log(n2 / n1), 3)}
