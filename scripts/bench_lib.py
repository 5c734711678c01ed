"""The benchmark harness of issue 8: the logic behind ``scripts/bench``, and the worker it runs in subprocesses.

Two roles in one file:

* imported by ``scripts/bench`` (:func:`main`): prepares registers, runs every measurement in a fresh
  subprocess, prints the tables and writes the JSON.  This process never imports ``tracker``, so each
  measured process pays for its own interpreter start, imports and cold caches;
* run as ``python scripts/bench_lib.py worker TASK JSON`` (:func:`worker`): the in-process parts, with the
  checkout's ``tracker`` on ``PYTHONPATH``:

  - ``build``  a full build timed stage by stage, for when ``tracker build`` does not accept
    ``--timings FILE`` yet: ``tracker.pipeline.build_site(timer=StageTimer)`` when the pipeline has the timer,
    otherwise the stages of ``build_site`` mirrored call by call (see :func:`_mirrored_build`);
  - ``check``  read, validate and rules only (the 1,000,000-household run);
  - ``pages``  the Markdown pages of ``render_pages`` written to a docs directory with a ``mkdocs.yml`` of the
    repository's settings (material, search on, no encryption): the bare ``mkdocs build`` reference;
  - ``mutate`` the same demo register with one household cell of one village changed.

Every timing JSON follows the contract of ``tracker build --timings FILE``::

    {"stages": [{"name": "read", "seconds": 0.8}, ...], "pages": N, "output_bytes": B, "total_seconds": T}
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LIB = Path(__file__).resolve()
STAGES = ("read", "validate", "rules", "render", "build", "publish")
#: A fixed "today" by default: the same register, byte for byte, on every machine and every day.
DEFAULT_AS_OF = "2026-11-28"
#: The county-only values of the fictional demo county (as ``tracker nightly`` writes for the demo), so that
#: every rule runs instead of being skipped for want of a value.
DEMO_POLICY = """rural_dibao_annual: 4200
urban_dibao_monthly: 700
registered_population: 30000
"""
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

# Targets of issue 8.
TARGET_RATIO = 0.75
TARGET_COUNTY_S = 12.0
TARGET_LARGE_S = 40.0
TARGET_UNCHANGED_S = 1.0
TARGET_ONE_VILLAGE = 0.25
TARGET_1M_S = 10.0
TARGET_1M_MB = 3 * 1024
TARGET_PAGE_KB = 150.0
TARGET_SPEEDUP = 1.7
#: Growth exponents (log t2/t1 over log n2/n1 between the two largest built sizes) accepted as linear.
LINEAR_BYTES = 1.10
LINEAR_SECONDS = 1.15


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and shows the end of its stderr."""


# ============================================================================================ processes


@dataclass
class Proc:
    argv: list[str]
    returncode: int
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str

    def tail(self, lines: int = 12) -> str:
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        return "\n".join(text[-lines:])


