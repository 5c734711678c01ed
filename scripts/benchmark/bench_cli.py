"""The command line of ``scripts/bench``: arguments, the work directory, the run of every size, the output."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bench_proc import BenchError, load_average, log
from bench_report import code_fingerprint, machine, report, revision
from bench_runner import Bench, preflight
from bench_sizes import DEFAULT_AS_OF, DEFAULT_SIZES, PARTS, REPO, SIZES, Size
from bench_targets import targets, targets_19

TIMINGS = "tracker build --timings, tracker nightly --timings (1m: tracker.pipeline.checking.check's StageTimer)"


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
                        "removed at the end); must be outside the repository. Registers already there are "
                        "reused; passwords are generated (and timed) anew on every run")
    p.add_argument("--keep", action="store_true", help="keep the built sites and the work directory")
    p.add_argument("--as-of", default=DEFAULT_AS_OF, help=f"the demo's 'today' and the build date "
                                                          f"(default {DEFAULT_AS_OF}, fixed for comparable runs)")
    p.add_argument("--seed", type=int, default=1, help="demo seed of the main register (the parallel run's second "
                                                       "shard uses seed + 1)")
    p.add_argument("--skip", type=_parts, default=set(), help=f"comma-separated parts to leave out: {', '.join(PARTS)}")
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
        preflight(work)
        bench = Bench(work, args.as_of, args.seed, args.runs, args.skip, args.keep)
        log(f"work directory {work}")
        results = {size.name: bench.size(size) for size in args.sizes}
        doc = {"machine": {**machine(), "load_before_start": load_at_start, "revision_at_start": rev_at_start,
                           "code_fingerprint_at_start": code_at_start},
               "config": {"sizes": [s.name for s in args.sizes], "runs": args.runs, "as_of": args.as_of,
                          "seed": args.seed, "skip": sorted(args.skip), "timings": TIMINGS},
               "sizes": results, "targets": targets(results), "targets_19": targets_19(results),
               "bench_seconds": None}
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
