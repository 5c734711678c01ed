"""Running and measuring one size: register, passwords, builds, the bare-mkdocs reference, the nightly
sequence, two shards in parallel, or (1,000,000 households) validation only."""

from __future__ import annotations

import json
import re
import shutil
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_figures import fmt_stages, medians, ratio, stage_summary, village_page_sizes
from bench_proc import (
    BenchError,
    Proc,
    load_average,
    log,
    mkdocs,
    remove_site,
    run,
    run_all,
    run_ok,
    tracker,
    tree_size,
    worker_cmd,
)
from bench_scale import clerk_validate, province, tall_validate
from bench_sizes import DEMO_POLICY, Size

#: Flags of the tracker CLI the harness relies on, checked before anything is generated.
NEEDED_FLAGS = {"build": {"--timings", "--secrets", "--as-of", "--policy"},
                "nightly": {"--data", "--timings", "--secrets", "--as-of", "--policy", "--quiet"},
                "passwords generate": {"--source", "--secrets"}}


def preflight(work: Path) -> None:
    """Refuse early, with the reason, when the checkout's CLI lacks a flag the harness uses."""
    for command, needed in NEEDED_FLAGS.items():
        proc = run_ok(tracker(*command.split(), "--help"), work, f"tracker {command} --help")
        missing = needed - set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", proc.stdout))
        if missing:
            raise BenchError(f"tracker {command} does not accept {', '.join(sorted(missing))}")


def _password_count(secrets: Path) -> int:
    data = tomllib.loads(secrets.read_text(encoding="utf-8"))
    county = 1 if (data.get("county") or {}).get("password") else 0
    return county + len(data.get("townships") or {}) + len(data.get("villages") or {})