def _maxrss_mb(usage: Any) -> float:
    # ru_maxrss: kilobytes on Linux, bytes on macOS.
    return usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def child_env() -> dict[str, str]:
    """The environment of every measured process: the checkout's ``tracker`` first, no ``TRACKER_*`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def run_all(argvs: Sequence[Sequence[str]], cwd: Path) -> tuple[list[Proc], float]:
    """Start every command at once; wait for all. Returns each process and the wall time until the last ended.

    Each process is reaped with ``os.wait4``, which gives that child's own peak RSS (``RUSAGE_CHILDREN`` would
    give the largest of all children so far).
    """
    env = child_env()
    with ExitStack() as stack:
        files = [(stack.enter_context(tempfile.TemporaryFile()), stack.enter_context(tempfile.TemporaryFile()))
                 for _ in argvs]
        procs: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
        started = time.perf_counter()
        try:
            for argv, (out, err) in zip(argvs, files, strict=True):
                p = subprocess.Popen(list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
                procs[p.pid] = (p, time.perf_counter())
            ended: dict[int, tuple[int, float, float]] = {}
            while len(ended) < len(procs):
                pid, status, usage = os.wait4(-1, 0)
                if pid in procs:
                    p, begun = procs[pid]
                    p.returncode = os.waitstatus_to_exitcode(status)
                    ended[pid] = (p.returncode, time.perf_counter() - begun, _maxrss_mb(usage))
            wall = time.perf_counter() - started
        finally:
            for p, _ in procs.values():
                if p.returncode is None:
                    p.kill()
                    p.wait()
        results = []
        for (p, _), (out, err) in zip(procs.values(), files, strict=True):
            rc, seconds, peak = ended[p.pid]
            out.seek(0)
            err.seek(0)
            results.append(Proc(list(p.args), rc, seconds, peak, out.read().decode("utf-8", "replace"),
                                err.read().decode("utf-8", "replace")))
        return results, wall


def run(argv: Sequence[str], cwd: Path) -> Proc:
    return run_all([argv], cwd)[0][0]


def run_ok(argv: Sequence[str], cwd: Path, what: str) -> Proc:
    proc = run(argv, cwd)
    if proc.returncode != 0:
        raise BenchError(f"{what} failed (exit {proc.returncode}): {' '.join(argv)}\n{proc.tail()}")
    return proc


def tracker(*args: str) -> list[str]:
    return [sys.executable, "-m", "tracker", *args]


def worker_cmd(task: str, **args: Any) -> list[str]:
    return [sys.executable, str(LIB), "worker", task, json.dumps(args, ensure_ascii=False)]


def tree_size(root: Path) -> tuple[int, int]:
    """(bytes of all files, number of .html files) under ``root``."""
    total = html = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                total += os.path.getsize(path)
                html += name.endswith(".html")
    return total, html


def remove_site(out: Path) -> None:
    for path in (out, out.with_name(out.name + ".previous")):
        shutil.rmtree(path, ignore_errors=True)


# ============================================================================================ the harness


def load_average() -> float | None:
    """The 1-minute load average (other work on the machine makes every figure slower)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _flags(help_text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", help_text))


@dataclass
class Capabilities:
    build_flags: set[str]
    nightly_flags: set[str]

    @property
    def build_timings(self) -> bool:
        return "--timings" in self.build_flags

    @property
    def nightly_data(self) -> str | None:
        return next((f for f in ("--data", "--data-dir") if f in self.nightly_flags), None)


def capabilities(work: Path) -> Capabilities:
    build = run_ok(tracker("build", "--help"), work, "tracker build --help")
    nightly = run(tracker("nightly", "--help"), work)
    return Capabilities(_flags(build.stdout), _flags(nightly.stdout) if nightly.returncode == 0 else set())


@dataclass
class Bench:
    work: Path
    as_of: str
    seed: int
    runs: int
    timings_source: str  # auto | cli | library
    skip: set[str]
    keep: bool
    caps: Capabilities
    policy: Path = field(init=False)
    method: str = field(init=False)

    def __post_init__(self) -> None:
        self.policy = self.work / "policy.yaml"
        self.policy.write_text(DEMO_POLICY, encoding="utf-8")
        use_cli = self.timings_source == "cli" or (self.timings_source == "auto" and self.caps.build_timings)
        self.method = "cli" if use_cli else "library"

    # ------------------------------------------------------------------------------------ preparation

    def register(self, size: Size, seed: int) -> Path:
        """The demo register of a size (xlsx; a CSV directory for validation-only sizes), made once."""
        suffix = "" if size.validation_only else ".xlsx"
        path = self.work / "registers" / f"{size.name}-seed{seed}-{self.as_of}{suffix}"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(".partial-" + path.name)
            if partial.is_dir():
                shutil.rmtree(partial)
            else:
                partial.unlink(missing_ok=True)
            log(f"  generating {size.name} register (seed {seed}): {size.villages} villages, "
                f"{size.households} households")
            run_ok(tracker("demo", str(partial), "--villages", str(size.villages), "--households",
                           str(size.households), "--seed", str(seed), "--as-of", self.as_of),
                   self.work, "tracker demo")
            partial.rename(path)
        return path

    def secrets(self, register: Path) -> Path:
        path = self.work / "secrets" / (register.name.removesuffix(".xlsx") + ".toml")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            run_ok(tracker("passwords", "generate", "--source", str(register), "--secrets", str(path)),
                   self.work, "tracker passwords generate")
        return path

    # ------------------------------------------------------------------------------------ one build

    def build_argv(self, register: Path, secrets: Path, out: Path, timings: Path) -> list[str]:
        if self.method == "cli":
            return tracker("build", "--source", str(register), "--out", str(out), "--secrets", str(secrets),
                           "--as-of", self.as_of, "--policy", str(self.policy), "--timings", str(timings))
        return worker_cmd("build", source=str(register), out=str(out), secrets=str(secrets), as_of=self.as_of,
                          policy=str(self.policy), timings=str(timings),
                          mirror=self.timings_source == "mirror")

    def measured_build(self, proc: Proc, out: Path, timings: Path) -> dict[str, Any]:
        data = json.loads(timings.read_text(encoding="utf-8"))
        output_bytes, html = tree_size(out)
        return {**stage_summary(data, proc.seconds), "peak_mb": round(proc.peak_mb, 1),
                "output_bytes": output_bytes, "html_files": html,
                "pages": int(data.get("pages") or html),
                "reported_output_bytes": data.get("output_bytes"), "method": data.get("method", self.method)}

    def build_once(self, register: Path, secrets: Path, out: Path) -> tuple[dict[str, Any], Proc]:
        remove_site(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        timings = out.with_name(out.name + ".timings.json")
        timings.unlink(missing_ok=True)
        load = load_average()
        proc = run(self.build_argv(register, secrets, out, timings), self.work)
        if proc.returncode != 0 and self.method == "cli" and "--timings" in proc.stderr:
            log("  tracker build rejected --timings: timing the stages in-process instead")
            self.method = "library"
            return self.build_once(register, secrets, out)
        if proc.returncode != 0 or not timings.exists():
            raise BenchError(f"build failed (exit {proc.returncode}): {' '.join(proc.argv)}\n{proc.tail()}")
        return {**self.measured_build(proc, out, timings), "load_before": load}, proc

    # ------------------------------------------------------------------------------------ one size

    def size(self, size: Size) -> dict[str, Any]:
        log(f"== {size.name}: {size.villages} villages / {size.households} households, {self.runs} run(s)")
        begun = time.perf_counter()
        result: dict[str, Any] = {"villages": size.villages, "households": size.households,
                                  "validation_only": size.validation_only}
        register = self.register(size, self.seed)
        result["register"] = register.name
        if size.validation_only:
            result["runs"] = [self.check_once(size, register, i) for i in range(self.runs)]
            result["median"] = medians(result["runs"])
            return result
        secrets = self.secrets(register)
        base = self.work / "runs" / size.name
        reference = None if "reference" in self.skip else self.prepare_reference(size, register)
        parts = result["harness_seconds"] = {"prepare": round(time.perf_counter() - begun, 1)}
        runs, refs, villages_kb = [], [], None
        for i in range(self.runs):
            out = base / f"site-{i + 1}"
            measured, _ = self.build_once(register, secrets, out)
            runs.append(measured)
            log(f"  run {i + 1}/{self.runs}: tracker build {measured['wall_seconds']:.2f} s "
                f"({fmt_stages(measured)}), peak {measured['peak_mb']:.0f} MB, "
                f"{measured['output_bytes'] / 1e6:.1f} MB, {measured['pages']} pages")
            if reference is not None:
                villages_kb = village_page_sizes(out, reference["villages"])
                ref_out = base / f"reference-{i + 1}"
                refs.append(self.reference_once(reference, ref_out))
                log(f"  run {i + 1}/{self.runs}: bare mkdocs build {refs[-1]['wall_seconds']:.2f} s")
            if not self.keep and i + 1 < self.runs:
                remove_site(out)
        result["runs"] = runs
        result["median"] = medians(runs)
        result["method"] = runs[-1]["method"]
        parts["runs"] = round(time.perf_counter() - begun - sum(parts.values()), 1)
        if reference is not None:
            result["reference"] = {"runs": refs, "median": medians(refs), "pages": reference["pages"]}
            result["ratio"] = _ratio(result["median"]["wall_seconds"], result["reference"]["median"]["wall_seconds"])
            result["village_pages"] = villages_kb
        if "nightly" not in self.skip:
            result["nightly"] = self.nightly(size, register, secrets, result["median"]["wall_seconds"])
            parts["nightly"] = round(time.perf_counter() - begun - sum(parts.values()), 1)
        if "parallel" not in self.skip:
            result["parallel"] = self.parallel(size, register, secrets, result["median"]["wall_seconds"])
            parts["parallel"] = round(time.perf_counter() - begun - sum(parts.values()), 1)
        if not self.keep:
            shutil.rmtree(base, ignore_errors=True)
        return result

    # ------------------------------------------------------------------------------------ reference

    def prepare_reference(self, size: Size, register: Path) -> dict[str, Any]:
        target = self.work / "reference" / f"{size.name}-seed{self.seed}"
        shutil.rmtree(target, ignore_errors=True)
        info = target / "pages.json"
        run_ok(worker_cmd("pages", source=str(register), as_of=self.as_of, policy=str(self.policy),
                          target=str(target), info=str(info)), self.work, "rendering the reference pages")
        data = json.loads(info.read_text(encoding="utf-8"))
        data["config"] = str(target / "mkdocs.yml")
        return data

    def reference_once(self, reference: dict[str, Any], out: Path) -> dict[str, Any]:
        shutil.rmtree(out, ignore_errors=True)
        proc = run_ok([sys.executable, "-m", "mkdocs", "build", "-q", "-f", reference["config"], "-d", str(out)],
                      self.work, "bare mkdocs build (reference)")
        output_bytes, html = tree_size(out)
        if not self.keep:
            shutil.rmtree(out, ignore_errors=True)
        return {"wall_seconds": round(proc.seconds, 4), "peak_mb": round(proc.peak_mb, 1),
                "output_bytes": output_bytes, "html_files": html}

    # ------------------------------------------------------------------------------------ nightly

    def nightly_argv(self, register: Path, secrets: Path, out: Path, data: Path, timings: Path) -> list[str]:
        flags = self.caps.nightly_flags
        argv = tracker("nightly", "--source", str(register), "--out", str(out), "--secrets", str(secrets),
                       self.caps.nightly_data or "--data", str(data))
        if "--policy" in flags:
            argv += ["--policy", str(self.policy)]
        if "--as-of" in flags:
            argv += ["--as-of", self.as_of]
        if "--timings" in flags:
            argv += ["--timings", str(timings)]
        return argv

    def nightly(self, size: Size, register: Path, secrets: Path, build_median: float) -> dict[str, Any]:
        if self.caps.nightly_data is None:
            log("  nightly: n/a (tracker nightly does not accept --data yet)")
            return {"status": "n/a", "why": "tracker nightly does not accept --source/--out/--data/--secrets yet"}
        base = self.work / "nightly" / size.name
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        source = base / register.name
        if register.is_dir():
            shutil.copytree(register, source)
        else:
            shutil.copy2(register, source)
        out, data = base / "site", base / "data"
        steps: dict[str, Any] = {}
        for step in ("cold", "unchanged", "one_village"):
            if step == "one_village":
                change = run_ok(worker_cmd("mutate", villages=size.villages, households=size.households,
                                           seed=self.seed, as_of=self.as_of, path=str(source)),
                                self.work, "changing one household cell")
                steps["change"] = json.loads(change.stdout)
            timings = base / f"{step}.timings.json"
            proc = run(self.nightly_argv(source, secrets, out, data, timings), self.work)
            if proc.returncode != 0:
                log(f"  nightly {step}: failed (exit {proc.returncode})\n{proc.tail(6)}")
                return {"status": "failed", "step": step, "why": proc.tail(6), **steps}
            entry: dict[str, Any] = {"wall_seconds": round(proc.seconds, 4), "peak_mb": round(proc.peak_mb, 1)}
            if timings.exists():
                entry.update(stage_summary(json.loads(timings.read_text(encoding="utf-8")), proc.seconds))
            steps[step] = entry
            log(f"  nightly {step}: {proc.seconds:.2f} s")
        cold = steps["cold"]["wall_seconds"]
        steps.update(status="ok", unchanged_ratio=_ratio(steps["unchanged"]["wall_seconds"], cold),
                     one_village_ratio=_ratio(steps["one_village"]["wall_seconds"], cold),
                     cold_vs_build=_ratio(cold, build_median))
        if not self.keep:
            shutil.rmtree(base, ignore_errors=True)
        return steps

    # ------------------------------------------------------------------------------------ parallel

    def parallel(self, size: Size, register: Path, secrets: Path, first: float) -> dict[str, Any]:
        """Two independent demo counties (seeds N and N+1): one after the other, then by two processes at once.

        One after the other = ``first`` (the median build of shard A, measured above) + a build of shard B.
        """
        other = self.register(size, self.seed + 1)
        other_secrets = self.secrets(other)
        base = self.work / "parallel" / size.name
        shards = [(register, secrets, base / "a"), (other, other_secrets, base / "b")]
        measured, _ = self.build_once(other, other_secrets, base / "b")
        sequential = [first, measured["wall_seconds"]]
        argvs = []
        for reg, sec, out in shards:
            remove_site(out)
            argvs.append(self.build_argv(reg, sec, out, out.with_name(out.name + ".timings.json")))
        procs, wall = run_all(argvs, self.work)
        for proc in procs:
            if proc.returncode != 0:
                raise BenchError(f"parallel build failed (exit {proc.returncode})\n{proc.tail()}")
        seq = sum(sequential)
        log(f"  parallel: 2 shards one after the other {seq:.2f} s, at once {wall:.2f} s")
        if not self.keep:
            shutil.rmtree(base, ignore_errors=True)
        return {"sequential_seconds": [round(s, 4) for s in sequential], "sequential_total": round(seq, 4),
                "parallel_seconds": round(wall, 4), "parallel_each": [round(p.seconds, 4) for p in procs],
                "parallel_peak_mb": [round(p.peak_mb, 1) for p in procs], "speedup": _ratio(seq, wall)}

    # ------------------------------------------------------------------------------------ validation only

    def check_once(self, size: Size, register: Path, i: int) -> dict[str, Any]:
        timings = self.work / "runs" / size.name / f"check-{i + 1}.json"
        timings.parent.mkdir(parents=True, exist_ok=True)
        proc = run_ok(worker_cmd("check", source=str(register), as_of=self.as_of, policy=str(self.policy),
                                 timings=str(timings)), self.work, "validation-only run")
        data = json.loads(timings.read_text(encoding="utf-8"))
        measured = {**stage_summary(data, proc.seconds), "peak_mb": round(proc.peak_mb, 1),
                    "households_read": data.get("households"), "errors": data.get("errors"),
                    "findings": data.get("findings")}
        measured["validate_rules_seconds"] = round(measured["stages"].get("validate", 0)
                                                   + measured["stages"].get("rules", 0), 4)
        log(f"  run {i + 1}/{self.runs}: {fmt_stages(measured)}, peak {measured['peak_mb']:.0f} MB")
        return measured


# ============================================================================================ figures


def stage_summary(data: dict[str, Any], wall: float) -> dict[str, Any]:
    """Stage seconds by name (repeated names added), plus ``other``: the process wall time not in the six stages
    (interpreter start, imports, extra stages such as snapshots)."""
    stages: dict[str, float] = {}
    for entry in data.get("stages", []):
        stages[entry["name"]] = stages.get(entry["name"], 0.0) + float(entry["seconds"])
    known = sum(stages.get(s, 0.0) for s in STAGES)
    return {"stages": {k: round(v, 4) for k, v in stages.items()}, "wall_seconds": round(wall, 4),
            "total_seconds": data.get("total_seconds"), "other_seconds": round(max(wall - known, 0.0), 4)}


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of every number over the runs (stages one by one)."""
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


def _ratio(a: float | None, b: float | None) -> float | None:
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


def _status(ok: bool | None) -> str:
    return "n.a." if ok is None else ("PASS" if ok else "FAIL")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of issue 8, with the figure it was judged on and PASS / FAIL / n.a."""
    rows: list[dict[str, Any]] = []

    def add(target: str, value: str | None, ok: bool | None, size: str | None = None) -> None:
        rows.append({"target": target, "size": size, "value": value or "not measured", "status": _status(ok)})

    built = {k: r for k, r in results.items() if not r.get("validation_only")}
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
    add(f"1,000,000 households: validate + rules < {TARGET_1M_S:.0f} s", f"{vr:.1f} s" if vr is not None else None,
        None if vr is None else vr < TARGET_1M_S, "1m")
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


# ============================================================================================ the report


def revision() -> str | None:
    """``git describe --always --dirty`` of the checkout (read only)."""
    rev = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True,
                         text=True, check=False).stdout.strip()
    return rev or None


def code_fingerprint() -> str:
    """A hash of what a build runs (tracker/, site/, schemas/, mkdocs.yml), committed or not: other engineers
    may edit the checkout while a long benchmark runs."""
    import hashlib

    digest = hashlib.sha256()
    for top in ("tracker", "site", "schemas", "mkdocs.yml"):
        root = REPO / top
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()
                                                     and "__pycache__" not in p.parts)
        for path in files:
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    cpu = ""
    with suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    memory_gb = None
    with suppress(ValueError, OSError, AttributeError):
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    packages = {}
    for name in ("mkdocs", "mkdocs-material", "mkdocs-encryptcontent-plugin", "Markdown", "pandas", "pandera"):
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


