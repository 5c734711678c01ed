"""scripts/bench, the benchmark harness of issue 8: it runs end to end and reports every figure.

This tests the harness, not the speed: no timing is compared with anything but zero. The end-to-end run
leaves out the nightly and parallel parts (together ~45 s more at the tiny size); their bookkeeping and
tables are tested on synthetic figures below, and ``run_all`` on short processes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "scripts" / "bench"
sys.path.insert(0, str(REPO / "scripts" / "benchmark"))

import bench_figures  # noqa: E402  (the harness modules live in scripts/benchmark/, not in a package)
import bench_proc  # noqa: E402
import bench_report  # noqa: E402
import bench_runner  # noqa: E402
import bench_sizes  # noqa: E402
import bench_targets  # noqa: E402

#: Stages every ``tracker build --timings`` has had so far; the tables show whatever stages appear.
CORE_STAGES = ("read", "validate", "rules", "render", "build", "publish")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict]:
    tmp = tmp_path_factory.mktemp("bench")
    result_file = tmp / "bench.json"
    proc = subprocess.run([sys.executable, str(BENCH), "--sizes", "tiny", "--runs", "1", "--json", str(result_file),
                           "--out", str(tmp / "work"), "--skip", "nightly,parallel"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, json.loads(result_file.read_text(encoding="utf-8"))


def test_every_stage_is_timed(tiny: tuple[subprocess.CompletedProcess[str], dict]) -> None:
    _, doc = tiny
    size = doc["sizes"]["tiny"]
    assert (size["villages"], size["households"]) == (4, 40)
    assert len(size["runs"]) == 1
    for figures in (size["runs"][0], size["median"]):
        assert set(CORE_STAGES) <= set(figures["stages"])
        assert all(seconds >= 0 for seconds in figures["stages"].values())
        assert all(figures["stages"][stage] > 0 for stage in ("read", "validate", "rules", "render", "build"))
        assert figures["wall_seconds"] > 0 and figures["cpu_seconds"] > 0
        assert figures["other_seconds"] >= 0 and figures["startup_seconds"] >= 0
        assert figures["peak_mb"] > 0
        assert figures["output_bytes"] > 0
        assert figures["pages"] > 0


def test_password_generation_is_timed(tiny: tuple[subprocess.CompletedProcess[str], dict]) -> None:
    proc, doc = tiny
    passwords = doc["sizes"]["tiny"]["passwords"]
    assert passwords["passwords"] >= 1 + 4  # the county, a township or more, four villages
    assert passwords["keys_file"] is True
    assert passwords["wall_seconds"] > 0 and passwords["peak_mb"] > 0
    lines = proc.stdout.splitlines()
    first = lines.index(next(line for line in lines if line.startswith("One-time key derivation when passwords are "
                                                                      "created or changed")))
    assert any(line.startswith(f"  tiny: {passwords['passwords']} passwords") for line in lines[first:])


def test_reference_is_built_and_compared(tiny: tuple[subprocess.CompletedProcess[str], dict]) -> None:
    _, doc = tiny
    size = doc["sizes"]["tiny"]
    assert size["reference"]["median"]["wall_seconds"] > 0
    assert size["reference"]["median"]["output_bytes"] > 0
    assert size["reference"]["pages"] == size["median"]["pages"]
    assert size["ratio"] > 0
    assert size["village_pages"]["pages"] == 4
    assert "nightly" not in size and "parallel" not in size


def test_machine_and_targets(tiny: tuple[subprocess.CompletedProcess[str], dict]) -> None:
    _, doc = tiny
    assert doc["machine"]["cores"] >= 1
    assert doc["machine"]["python"]
    statuses = {t["target"]: t["status"] for t in doc["targets"]}
    assert len(statuses) == 11
    assert set(statuses.values()) <= {"PASS", "FAIL", "n.a."}
    # Sizes and parts that were not run are not judged.
    assert statuses["large: cold full build < 40 s"] == "n.a."
    assert statuses["1,000,000 households: validate + rules (findings made) < 10 s"] == "n.a."
    assert statuses["two shards in parallel: speed-up >= 1.7x"] == "n.a."


def test_the_table_prints(tiny: tuple[subprocess.CompletedProcess[str], dict]) -> None:
    proc, doc = tiny
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("machine:") and "cores" in lines[0] and "Python" in lines[0]
    header = next(line for line in lines if line.startswith("size") and "validate" in line).split()
    assert set(doc["sizes"]["tiny"]["median"]["stages"]) <= set(header)  # every stage that appears
    assert "other" in header and "start" in header
    assert sum(line.startswith("tiny ") for line in lines) == 2  # the stage table and the per-size table
    assert any("reference s" in line and "ratio" in line and "ms/page" in line for line in lines)
    assert "Targets of issue 8" in lines


def test_help_and_bad_arguments() -> None:
    help_text = subprocess.run([sys.executable, str(BENCH), "--help"], capture_output=True, text=True, check=True,
                               timeout=60).stdout
    assert "--sizes" in help_text and "--runs" in help_text and "--json" in help_text and "county" in help_text
    bad = subprocess.run([sys.executable, str(BENCH), "--sizes", "huge"], capture_output=True, text=True,
                         check=False, timeout=60)
    assert bad.returncode == 2 and "unknown size" in bad.stderr
    inside = subprocess.run([sys.executable, str(BENCH), "--sizes", "tiny", "--out", str(REPO / "bench-work")],
                            capture_output=True, text=True, check=False, timeout=60)
    assert inside.returncode == 2 and "inside the repository" in inside.stderr
    assert not (REPO / "bench-work").exists()


def test_run_all_measures_each_process(tmp_path: Path) -> None:
    nap = [sys.executable, "-c", "import time; b = b\"x\" * (50 * 2**20); time.sleep(0.5)"]
    procs, wall = bench_proc.run_all([nap, nap], tmp_path)
    assert [p.returncode for p in procs] == [0, 0]
    assert all(p.seconds >= 0.5 and p.peak_mb >= 50 and p.cpu_seconds > 0 for p in procs)
    assert wall < sum(p.seconds for p in procs)  # they ran at once


def test_run_all_counts_the_children_a_process_reaped(tmp_path: Path) -> None:
    child = "b = b'x' * (80 * 2**20)"
    parent = [sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"]
    (proc,), _ = bench_proc.run_all([parent], tmp_path)
    assert proc.returncode == 0
    assert proc.peak_mb >= 80  # the largest process of the tree (the parent alone stays far below)


def test_validation_only_size(tmp_path: Path) -> None:
    """The path of the 1,000,000-household run (CSV register, read + validate + rules), at 40 households."""
    bench = bench_runner.Bench(tmp_path, bench_sizes.DEFAULT_AS_OF, 1, 1, set(), False)
    result = bench.size(bench_sizes.Size("csv", 4, 40, validation_only=True))
    assert (tmp_path / "registers" / result["register"]).is_dir()
    figures = result["median"]
    assert {"read", "validate", "rules", "findings"} <= set(figures["stages"])
    stages = figures["stages"]
    assert figures["validate_rules_seconds"] == round(stages["validate"] + stages["rules"] + stages["findings"], 4)
    assert figures["peak_mb"] > 0
    assert figures["households_read"] == 40
    assert "passwords" not in result


def _built(villages: int, wall: float, output: int, **extra: Any) -> dict[str, Any]:
    return {"villages": villages, "households": villages * 25, "validation_only": False,
            "median": {"wall_seconds": wall, "output_bytes": output, "peak_mb": 100.0, "pages": villages + 20,
                       "stages": dict.fromkeys(CORE_STAGES, 0.1)}, **extra}


def test_targets_on_synthetic_figures() -> None:
    nightly = {"status": "ok", "cold": {"wall_seconds": 10.0}, "unchanged": {"wall_seconds": 0.5},
               "one_village": {"wall_seconds": 3.0}, "unchanged_ratio": 0.05, "one_village_ratio": 0.3}
    results = {
        "small": _built(40, 2.0, 4_000_000),
        "county": _built(400, 10.0, 40_000_000, ratio=0.7, nightly=nightly, parallel={"speedup": 1.8},
                         village_pages={"kb_at_50_households": 120.0, "max_kb_with_up_to_50": 140.0,
                                        "kb_of_largest_village": 140.0, "max_households": 48}),
        "1m": {"villages": 40_000, "households": 1_000_000, "validation_only": True,
               "median": {"validate_rules_seconds": 12.0, "peak_mb": 2048.0, "wall_seconds": 20.0,
                          "stages": {"read": 8.0, "validate": 9.0, "rules": 3.0}}},
    }
    status = {t["target"]: t["status"] for t in bench_targets.targets(results)}
    assert status == {
        "county: cold full build <= 0.75x the bare mkdocs reference": "PASS",
        "county: cold full build < 12 s": "PASS",
        "large: cold full build < 40 s": "n.a.",
        "unchanged register: nightly < 1 s": "PASS",
        "one village changed: nightly <= 25% of the cold run": "FAIL",
        "1,000,000 households: validate + rules (findings made) < 10 s": "FAIL",
        "1,000,000 households: peak memory < 3 GB": "PASS",
        "output bytes linear in villages (exponent <= 1.1)": "PASS",
        "build time linear in villages (exponent <= 1.15)": "PASS",
        "village page with 50 households < 150 KB HTML": "PASS",
        "two shards in parallel: speed-up >= 1.7x": "PASS",
    }
    quadratic = {"small": _built(40, 2.0, 4_000_000), "county": _built(400, 200.0, 400_000_000)}
    status = {t["target"]: t["status"] for t in bench_targets.targets(quadratic)}
    assert status["output bytes linear in villages (exponent <= 1.1)"] == "FAIL"
    assert status["build time linear in villages (exponent <= 1.15)"] == "FAIL"


def test_stage_summary_and_medians() -> None:
    stages = ("read", "validate", "rules", "model", "keys", "render", "build", "publish")
    timings = {"stages": [{"name": s, "seconds": 0.5} for s in stages] + [{"name": "snapshot", "seconds": 0.5},
                                                                          {"name": "render", "seconds": 0.5}],
               "pages": 10, "output_bytes": 123, "total_seconds": 5.5}
    summary = bench_figures.stage_summary(timings, wall=8.0)
    assert summary["stages"]["snapshot"] == 0.5 and summary["stages"]["render"] == 1.0  # repeated names added
    assert summary["other_seconds"] == 3.0  # wall minus every stage, whatever its name
    assert summary["startup_seconds"] == 2.5  # wall minus the timer's own total
    runs = [{"wall_seconds": w, "stages": {"read": w / 10}} for w in (3.0, 1.0, 2.0)]
    assert bench_figures.medians(runs) == {"wall_seconds": 2.0, "stages": {"read": 0.2}}


def test_stage_columns_follow_the_pipeline() -> None:
    seen = [["publish", "read", "custom"], ["history", "snapshot", "read"], ["encrypt"]]
    assert bench_sizes.stage_columns(seen) == ["read", "snapshot", "history", "encrypt", "publish", "custom"]


def test_stage_table_shows_nightly_steps_and_their_stages() -> None:
    build = dict.fromkeys(("read", "validate", "rules", "model", "keys", "render", "build", "publish"), 0.1)
    cold = {"stages": {**build, "snapshot": 0.2, "history": 0.3}, "wall_seconds": 3.0, "other_seconds": 1.0}
    nightly = {"status": "ok", "cold": cold, "unchanged": {"stages": {}, "wall_seconds": 0.4, "other_seconds": 0.4},
               "one_village": cold, "unchanged_ratio": 0.13, "one_village_ratio": 1.0}
    results = {"small": {"villages": 40, "households": 600, "validation_only": False, "nightly": nightly,
                         "median": {"stages": build, "wall_seconds": 2.0, "other_seconds": 1.2}}}
    lines = bench_report.stage_table(results).splitlines()
    header = lines[0].split()
    assert header[header.index("read"):header.index("other")] == [
        "read", "snapshot", "validate", "history", "rules", "model", "keys", "render", "build", "publish"]
    assert [line.split()[1:3] for line in lines[2:]] == [["build", "40"], ["nightly", "cold"],
                                                          ["nightly", "unchanged"], ["nightly", "1"]]
    assert lines[3].split()[header.index("snapshot") + 1] == "0.20"  # the row label "nightly cold" is two words
    assert lines[2].split()[header.index("snapshot")] == "-"  # a build has no snapshot stage


# ------------------------------------------------------------------------------------ issue 19: scale

import bench_scale  # noqa: E402


def test_run_all_keeps_to_its_width(tmp_path: Path) -> None:
    """At most ``width`` at once: with width 1 the processes run one after the other, in the order given."""
    stamp = [sys.executable, "-c", "import time, sys; print(time.time()); time.sleep(0.3); print(time.time())"]
    procs, wall = bench_proc.run_all([stamp, stamp, stamp], tmp_path, width=1)
    spans = [tuple(map(float, p.stdout.split())) for p in procs]
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(2))  # each began after the one before had ended
    assert wall >= sum(p.seconds for p in procs) * 0.99
    procs, _ = bench_proc.run_all([stamp, stamp, stamp], tmp_path, width=2)
    spans = sorted(tuple(map(float, p.stdout.split())) for p in procs)
    assert spans[1][0] < spans[0][1]  # the first two overlapped
    assert spans[2][0] >= min(spans[0][1], spans[1][1])  # the third waited for one of them


def test_import_profile_sums_own_times_and_ranks_top_level_imports() -> None:
    stderr = "\n".join([
        "import time: self [us] | cumulative | imported package",
        "import time:     10000 |      10000 |     numpy.core",
        "import time:     30000 |      40000 |   numpy",
        "import time:    100000 |     140000 | pandas",
        "import time:      5000 |       5000 | json",
        "some other line",
    ])
    profile = bench_scale.import_profile(stderr, top=2)
    assert profile["import_seconds"] == 0.145
    assert profile["top_imports"] == [{"module": "pandas", "seconds": 0.14}, {"module": "json", "seconds": 0.005}]


def test_the_full_height_and_national_registers(tmp_path: Path) -> None:
    """The registers of the person-level and full-height sizes read as what they claim to be."""
    from datetime import date

    import bench_national

    from tracker.register.sources import open_source
    from tracker.validate.validator import validate

    counts = bench_national.person_list(tmp_path / "p.xlsx", 300, 1, date(2026, 11, 28))
    assert counts["person_rows"] == 300
    result = validate(open_source(str(tmp_path / "p.xlsx")).read())
    assert len(result.tables["members"].values) == 300
    assert len(result.tables["households"].values) == counts["households"]
    assert len(result.tables["measures"].values) == counts["measures"] > 0


def test_scale_targets_on_synthetic_figures() -> None:
    results = {
        "county": {**_built(400, 4.0, 30_000_000), "nightly_ratio": 0.45,
                   "validate": {"median": {"wall_seconds": 1.2, "peak_mb": 170.0}, "import_seconds": 0.35,
                                "top_imports": [{"module": "pandas", "seconds": 0.2}]}},
        "person200k": {"villages": 2400, "households": 200_000, "validation_only": True,
                       "median": {"wall_seconds": 16.0, "peak_mb": 2100.0}},
        "xlsx1m": {"villages": 400, "households": 1_048_574, "validation_only": True, "outcome": "refused",
                   "message": "错误：超过本程序能读取的上限", "median": {"wall_seconds": 5.0, "peak_mb": 1300.0}},
        "province": {"villages": 400, "households": 10_000, "validation_only": False, "province": {
            "counties": 20, "at_once": 2, "times_one_county": 10.5, "one_county": {"median": {"wall_seconds": 5.0}},
            "median": {"wall_seconds": 52.5, "peak_mb": 300.0, "peak_at_once_mb": 590.0, "cpu_seconds": 100.0}}},
    }
    status = {t["target"]: t["status"] for t in bench_targets.targets_19(results)}
    assert [s for t, s in status.items() if t.startswith("200,000")] == ["PASS", "FAIL"]  # 16 s; 2.1 GB
    assert next(s for t, s in status.items() if t.startswith("1,048,576")) == "PASS"  # refused clearly
    assert next(s for t, s in status.items() if "tracker validate" in t) == "PASS"
    assert [s for t, s in status.items() if "cold nightly <=" in t] == ["FAIL", "n.a."]  # county 0.45x; no large
    assert next(s for t, s in status.items() if t.startswith("province")) == "PASS"
    assert [s for t, s in status.items() if t.startswith("1,000,000")] == ["n.a.", "n.a."]
    crashed = {**results["xlsx1m"], "outcome": "crashed"}
    assert next(t["status"] for t in bench_targets.targets_19({"xlsx1m": crashed})
                if t["target"].startswith("1,048,576")) == "FAIL"
    lines = "\n".join(bench_report.scale_lines(results))
    assert "county: tracker validate 1.20 s" in lines and "pandas 0.20" in lines
    assert "xlsx1m: tracker validate refused in 5.00 s" in lines
    assert "20 counties, 2 at once" in lines and "10.5x one county" in lines
    # the issue-8 tables leave the province out instead of failing on it
    assert "province" not in bench_report.stage_table(results) and bench_targets.targets(results)


def test_province_part_runs_its_counties_as_shards_sharing_one_theme(tmp_path: Path) -> None:
    bench = bench_runner.Bench(tmp_path, bench_sizes.DEFAULT_AS_OF, 1, 1, set(), True)
    result = bench.size(bench_sizes.SIZES["tiny-province"])["province"]
    assert result["counties"] == 3 and result["jobs_per_shard"] == 1 and result["at_once"] >= 1
    assert len(result["runs"][0]["county_seconds"]) == 3 and result["times_one_county"] > 0
    assert result["median"]["peak_mb"] > 0 and result["one_county"]["median"]["wall_seconds"] > 0
    shared = tmp_path / "province" / "tiny-province" / "theme-cache"
    assert len([p for p in shared.iterdir() if not p.name.startswith(".")]) == 1  # one theme served all three
    for k in (1, 2, 3):
        assert (tmp_path / "province" / "tiny-province" / f"county-{k}" / "site" / "index.html").is_file()
