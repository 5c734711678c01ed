"""The parts of ``scripts/bench`` for issue 19 (scale): ``tracker validate`` as a clerk runs it, with the import
time it pays; the full-height workbook (a refusal is a result); a province of county shards on one machine."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from bench_figures import medians, ratio
from bench_proc import BenchError, Proc, load_average, log, run, run_all, tracker

#: Exit codes of ``tracker validate``: 0 clean, 1 errors found in the register (both a finished validation).
VALIDATED = (0, 1)
_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s*\|\s*(\d+)\s*\|( *)(\S+)")


def import_profile(stderr: str, top: int = 6) -> dict[str, Any]:
    """Total import seconds of ``python -X importtime`` (the sum of every module's own time) and the top-level
    imports that cost most (cumulative), from its stderr."""
    total, tops = 0, []
    for line in stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if m:
            total += int(m.group(1))
            if len(m.group(3)) <= 1:
                tops.append((int(m.group(2)), m.group(4)))
    tops.sort(reverse=True)
    return {"import_seconds": round(total / 1e6, 4),
            "top_imports": [{"module": name, "seconds": round(us / 1e6, 4)} for us, name in tops[:top]]}


def clerk_validate(work: Path, register: Path, runs: int) -> dict[str, Any]:
    """``tracker validate --source REG`` in a fresh process, ``runs`` times (median) after one warm-up run, then
    once more under ``python -X importtime`` for where the import time goes."""
    argv = tracker("validate", "--source", str(register))
    run(argv, work)  # a warm-up, not counted: bytecode of changed modules compiled, as an installed package has it
    measured = []
    for _ in range(runs):
        load = load_average()
        proc = run(argv, work)
        if proc.returncode not in VALIDATED:
            raise BenchError(f"tracker validate failed (exit {proc.returncode})\n{proc.tail()}")
        measured.append({"wall_seconds": round(proc.seconds, 4), "cpu_seconds": round(proc.cpu_seconds, 4),
                         "peak_mb": round(proc.peak_mb, 1), "exit": proc.returncode, "load_before": load})
    profiled = run([sys.executable, "-X", "importtime", *argv[1:]], work)
    result = {"runs": measured, "median": medians(measured), **import_profile(profiled.stderr)}
    log(f"  tracker validate: {result['median']['wall_seconds']:.2f} s, peak {result['median']['peak_mb']:.0f} MB "
        f"(imports {result['import_seconds']:.2f} s)")
    return result


def _first_line(proc: Proc) -> str:
    text = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
    return next((line.strip() for line in text if line.strip() and not line.startswith("名册：")), "")


def tall_validate(work: Path, register: Path, runs: int) -> dict[str, Any]:
    """``tracker validate`` of the full-height workbook: finished (exit 0/1) or refused (exit 2 with the sentence
    it printed); a traceback or MemoryError is a failure of the target, reported as such."""
    measured = []
    for i in range(runs):
        load = load_average()
        proc = run(tracker("validate", "--source", str(register)), work)
        crashed = "Traceback" in proc.stderr or "MemoryError" in proc.stderr or proc.returncode not in (0, 1, 2)
        outcome = "crashed" if crashed else ("refused" if proc.returncode == 2 else "validated")
        measured.append({"wall_seconds": round(proc.seconds, 4), "cpu_seconds": round(proc.cpu_seconds, 4),
                         "peak_mb": round(proc.peak_mb, 1), "exit": proc.returncode, "outcome": outcome,
                         "message": _first_line(proc)[:300], "load_before": load})
        log(f"  run {i + 1}/{runs}: tracker validate {proc.seconds:.2f} s, peak {proc.peak_mb:.0f} MB, {outcome} "
            f"(exit {proc.returncode}): {measured[-1]['message'][:120]}")
    outcomes = {m["outcome"] for m in measured}
    return {"runs": measured, "median": medians(measured),
            "outcome": outcomes.pop() if len(outcomes) == 1 else "mixed", "message": measured[-1]["message"]}


def province(bench: Any, size: Any) -> dict[str, Any]:
    """``size.counties`` demo counties (seeds seed .. seed + counties - 1), each ``tracker nightly`` cold (fresh
    site and data directory) as its own shard with ``TRACKER_JOBS=1``, as many at once as the machine has cores,
    sharing one theme cache (``TRACKER_THEME_CACHE``, emptied before each run: the first county builds the theme);
    beside it one county's cold nightly with every core and a theme cache of its own (the median of ``runs``),
    the unit of the target."""
    seeds = [bench.seed + k for k in range(size.counties)]
    registers = [bench.register(size, seed) for seed in seeds]
    secrets = bench.secrets_many(registers)
    base = bench.work / "province" / size.name
    width = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

    shared = base / "theme-cache"  # the province's shared theme cache (TRACKER_THEME_CACHE), new for every run

    def argv(k: int, jobs: int | None) -> list[str]:
        out, data = base / f"county-{k + 1}" / "site", base / f"county-{k + 1}" / "data"
        shutil.rmtree(out.parent, ignore_errors=True)
        out.parent.mkdir(parents=True)
        command = bench.nightly_argv(registers[k], secrets[k], out, data, out.parent / "timings.json")
        return command if jobs is None else ["env", f"TRACKER_JOBS={jobs}", f"TRACKER_THEME_CACHE={shared}", *command]

    singles = []
    for i in range(bench.runs):
        load = load_average()
        proc = run(argv(0, None), bench.work)
        if proc.returncode != 0:
            raise BenchError(f"county nightly failed (exit {proc.returncode})\n{proc.tail()}")
        singles.append({"wall_seconds": round(proc.seconds, 4), "peak_mb": round(proc.peak_mb, 1), "load_before": load})
        log(f"  one county cold nightly (all cores) {i + 1}/{bench.runs}: {proc.seconds:.2f} s")
    one = medians(singles)["wall_seconds"]
    runs = []
    for i in range(bench.runs):
        load = load_average()
        shutil.rmtree(shared, ignore_errors=True)
        procs, wall = run_all([argv(k, 1) for k in range(len(registers))], bench.work, width=width)
        failed = [p for p in procs if p.returncode != 0]
        if failed:
            raise BenchError(f"{len(failed)} county nightly shard(s) failed, e.g. (exit {failed[0].returncode})\n"
                             f"{failed[0].tail()}")
        peaks = sorted((p.peak_mb for p in procs), reverse=True)
        runs.append({"wall_seconds": round(wall, 4), "cpu_seconds": round(sum(p.cpu_seconds for p in procs), 2),
                     "peak_mb": round(peaks[0], 1), "peak_at_once_mb": round(sum(peaks[:width]), 1),
                     "county_seconds": [round(p.seconds, 3) for p in procs], "load_before": load})
        log(f"  province {i + 1}/{bench.runs}: {len(registers)} counties, {width} at once: {wall:.1f} s "
            f"({wall / one:.1f}x one county), peak {peaks[0]:.0f} MB per county")
    if not bench.keep:
        shutil.rmtree(base, ignore_errors=True)
    median = medians(runs)
    return {"counties": len(registers), "at_once": width, "jobs_per_shard": 1, "one_county": {
                "runs": singles, "median": medians(singles)}, "runs": runs, "median": median,
            "times_one_county": ratio(median["wall_seconds"], one)}