def _cell(value: Any, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: Sequence[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True)))
    out = [line, "-" * len(line)]
    for r in rows:
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return "\n".join(out)


def report(doc: dict[str, Any]) -> str:
    results = doc["sizes"]
    parts = [machine_line(doc["machine"]),
             f"as of {doc['config']['as_of']}, seed {doc['config']['seed']}, {doc['config']['runs']} run(s) per size "
             f"(medians); stage timings from {doc['config']['timings']}", ""]
    head = ["size", "villages", "households", *STAGES, "other", "total s", "peak MB", "load"]
    rows = []
    for name, r in results.items():
        m = r["median"]
        rows.append([name, str(r["villages"]), str(r["households"]),
                     *(_cell(m["stages"].get(s)) for s in STAGES), _cell(m.get("other_seconds")),
                     _cell(m["wall_seconds"]), _cell(m["peak_mb"], 0), _cell(m.get("load_before"), 1)])
    parts += ["Per stage, median seconds (total = wall time of the process, with interpreter start and imports;",
              "other = total minus the six stages; load = 1-minute load average before the run, 0 = idle machine)",
              _table(head, rows), ""]
    head = ["size", "pages", "output MB", "ms/page", "peak MB", "reference s", "ref peak MB", "ref out MB", "ratio",
            "unchanged", "1 village", "parallel x"]
    rows = []
    for name, r in results.items():
        if r.get("validation_only"):
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
    if rows:
        parts += ["Per size (ms/page = total wall / pages; ratio = tracker build / bare mkdocs build; unchanged and",
                  "1 village = second nightly run and one household cell changed, as a fraction of the cold nightly;",
                  "parallel x = two shards one after the other / both at once)", _table(head, rows), ""]
    parts += ["Targets of issue 8", _table(["status", "target", "size", "measured"],
                                           [[t["status"], t["target"], t["size"] or "", t["value"]]
                                            for t in doc["targets"]])]
    return "\n".join(parts)


