"""The targets of issues 8 and 19, each judged PASS / FAIL / n.a. on the figures of a benchmark run."""

from __future__ import annotations

from typing import Any

from bench_figures import growth

TARGET_RATIO = 0.75
TARGET_COUNTY_S = 12.0
TARGET_LARGE_S = 40.0
TARGET_UNCHANGED_S = 1.0
TARGET_ONE_VILLAGE = 0.25
TARGET_1M_S = 10.0
TARGET_1M_MB = 3 * 1024
TARGET_PAGE_KB = 150.0
TARGET_SPEEDUP = 1.7
# issue 19
TARGET_PERSONS_S = 30.0
TARGET_PERSONS_MB = 2 * 1024
TARGET_TALL_S = 120.0
TARGET_TALL_MB = 3 * 1024
TARGET_1M_S_19 = 8.0
TARGET_1M_MB_19 = 1.5 * 1024
TARGET_VALIDATE_S = 1.5
TARGET_RATIO_19 = 0.30
TARGET_PROVINCE = 11.0
#: Growth exponents (log t2/t1 over log n2/n1 between the two largest built sizes) accepted as linear.
LINEAR_BYTES = 1.10
LINEAR_SECONDS = 1.15


def _status(ok: bool | None) -> str:
    return "n.a." if ok is None else ("PASS" if ok else "FAIL")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of issue 8, with the figure it was judged on and PASS / FAIL / n.a. (not measured)."""
    rows: list[dict[str, Any]] = []

    def add(target: str, value: str | None, ok: bool | None, size: str | None = None) -> None:
        rows.append({"target": target, "size": size, "value": value or "not measured", "status": _status(ok)})

    built = {k: r for k, r in results.items() if not r.get("validation_only") and "province" not in r}
    focus = "county" if "county" in built else (max(built, key=lambda k: built[k]["villages"]) if built else None)
    county = built.get("county")
    ratio = county.get("ratio") if county else None
    add(f"county: cold full build <= {TARGET_RATIO}x the bare mkdocs reference",
        f"{ratio:.2f}x" if ratio is not None else None, None if ratio is None else ratio <= TARGET_RATIO, "county")
    wall = county["median"]["wall_seconds"] if county else None
    add(f"county: cold full build < {TARGET_COUNTY_S:.0f} s", f"{wall:.1f} s" if wall else None,
        None if wall is None else wall < TARGET_COUNTY_S, "county")
    large = built.get("large")
    wall = large["median"]["wall_seconds"] if large else None
    add(f"large: cold full build < {TARGET_LARGE_S:.0f} s", f"{wall:.1f} s" if wall else None,
        None if wall is None else wall < TARGET_LARGE_S, "large")

    nightly = built[focus].get("nightly", {}) if focus else {}
    ok = nightly.get("status") == "ok"
    unchanged = nightly["unchanged"]["wall_seconds"] if ok else None
    add(f"unchanged register: nightly < {TARGET_UNCHANGED_S:.0f} s",
        f"{unchanged:.2f} s ({nightly['unchanged_ratio']:.2f}x cold)" if ok else nightly.get("status"),
        unchanged < TARGET_UNCHANGED_S if ok else None, focus)
    one = nightly.get("one_village_ratio") if ok else None
    add(f"one village changed: nightly <= {TARGET_ONE_VILLAGE:.0%} of the cold run",
        f"{one:.0%} ({nightly['one_village']['wall_seconds']:.2f} s)" if one is not None else nightly.get("status"),
        None if one is None else one <= TARGET_ONE_VILLAGE, focus)

    million = results.get("1m")
    vr = million["median"].get("validate_rules_seconds") if million else None
    add(f"1,000,000 households: validate + rules (findings made) < {TARGET_1M_S:.0f} s",
        f"{vr:.1f} s" if vr is not None else None, None if vr is None else vr < TARGET_1M_S, "1m")
    peak = million["median"]["peak_mb"] if million else None
    add(f"1,000,000 households: peak memory < {TARGET_1M_MB / 1024:.0f} GB",
        f"{peak / 1024:.2f} GB" if peak is not None else None, None if peak is None else peak < TARGET_1M_MB, "1m")

    for label, key, limit in (("output bytes", lambda r: r["median"]["output_bytes"], LINEAR_BYTES),
                              ("build time", lambda r: r["median"]["wall_seconds"], LINEAR_SECONDS)):
        g = growth(built, key)
        add(f"{label} linear in villages (exponent <= {limit})",
            f"exponent {g['exponent']} ({g['from']} -> {g['to']} villages)" if g else "needs two built sizes",
            None if g is None else g["exponent"] <= limit)

    pages = built[focus].get("village_pages") if focus else None
    if pages:
        worst = max(pages["kb_at_50_households"], pages["max_kb_with_up_to_50"] or 0.0)
        add(f"village page with 50 households < {TARGET_PAGE_KB:.0f} KB HTML",
            f"{pages['kb_at_50_households']:.0f} KB at 50 (fit), largest {pages['kb_of_largest_village']:.0f} KB "
            f"({pages['max_households']} households)", worst < TARGET_PAGE_KB, focus)
    else:
        add(f"village page with 50 households < {TARGET_PAGE_KB:.0f} KB HTML", None, None, focus)

    par = built[focus].get("parallel") if focus else None
    speedup = par.get("speedup") if par else None
    add(f"two shards in parallel: speed-up >= {TARGET_SPEEDUP}x", f"{speedup:.2f}x" if speedup else None,
        None if speedup is None else speedup >= TARGET_SPEEDUP, focus)
    return rows


def targets_19(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of issue 19 (scale), with the figure it was judged on and PASS / FAIL / n.a."""
    rows: list[dict[str, Any]] = []

    def add(target: str, size: str, value: str | None, ok: bool | None) -> None:
        rows.append({"target": target, "size": size, "value": value or "not measured", "status": _status(ok)})

    persons = results.get("person200k")
    m = persons["median"] if persons else {}
    add(f"200,000 person rows (xlsx): validate + rules, whole process < {TARGET_PERSONS_S:.0f} s", "person200k",
        f"{m['wall_seconds']:.1f} s" if m else None, m["wall_seconds"] < TARGET_PERSONS_S if m else None)
    add(f"200,000 person rows (xlsx): peak < {TARGET_PERSONS_MB / 1024:.0f} GB", "person200k",
        f"{m['peak_mb']:.0f} MB" if m else None, m["peak_mb"] < TARGET_PERSONS_MB if m else None)

    tall = results.get("xlsx1m")
    if tall:
        t = tall["median"]
        ok = tall["outcome"] == "refused" or (tall["outcome"] == "validated" and t["wall_seconds"] < TARGET_TALL_S
                                              and t["peak_mb"] < TARGET_TALL_MB)
        add(f"1,048,576-row xlsx: validate < {TARGET_TALL_S:.0f} s and < {TARGET_TALL_MB / 1024:.0f} GB, or a clear "
            "refusal (never MemoryError)", "xlsx1m",
            f"{tall['outcome']} in {t['wall_seconds']:.1f} s, peak {t['peak_mb']:.0f} MB: {tall['message'][:80]}",
            ok)
    else:
        add("1,048,576-row xlsx: validated in bounds or refused clearly", "xlsx1m", None, None)

    million = results.get("1m")
    vr = million["median"].get("validate_rules_seconds") if million else None
    add(f"1,000,000 households: validate + rules median < {TARGET_1M_S_19:.0f} s", "1m",
        f"{vr:.1f} s" if vr is not None else None, None if vr is None else vr < TARGET_1M_S_19)
    peak = million["median"]["peak_mb"] if million else None
    add(f"1,000,000 households: peak < {TARGET_1M_MB_19 / 1024:.1f} GB", "1m",
        f"{peak / 1024:.2f} GB" if peak is not None else None, None if peak is None else peak < TARGET_1M_MB_19)

    county = results.get("county") or {}
    v = county.get("validate")
    add(f"county: tracker validate, whole process < {TARGET_VALIDATE_S} s", "county",
        f"{v['median']['wall_seconds']:.2f} s (imports {v['import_seconds']:.2f} s)" if v else None,
        v["median"]["wall_seconds"] < TARGET_VALIDATE_S if v else None)
    for name in ("county", "large"):
        r = (results.get(name) or {}).get("nightly_ratio")
        add(f"{name}: cold nightly <= {TARGET_RATIO_19:.2f}x the bare mkdocs-material build", name,
            f"{r:.2f}x" if r is not None else None, None if r is None else r <= TARGET_RATIO_19)

    prov = (results.get("province") or {}).get("province")
    x = prov.get("times_one_county") if prov else None
    add(f"province: {prov['counties'] if prov else 20} counties on one machine <= {TARGET_PROVINCE:.0f}x one "
        "county's cold nightly", "province",
        f"{x:.1f}x ({prov['median']['wall_seconds']:.0f} s, {prov['at_once']} at once)" if x else None,
        None if x is None else x <= TARGET_PROVINCE)
    return rows
