"""What a benchmark ran on (machine, versions, the code measured) and the printed report of its figures."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from collections.abc import Sequence
from contextlib import suppress
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench_proc import load_average
from bench_sizes import REPO, stage_columns

PACKAGES = ("mkdocs", "mkdocs-material", "mkdocs-encryptcontent-plugin", "Markdown", "pandas", "pandera")
NIGHTLY_STEPS = (("cold", "nightly cold"), ("unchanged", "nightly unchanged"), ("one_village", "nightly 1 village"))


# ============================================================================================ the machine


def revision() -> str | None:
    """``git describe --always --dirty`` of the checkout (read only)."""
    rev = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True,
                         text=True, check=False).stdout.strip()
    return rev or None


def code_fingerprint() -> str:
    """A hash of what a build runs (tracker/, site/, schemas/, mkdocs.yml), committed or not: other engineers
    may edit the checkout while a long benchmark runs."""
    digest = hashlib.sha256()
    for top in ("tracker", "site", "schemas", "mkdocs.yml"):
        root = REPO / top
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()
                                                     and "__pycache__" not in p.parts)
        for path in files:
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def machine() -> dict[str, Any]:
    cpu = ""
    with suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    memory_gb = None
    with suppress(ValueError, OSError, AttributeError):
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    packages: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cores": os.cpu_count(), "usable_cores": usable, "load_average_at_end": load_average(), "cpu": cpu,
            "memory_gb": memory_gb,
            "python": platform.python_version(), "platform": platform.platform(), "packages": packages,
            "tracker_revision": revision(), "code_fingerprint": code_fingerprint()}


def machine_line(m: dict[str, Any]) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    changed = m.get("code_fingerprint_at_start") not in (None, m["code_fingerprint"])
    warning = (f"\nWARNING: tracker/, site/, schemas/ or mkdocs.yml changed during the run (revision "
               f"{m.get('revision_at_start')} at start): the runs measured different code") if changed else ""
    return (f"machine: {m['cores']} cores ({m['usable_cores']} usable) {m['cpu']}, {m['memory_gb']} GB RAM; "
            f"Python {m['python']}; {m['platform']}; load average {m.get('load_before_start')} at start, "
            f"{m['load_average_at_end']} at end\nversions: {versions}; "
            f"tracker {m['tracker_revision']} (code {m['code_fingerprint']}){warning}")


# ============================================================================================ the tables


def _cell(value: Any, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(header: Sequence[str], rows: list[list[str]], left: int = 1) -> str:
    """A plain-text table: the first ``left`` columns left-aligned, the rest right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    head = line(header)
    return "\n".join([head, "-" * len(head), *(line(r) for r in rows)])