# ============================================================================================ entry point


def _sizes(text: str) -> list[Size]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SIZES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown size(s) {', '.join(unknown) or '(none)'}; "
                                         f"choose from {', '.join(SIZES)}")
    return [SIZES[n] for n in dict.fromkeys(names)]


def _parts(text: str) -> set[str]:
    names = {n.strip() for n in text.split(",") if n.strip()}
    if names - set(PARTS):
        raise argparse.ArgumentTypeError(f"--skip takes {', '.join(PARTS)}")
    return names


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(text)


def parser(description: str | None = None) -> argparse.ArgumentParser:
    sizes = "\n".join(f"  {s.name:<7} {s.villages:>6} villages / {s.households:>9,} households"
                      f"{'  (' + s.note + ')' if s.note else ''}" for s in SIZES.values())
    p = argparse.ArgumentParser(prog="scripts/bench", description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=f"sizes:\n{sizes}")
    p.add_argument("--sizes", type=_sizes, default=_sizes(DEFAULT_SIZES),
                   help=f"comma-separated sizes to run (default {DEFAULT_SIZES})")
    p.add_argument("--runs", type=_positive, default=3, help="runs per size; medians are reported (default 3)")
    p.add_argument("--json", type=Path, default=None, help="also write the results as JSON to this file")
    p.add_argument("--out", type=Path, default=None,
                   help="work directory for registers, secrets and sites (default: a new temporary directory, "
                        "removed at the end); must be outside the repository. Registers and secrets already "
                        "there are reused")
    p.add_argument("--keep", action="store_true", help="keep the built sites and the work directory")
    p.add_argument("--as-of", default=DEFAULT_AS_OF, help=f"the demo's 'today' and the build date "
                                                          f"(default {DEFAULT_AS_OF}, fixed for comparable runs)")
    p.add_argument("--seed", type=int, default=1, help="demo seed of the main register (the parallel run's second "
                                                       "shard uses seed + 1)")
    p.add_argument("--skip", type=_parts, default=set(), help=f"comma-separated parts to leave out: {', '.join(PARTS)}")
    p.add_argument("--timings-source", choices=("auto", "cli", "library", "mirror"), default="auto",
                   help="where stage timings come from: auto = 'tracker build --timings' when the CLI has it, "
                        "else in-process; library = build_site(timer=...) when available; mirror = the stages "
                        "of build_site re-enacted call by call (default auto)")
    return p


