"""The container image and the Kubernetes example (issue 19, item 6) run the nightly with flags it has, on the
mounts they declare, as a non-root user, with no secret inside (the image itself is not built in the tests)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

from tracker.cli.app import _parser

ROOT = Path(__file__).resolve().parent.parent
CONTAINERFILE = ROOT / "scripts" / "container" / "Containerfile"
CRONJOB = ROOT / "scripts" / "container" / "cronjob.yaml"


def _instructions() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    text = re.sub(r"\\\n\s*", " ", CONTAINERFILE.read_text(encoding="utf-8"))
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.setdefault(word.upper(), []).append(rest.strip())
    return out


def _nightly_flags(args: list[str]) -> dict[str, object]:
    """The nightly's own parser reads the arguments (an unknown flag would exit)."""
    return vars(_parser().parse_args(["nightly", *args]))


def test_the_image_runs_the_nightly_as_a_user_on_its_mounts_with_no_secret_inside() -> None:
    found = _instructions()
    assert found["USER"] == ["10001"]  # not root
    assert json.loads(found["ENTRYPOINT"][0]) == ["tracker", "nightly"]
    args = _nightly_flags(json.loads(found["CMD"][0]))
    volumes = json.loads(found["VOLUME"][0])
    for value in (args["out"], args["data_dir"], args["secrets"]):
        assert any(str(value).startswith(v + "/") or value == v for v in volumes), value
    assert "TZ=Asia/Shanghai" in found["ENV"][0] and "TRACKER_JOBS=1" in found["ENV"][0]
    for line in found.get("ENV", []) + found.get("ARG", []) + found.get("COPY", []):
        assert not re.search(r"PASSWORD|SECRET|secrets\.toml|tracker\.toml", line, re.I), line
    assert not any("secrets" in c or "register" in c or ".xlsx" in c for c in found["COPY"])


def test_the_cronjob_runs_each_county_with_the_nightly_s_flags_on_its_mounts() -> None:
    job = yaml.safe_load(CRONJOB.read_text(encoding="utf-8"))
    spec = job["spec"]["jobTemplate"]["spec"]
    assert job["kind"] == "CronJob" and spec["completionMode"] == "Indexed"
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
    container = pod["containers"][0]
    script = container["args"][0]
    counties = re.search(r'COUNTIES="([^"]+)"', script).group(1).split()  # type: ignore[union-attr]
    assert len(counties) == spec["completions"]
    command = script[script.index("tracker nightly"):].replace("\\\n", " ").replace("$COUNTY", counties[0])
    words = shlex.split(command)
    args = _nightly_flags(words[2:])
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    for value in (args["source"], args["out"], args["data_dir"], args["secrets"]):
        assert any(str(value).startswith(path + "/") for path in mounts), value
    secret = next(m for m in mounts.values() if str(args["secrets"]).startswith(m["mountPath"]))
    assert secret["readOnly"] is True
    volume = next(v for v in pod["volumes"] if v["name"] == secret["name"])
    assert "secret" in volume  # passwords from a Secret, never in the image or the manifest
    assert {"name": "TRACKER_JOBS", "value": "1"} in container["env"]
    from tracker.common.cores import ENV_JOBS
    from tracker.nightly.config import _ENV

    settings = {e["name"]: e["value"] for e in container["env"] if e["name"].startswith("TRACKER_")}
    assert set(settings) <= {ENV_JOBS, *_ENV.values()}, settings  # every setting is one the nightly reads
    cache = settings.get("TRACKER_THEME_CACHE")
    assert cache and any(cache.startswith(path + "/") for path in mounts)  # on the counties' shared volume