def stage_rows(results: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(size, run, size result, figures) for every row of the per-stage table: the build medians (validation
    only for 1m), then each step of the nightly sequence."""
    rows = []
    for name, r in results.items():
        if "province" in r:
            continue
        rows.append((name, "validate + rules" if r.get("validation_only") else "build", r, r["median"]))
        night = r.get("nightly", {})
        for step, label in NIGHTLY_STEPS:
            if isinstance(night.get(step), dict):
                rows.append((name, label, r, night[step]))
    return rows


def stage_table(results: dict[str, Any]) -> str:
    rows = stage_rows(results)
    stages = stage_columns(figures.get("stages", {}) for *_, figures in rows)
    head = ["size", "run", "villages", "households", *stages, "other", "start", "total s", "cpu s", "peak MB",
            "load"]
    body = []
    for name, run, r, m in rows:
        body.append([name, run, str(r["villages"]), str(r["households"]),
                     *(_cell(m["stages"][s]) if s in m.get("stages", {}) else "-" for s in stages),
                     _cell(m.get("other_seconds")), _cell(m.get("startup_seconds")), _cell(m.get("wall_seconds")),
                     _cell(m.get("cpu_seconds"), 1),
                     _cell(m.get("peak_mb"), 0), _cell(m.get("load_before"), 1)])
    return table(head, body, left=2)


def size_table(results: dict[str, Any]) -> str | None:
    head = ["size", "pages", "output MB", "ms/page", "peak MB", "reference s", "ref peak MB", "ref out MB", "ratio",
            "unchanged", "1 village", "parallel x"]
    rows = []
    for name, r in results.items():
        if r.get("validation_only") or "province" in r:
            continue
        m, ref = r["median"], r.get("reference", {}).get("median", {})
        night, par = r.get("nightly", {}), r.get("parallel", {})
        ok = night.get("status") == "ok"
        rows.append([name, str(m.get("pages")), _cell(m["output_bytes"] / 1e6, 1),
                     _cell(1000 * m["wall_seconds"] / m["pages"] if m.get("pages") else None, 0),
                     _cell(m["peak_mb"], 0), _cell(ref.get("wall_seconds")), _cell(ref.get("peak_mb"), 0),
                     _cell(ref["output_bytes"] / 1e6 if ref.get("output_bytes") else None, 1),
                     _cell(r.get("ratio")),
                     f"{night['unchanged']['wall_seconds']:.2f} s {night['unchanged_ratio']:.2f}x" if ok
                     else night.get("status", "skipped"),
                     f"{night['one_village']['wall_seconds']:.2f} s {night['one_village_ratio']:.2f}x" if ok
                     else night.get("status", "skipped"),
                     _cell(par.get("speedup")) if par else "skipped"])
    return table(head, rows) if rows else None


def password_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    for name, r in results.items():
        p = r.get("passwords")
        if p:
            lines.append(f"  {name}: {p['passwords']} passwords, {p['wall_seconds']:.2f} s wall = "
                         f"{_cell(p.get('seconds_per_password'), 3)} s per password with start-up and reading the "
                         f"register; cpu {p['cpu_seconds']:.1f} s, peak {p['peak_mb']:.0f} MB"
                         f"{'' if p.get('keys_file') else '  NO KEYS FILE WRITTEN'}")
    return lines


def scale_lines(results: dict[str, Any]) -> list[str]:
    """The figures of issue 19 that the tables above don't show: the clerk's validate, the full-height workbook,
    the province."""
    lines = []
    for name, r in results.items():
        v = r.get("validate")
        if v:
            tops = ", ".join(f"{t['module']} {t['seconds']:.2f}" for t in v["top_imports"][:4])
            lines.append(f"  {name}: tracker validate {v['median']['wall_seconds']:.2f} s, peak "
                         f"{v['median']['peak_mb']:.0f} MB; imports {v['import_seconds']:.2f} s ({tops})")
        if "nightly_ratio" in r:
            lines.append(f"  {name}: cold nightly / bare mkdocs = {r['nightly_ratio']:.2f}x")
        if "outcome" in r:
            m = r["median"]
            lines.append(f"  {name}: tracker validate {r['outcome']} in {m['wall_seconds']:.2f} s, peak "
                         f"{m['peak_mb']:.0f} MB: {r['message']}")
        p = r.get("province")
        if p:
            m = p["median"]
            lines.append(f"  {name}: {p['counties']} counties, {p['at_once']} at once (TRACKER_JOBS=1 each): "
                         f"{m['wall_seconds']:.1f} s = {_cell(p['times_one_county'], 1)}x one county's cold nightly "
                         f"({p['one_county']['median']['wall_seconds']:.2f} s); peak {m['peak_mb']:.0f} MB per county, "
                         f"{m['peak_at_once_mb']:.0f} MB at once at most; cpu {m['cpu_seconds']:.0f} s")
    return lines


def report(doc: dict[str, Any]) -> str:
    results, config = doc["sizes"], doc["config"]
    parts = [machine_line(doc["machine"]),
             f"as of {config['as_of']}, seed {config['seed']}, {config['runs']} run(s) per size (medians; the nightly "
             f"steps once each); stage timings from {config['timings']}", "",
             "Per stage, seconds (total = wall time of the process; other = total minus every stage shown, of which",
             "start = before the stage timer began: interpreter start, imports; the rest of other is work outside any",
             "stage; cpu = user + system seconds of the process and its children; '-' = stage not run; load =",
             "1-minute load average before the run, 0 = idle machine)", stage_table(results), ""]
    sizes = size_table(results)
    if sizes:
        parts += ["Per size (ms/page = total wall / pages; ratio = tracker build / bare mkdocs build; unchanged and",
                  "1 village = second nightly run and one household cell changed, as a fraction of the cold nightly;",
                  "parallel x = two shards one after the other / both at once)", sizes, ""]
    passwords = password_lines(results)
    if passwords:
        parts += ["One-time key derivation when passwords are created or changed (tracker passwords generate: new",
                  "passwords and each one's PBKDF2 key, kept beside the secrets file; not in the figures above, whose",
                  "builds reuse those keys):", *passwords, ""]
    scale = scale_lines(results)
    if scale:
        parts += ["Scale (issue 19):", *scale, ""]
    for title, key in (("Targets of issue 8", "targets"), ("Targets of issue 19", "targets_19")):
        parts += [title, table(["status", "target", "size", "measured"],
                               [[t["status"], t["target"], t["size"] or "", t["value"]]
                                for t in doc.get(key, [])], left=4), ""]
    return "\n".join(parts).rstrip()