def _inside_repo(path: Path) -> bool:
    resolved = path.resolve()
    return resolved == REPO or REPO in resolved.parents


def main(argv: Sequence[str] | None = None, description: str | None = None) -> int:
    args = parser(description).parse_args(argv)
    try:
        date.fromisoformat(args.as_of)
    except ValueError:
        print(f"bench: --as-of {args.as_of!r} is not a YYYY-MM-DD date", file=sys.stderr)
        return 2
    if args.out is not None and _inside_repo(args.out):
        print(f"bench: --out {args.out} is inside the repository; choose a directory outside it", file=sys.stderr)
        return 2
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out is None
    work = Path(tempfile.mkdtemp(prefix="tracker-bench-")) if temporary else args.out.resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_at_start, rev_at_start, code_at_start = load_average(), revision(), code_fingerprint()
    try:
        caps = capabilities(work)
        bench = Bench(work, args.as_of, args.seed, args.runs, args.timings_source, args.skip, args.keep, caps)
        log(f"work directory {work}; stage timings from "
            f"{'tracker build --timings' if bench.method == 'cli' else 'an in-process run of the library'}")
        results = {size.name: bench.size(size) for size in args.sizes}
        doc = {"machine": {**machine(), "load_before_start": load_at_start, "revision_at_start": rev_at_start,
                           "code_fingerprint_at_start": code_at_start},
               "config": {"sizes": [s.name for s in args.sizes], "runs": args.runs, "as_of": args.as_of,
                          "seed": args.seed, "skip": sorted(args.skip),
                          "timings": ("tracker build --timings" if bench.method == "cli" else
                                      f"in-process library run ({_methods(results)})"),
                          "build_flags": sorted(caps.build_flags), "nightly_flags": sorted(caps.nightly_flags)},
               "sizes": results, "targets": targets(results), "bench_seconds": None}
        doc["bench_seconds"] = round(time.perf_counter() - started, 1)
        print(report(doc))
        if args.json is not None:
            args.json.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            log(f"results written to {args.json}")
        return 0
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        if temporary and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif args.keep:
            log(f"kept {work}")