@dataclass
class Bench:
    work: Path
    as_of: str
    seed: int
    runs: int
    skip: set[str]
    keep: bool
    policy: Path = field(init=False)

    def __post_init__(self) -> None:
        self.policy = self.work / "policy.yaml"
        self.policy.write_text(DEMO_POLICY, encoding="utf-8")

    # ------------------------------------------------------------------------------------ preparation

    def register(self, size: Size, seed: int) -> Path:
        """The register of a size, made once: the demo register (xlsx; a CSV directory for validation-only demo
        sizes), a national person list or a full-height workbook (xlsx); a province's counties share the county
        size's registers."""
        suffix = "" if size.validation_only and size.kind == "demo" else ".xlsx"
        # demo registers are named by their size, so that a province's first county is the county size's register
        name = f"demo-{size.villages}v-{size.households}h" if size.kind in ("demo", "province") else size.name
        path = self.work / "registers" / f"{name}-seed{seed}-{self.as_of}{suffix}"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(".partial-" + path.name)
            if partial.is_dir():
                shutil.rmtree(partial)
            else:
                partial.unlink(missing_ok=True)
            log(f"  generating {size.name} register (seed {seed}): {size.villages} villages, "
                f"{size.households} {'person rows' if size.kind == 'national' else 'households'}")
            if size.kind == "national":
                command = worker_cmd("national", path=str(partial), rows=size.households, seed=seed,
                                     as_of=self.as_of)
            elif size.kind == "tall":
                command = worker_cmd("tall", path=str(partial), seed=seed, as_of=self.as_of)
            else:
                command = tracker("demo", str(partial), "--villages", str(size.villages), "--households",
                                  str(size.households), "--seed", str(seed), "--as-of", self.as_of)
            run_ok(command, self.work, f"generating the {size.name} register")
            partial.rename(path)
        return path

    def secrets_many(self, registers: list[Path]) -> list[Path]:
        """Passwords and keys for many registers (a province), two key derivations at a time; kept in the work
        directory and reused by later benchmarks there (a province's passwords exist before its nights)."""
        paths = [self.work / "secrets" / (r.name.removesuffix(".xlsx") + ".toml") for r in registers]
        todo = [(r, p) for r, p in zip(registers, paths, strict=True)
                if not (p.is_file() and p.with_name(p.name + ".keys").is_file())]
        if todo:
            log(f"  tracker passwords generate for {len(todo)} register(s)")
            paths[0].parent.mkdir(parents=True, exist_ok=True)
            procs, _ = run_all([tracker("passwords", "generate", "--source", str(r), "--secrets", str(p))
                                for r, p in todo], self.work, width=2)
            for proc in procs:
                if proc.returncode != 0:
                    raise BenchError(f"tracker passwords generate failed (exit {proc.returncode})\n{proc.tail()}")
        return paths

    def secrets(self, register: Path) -> tuple[Path, dict[str, Any]]:
        """New passwords for a register by ``tracker passwords generate``, which also derives every password's
        PBKDF2 key into ``FILE.keys`` (builds and nightly runs reuse them): measured each time, never reused
        from an earlier benchmark, since this one-time cost is part of the honest picture."""
        path = self.work / "secrets" / (register.name.removesuffix(".xlsx") + ".toml")
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = path.with_name(path.name + ".keys")
        path.unlink(missing_ok=True)
        keys.unlink(missing_ok=True)
        load = load_average()
        proc = run_ok(tracker("passwords", "generate", "--source", str(register), "--secrets", str(path)),
                      self.work, "tracker passwords generate")
        count = _password_count(path)
        measured = {"wall_seconds": round(proc.seconds, 4), "cpu_seconds": round(proc.cpu_seconds, 4),
                    "peak_mb": round(proc.peak_mb, 1), "passwords": count,
                    "seconds_per_password": round(proc.seconds / count, 4) if count else None,
                    "keys_file": keys.is_file(), "load_before": load}
        log(f"  tracker passwords generate: {count} passwords, {proc.seconds:.2f} s (keys derived: "
            f"{'yes' if keys.is_file() else 'NO keys file'})")
        return path, measured

    # ------------------------------------------------------------------------------------ one build

    def build_argv(self, register: Path, secrets: Path, out: Path, timings: Path) -> list[str]:
        return tracker("build", "--source", str(register), "--out", str(out), "--secrets", str(secrets),
                       "--as-of", self.as_of, "--policy", str(self.policy), "--timings", str(timings))

    def build_once(self, register: Path, secrets: Path, out: Path) -> dict[str, Any]:
        remove_site(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        timings = out.with_name(out.name + ".timings.json")
        timings.unlink(missing_ok=True)
        load = load_average()
        proc = run(self.build_argv(register, secrets, out, timings), self.work)
        if proc.returncode != 0 or not timings.exists():
            raise BenchError(f"build failed (exit {proc.returncode}): {' '.join(proc.argv)}\n{proc.tail()}")
        return {**self.measured(proc, timings, out), "load_before": load}

    @staticmethod
    def measured(proc: Proc, timings: Path, out: Path | None = None) -> dict[str, Any]:
        data = json.loads(timings.read_text(encoding="utf-8"))
        figures = {**stage_summary(data, proc.seconds), "cpu_seconds": round(proc.cpu_seconds, 4),
                   "peak_mb": round(proc.peak_mb, 1)}
        if out is not None and out.is_dir():
            output_bytes, html = tree_size(out)
            figures.update(output_bytes=output_bytes, html_files=html, pages=int(data.get("pages") or html),
                           reported_output_bytes=data.get("output_bytes"))
        return figures

    # ------------------------------------------------------------------------------------ one size

    def size(self, size: Size) -> dict[str, Any]:
        log(f"== {size.name}: {size.villages} villages / {size.households} households, {self.runs} run(s)")
        begun = time.perf_counter()
        result: dict[str, Any] = {"villages": size.villages, "households": size.households,
                                  "validation_only": size.validation_only}
        if size.kind == "province":
            result["province"] = province(self, size)
            return result
        register = self.register(size, self.seed)
        result["register"] = register.name
        if size.kind == "tall":
            result.update(tall_validate(self.work, register, self.runs))
            return result
        if size.validation_only:
            result["runs"] = [self.check_once(size, register, i) for i in range(self.runs)]
            result["median"] = medians(result["runs"])
            return result
        if "validate" not in self.skip:
            result["validate"] = clerk_validate(self.work, register, self.runs)
        secrets, result["passwords"] = self.secrets(register)
        base = self.work / "runs" / size.name
        reference = None if "reference" in self.skip else self.prepare_reference(size, register)
        parts = result["harness_seconds"] = {"prepare": round(time.perf_counter() - begun, 1)}
        runs, refs, villages_kb = [], [], None
        for i in range(self.runs):
            out = base / f"site-{i + 1}"
            measured = self.build_once(register, secrets, out)
            runs.append(measured)
            log(f"  run {i + 1}/{self.runs}: tracker build {measured['wall_seconds']:.2f} s "
                f"({fmt_stages(measured)}), peak {measured['peak_mb']:.0f} MB, "
                f"{measured['output_bytes'] / 1e6:.1f} MB, {measured['pages']} pages")
            if reference is not None:
                villages_kb = village_page_sizes(out, reference["villages"])
                refs.append(self.reference_once(reference, base / f"reference-{i + 1}"))
                log(f"  run {i + 1}/{self.runs}: bare mkdocs build {refs[-1]['wall_seconds']:.2f} s")
            if not self.keep and i + 1 < self.runs:
                remove_site(out)
        result["runs"] = runs
        result["median"] = medians(runs)
        parts["runs"] = round(time.perf_counter() - begun - sum(parts.values()), 1)
        if reference is not None:
            result["reference"] = {"runs": refs, "median": medians(refs), "pages": reference["pages"]}
            result["ratio"] = ratio(result["median"]["wall_seconds"], result["reference"]["median"]["wall_seconds"])
            result["village_pages"] = villages_kb
        if "nightly" not in self.skip:
            result["nightly"] = self.nightly(size, register, secrets, result["median"]["wall_seconds"])
            parts["nightly"] = round(time.perf_counter() - begun - sum(parts.values()), 1)
            if reference is not None and result["nightly"].get("status") == "ok":
                result["nightly_ratio"] = ratio(result["nightly"]["cold"]["wall_seconds"],
                                                result["reference"]["median"]["wall_seconds"])
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
        load = load_average()
        proc = run_ok(mkdocs("build", "-q", "-f", reference["config"], "-d", str(out)), self.work,
                      "bare mkdocs build (reference)")
        output_bytes, html = tree_size(out)
        if not self.keep:
            shutil.rmtree(out, ignore_errors=True)
        return {"wall_seconds": round(proc.seconds, 4), "cpu_seconds": round(proc.cpu_seconds, 4),
                "peak_mb": round(proc.peak_mb, 1), "output_bytes": output_bytes, "html_files": html,
                "load_before": load}

    # ------------------------------------------------------------------------------------ nightly

    def nightly_argv(self, register: Path, secrets: Path, out: Path, data: Path, timings: Path) -> list[str]:
        return tracker("nightly", "--source", str(register), "--out", str(out), "--secrets", str(secrets),
                       "--data", str(data), "--policy", str(self.policy), "--as-of", self.as_of,
                       "--timings", str(timings), "--quiet")

    def nightly(self, size: Size, register: Path, secrets: Path, build_median: float) -> dict[str, Any]:
        """Cold (fresh site and data directory), unchanged, then one household cell of one village changed."""
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
            load = load_average()
            proc = run(self.nightly_argv(source, secrets, out, data, timings), self.work)
            if proc.returncode != 0 or not timings.exists():
                log(f"  nightly {step}: failed (exit {proc.returncode})\n{proc.tail(6)}")
                return {"status": "failed", "step": step, "why": proc.tail(6), **steps}
            steps[step] = {**self.measured(proc, timings), "load_before": load,
                           "outcome": json.loads(timings.read_text(encoding="utf-8")).get("status")}
            log(f"  nightly {step}: {proc.seconds:.2f} s ({steps[step]['outcome']}; "
                f"{fmt_stages(steps[step]) or 'no stages'})")
        cold = steps["cold"]["wall_seconds"]
        steps.update(status="ok", unchanged_ratio=ratio(steps["unchanged"]["wall_seconds"], cold),
                     one_village_ratio=ratio(steps["one_village"]["wall_seconds"], cold),
                     cold_vs_build=ratio(cold, build_median))
        if not self.keep:
            shutil.rmtree(base, ignore_errors=True)
        return steps

    # ------------------------------------------------------------------------------------ parallel

    def parallel(self, size: Size, register: Path, secrets: Path, first: float) -> dict[str, Any]:
        """Two independent demo counties (seeds N and N+1): one after the other, then by two processes at once.

        Each shard runs with ``TRACKER_JOBS=1`` -- one process per shard, as several counties on one server
        should run -- so the speed-up shows whether separate shards use both cores.  (``first``, the median
        build with every core, is only reported alongside.)
        """
        other = self.register(size, self.seed + 1)
        other_secrets, other_passwords = self.secrets(other)
        base = self.work / "parallel" / size.name
        shards = [(register, secrets, base / "a"), (other, other_secrets, base / "b")]

        def argv(reg: Path, sec: Path, out: Path) -> list[str]:
            remove_site(out)
            out.parent.mkdir(parents=True, exist_ok=True)
            return ["env", "TRACKER_JOBS=1", *self.build_argv(reg, sec, out, out.with_name(out.name + ".timings.json"))]

        sequential = []
        for reg, sec, out in shards:
            proc = run(argv(reg, sec, out), self.work)
            if proc.returncode != 0:
                raise BenchError(f"shard build failed (exit {proc.returncode})\n{proc.tail()}")
            sequential.append(proc.seconds)
        procs, wall = run_all([argv(*shard) for shard in shards], self.work)
        for proc in procs:
            if proc.returncode != 0:
                raise BenchError(f"parallel build failed (exit {proc.returncode})\n{proc.tail()}")
        seq = sum(sequential)
        log(f"  parallel: 2 shards one after the other {seq:.2f} s, at once {wall:.2f} s")
        if not self.keep:
            shutil.rmtree(base, ignore_errors=True)
        return {"sequential_seconds": [round(s, 4) for s in sequential], "sequential_total": round(seq, 4),
                "parallel_seconds": round(wall, 4), "parallel_each": [round(p.seconds, 4) for p in procs],
                "parallel_cpu": [round(p.cpu_seconds, 4) for p in procs],
                "parallel_peak_mb": [round(p.peak_mb, 1) for p in procs], "speedup": ratio(seq, wall),
                "all_cores_build_seconds": round(first, 4), "jobs_per_shard": 1,
                "second_shard_passwords": other_passwords}

    # ------------------------------------------------------------------------------------ validation only

    def check_once(self, size: Size, register: Path, i: int) -> dict[str, Any]:
        timings = self.work / "runs" / size.name / f"check-{i + 1}.json"
        timings.parent.mkdir(parents=True, exist_ok=True)
        load = load_average()
        proc = run_ok(worker_cmd("check", source=str(register), as_of=self.as_of, policy=str(self.policy),
                                 timings=str(timings)), self.work, "validation-only run")
        data = json.loads(timings.read_text(encoding="utf-8"))
        measured = {**self.measured(proc, timings), "load_before": load, "households_read": data.get("households"),
                    "errors": data.get("errors"), "findings": data.get("findings")}
        measured["validate_rules_seconds"] = round(sum(measured["stages"].get(stage, 0)
                                                       for stage in ("validate", "rules", "findings")), 4)
        log(f"  run {i + 1}/{self.runs}: {fmt_stages(measured)}, peak {measured['peak_mb']:.0f} MB")
        return measured