def _methods(results: dict[str, Any]) -> str:
    return ", ".join(sorted({r.get("method", "") for r in results.values() if r.get("method")})) or "library"


# ============================================================================================ the worker


class _Stages:
    def __init__(self) -> None:
        self.stages: list[dict[str, Any]] = []
        self.started = time.perf_counter()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        begin = time.perf_counter()
        yield
        self.stages.append({"name": name, "seconds": round(time.perf_counter() - begin, 4)})

    def add(self, name: str, seconds: float) -> None:
        self.stages.append({"name": name, "seconds": round(seconds, 4)})

    @property
    def total(self) -> float:
        return round(time.perf_counter() - self.started, 4)


def _site_nav(model: Any) -> list[Any]:
    """``tracker.pipeline._nav`` for a plain build (it takes the site history in newer versions)."""
    import inspect

    from tracker import pipeline

    if len(inspect.signature(pipeline._nav).parameters) >= 2:
        return pipeline._nav(model, pipeline.SiteHistory())
    return pipeline._nav(model)


def _mirrored_build(source: str, out: Path, policy_file: str, as_of: date, secrets: Any) -> tuple[_Stages, int]:
    """The stages of ``tracker.pipeline.build_site`` re-enacted call by call, each one timed."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tracker.build import build_site_dir
    from tracker.encryption import KDF_POW, encryption_config, page_levels
    from tracker.policy import load_policy
    from tracker.publish import publish
    from tracker.render import RenderContext, render_pages
    from tracker.rules import evaluate
    from tracker.sources import open_source
    from tracker.validate import validate
    from tracker.views import build_site_model

    timer = _Stages()
    policy = load_policy(Path(policy_file) if policy_file else None)
    with timer.stage("read"):
        raw = open_source(source).read()
    with timer.stage("validate"):
        validated = validate(raw, today=as_of)
    with timer.stage("rules"):
        outcome = evaluate(validated, policy, as_of)
    with timer.stage("render"):
        model = build_site_model(validated, outcome)
        built_at = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y年%-m月%-d日 %H:%M")
        pages = render_pages(model, RenderContext(built_at=built_at, demo=False))
        extra = encryption_config(secrets, model, page_levels(pages), KDF_POW)
    nav = _site_nav(model)
    build_seconds: list[float] = []

    def build(target: Path) -> None:
        begin = time.perf_counter()
        build_site_dir(pages, target, nav, extra)
        build_seconds.append(time.perf_counter() - begin)

    begin = time.perf_counter()
    publish(out, build)
    timer.add("build", build_seconds[0])
    timer.add("publish", time.perf_counter() - begin - build_seconds[0])
    return timer, len(pages)


def _work_build(a: dict[str, Any]) -> None:
    import inspect

    from tracker import pipeline
    from tracker.secrets_file import resolve_secrets

    out, as_of = Path(a["out"]), date.fromisoformat(a["as_of"])
    secrets = resolve_secrets(a["secrets"], out)
    if not a.get("mirror") and "timer" in inspect.signature(pipeline.build_site).parameters:
        from tracker.progress import StageTimer

        timer = StageTimer(quiet=True)
        outcome = pipeline.build_site(a["source"], out, policy_file=a["policy"], as_of=as_of, secrets=secrets,
                                      timer=timer)
        stages = [{"name": n, "seconds": round(s, 4)} for n, s in timer.stages]
        total, pages, method = timer.total, outcome.pages, "library: build_site(timer=StageTimer)"
    else:
        mirrored, pages = _mirrored_build(a["source"], out, a["policy"], as_of, secrets)
        stages, total, method = mirrored.stages, mirrored.total, "library: stages of build_site mirrored"
    output_bytes, _ = tree_size(out)
    Path(a["timings"]).write_text(json.dumps({"stages": stages, "pages": pages, "output_bytes": output_bytes,
                                              "total_seconds": total, "method": method}), encoding="utf-8")


def _work_check(a: dict[str, Any]) -> None:
    from tracker.policy import load_policy
    from tracker.rules import evaluate
    from tracker.sources import open_source
    from tracker.validate import validate

    as_of = date.fromisoformat(a["as_of"])
    timer = _Stages()
    policy = load_policy(Path(a["policy"]))
    with timer.stage("read"):
        raw = open_source(a["source"]).read()
    with timer.stage("validate"):
        validated = validate(raw, today=as_of)
    with timer.stage("rules"):
        outcome = evaluate(validated, policy, as_of)
    Path(a["timings"]).write_text(json.dumps({
        "stages": timer.stages, "total_seconds": timer.total, "method": "library: read, validate, evaluate",
        "households": len(validated.tables["households"].values), "errors": len(validated.errors),
        "findings": len(outcome.findings)}), encoding="utf-8")


def _work_pages(a: dict[str, Any]) -> None:
    """The reference: the generated Markdown pages and the hand-written docs, with the repository's mkdocs.yml
    settings (material, search on, no encryption) and the navigation ``tracker build`` uses."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import yaml

    from tracker.policy import load_policy
    from tracker.render import RenderContext, render_pages
    from tracker.rules import evaluate
    from tracker.sources import open_source
    from tracker.validate import validate
    from tracker.views import build_site_model

    as_of = date.fromisoformat(a["as_of"])
    validated = validate(open_source(a["source"]).read(), today=as_of)
    outcome = evaluate(validated, load_policy(Path(a["policy"])), as_of)
    model = build_site_model(validated, outcome)
    built_at = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y年%-m月%-d日 %H:%M")
    pages = render_pages(model, RenderContext(built_at=built_at, demo=False))
    target = Path(a["target"])
    docs = target / "docs"
    shutil.copytree(REPO / "site" / "docs", docs)
    for rel, text in pages.items():
        path = docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in config.get("plugins") or []]
    if "encryptcontent" in plugins or "search" not in plugins:
        raise SystemExit(f"mkdocs.yml plugins are {plugins}: the reference needs search on, no encryption")
    config["docs_dir"] = str(docs)
    config["site_dir"] = str(target / "site")
    config["theme"]["custom_dir"] = str(REPO / "site" / "overrides")
    config["nav"] = [n.as_yaml() for n in _site_nav(model)]
    config["not_in_nav"] = "/t*/v*.md\n/unassigned.md"
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    villages = {f"{v.township_slug}/{v.slug}.md": len(v.households) for v in model.villages}
    Path(a["info"]).write_text(json.dumps({"pages": len(pages), "villages": villages}, ensure_ascii=False),
                               encoding="utf-8")


def _work_mutate(a: dict[str, Any]) -> None:
    """Write the demo register again with the per-capita income of one household of one village raised by 100."""
    from tracker.demo import contract_headers, generate
    from tracker.writers import write_register

    sheets = generate(villages=a["villages"], households=a["households"], seed=a["seed"],
                      today=date.fromisoformat(a["as_of"]))
    name, headers = contract_headers()["households"]
    sheet = next(s for s in sheets if s.name == name)
    col = sheet.header.index(headers["income_per_capita"])
    village = sheet.header.index(headers["village"])
    rows = [list(r) for r in sheet.rows]
    row = next(r for r in rows if isinstance(r[col], (int, float)) and not isinstance(r[col], bool))
    before = row[col]
    row[col] = before + 100
    changed = [s if s is not sheet else type(s)(s.name, s.header, [tuple(r) for r in rows], s.title) for s in sheets]
    path = Path(a["path"])
    partial = path.with_name(".partial-" + path.name)
    write_register(changed, partial)
    os.replace(partial, path)
    print(json.dumps({"village": row[village], "column": headers["income_per_capita"], "before": before,
                      "after": row[col]}, ensure_ascii=False))


WORK = {"build": _work_build, "check": _work_check, "pages": _work_pages, "mutate": _work_mutate}


def worker(argv: Sequence[str]) -> int:
    task, args = argv[0], json.loads(argv[1])
    WORK[task](args)
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "worker":
        raise SystemExit(worker(sys.argv[2:]))
    raise SystemExit(main(sys.argv[1:]))
