"""The in-process parts of ``scripts/bench``, each run in a fresh interpreter by the harness.

    python scripts/benchmark/bench_worker.py TASK JSON-ARGUMENTS

with the checkout's ``tracker`` on ``PYTHONPATH`` (:func:`bench_proc.child_env`).  This module imports
nothing of the harness: only the standard library and ``tracker``.  Tasks:

* ``check``   read, validate and rules only (``tracker.pipeline.checking.check`` with its StageTimer): the
  1,000,000-household run.  The findings keep their texts unmade until read, so a ``findings`` stage then
  makes every field of every finding (the texts, not one Python object per finding), as a report would.
  Writes the timings JSON of ``tracker build --timings`` plus counts;
* ``pages``   the reference: the pages of ``render_pages`` as Markdown files (``Page.as_markdown``) beside the
  hand-written docs, and a ``mkdocs.yml`` of the repository's settings (``tracker.site.build.mkdocs_config``:
  material, search on, no encryption, the navigation ``tracker build`` uses) for a bare ``mkdocs build``;
* ``mutate``  the same demo register with one household cell of one village changed;
* ``national`` a person-level national export (:func:`bench_national.person_list`);
* ``tall``    a workbook whose 监测户 tab fills all 1,048,576 rows (:func:`bench_national.full_height`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo


def _built_at() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y年%-m月%-d日 %H:%M")


def work_check(a: dict[str, Any]) -> None:
    from tracker.common.progress import StageTimer
    from tracker.pipeline.checking import check
    from tracker.rules.findings import FIELDS, FindingList

    timer = StageTimer(quiet=True)
    validated, outcome = check(a["source"], a["policy"], date.fromisoformat(a["as_of"]), timer)
    with timer.stage("findings"):  # every field (texts included) of every finding, as a report reads them
        if isinstance(outcome.findings, FindingList):
            for name in FIELDS:
                outcome.findings.column(name)
        else:
            [finding.as_dict() for finding in outcome.findings]
    Path(a["timings"]).write_text(json.dumps(timer.as_dict(
        households=len(validated.tables["households"].values), errors=len(validated.errors),
        findings=len(outcome.findings))), encoding="utf-8")


def work_pages(a: dict[str, Any]) -> None:
    import yaml

    from tracker.common.resources import resource
    from tracker.pipeline.run import SiteHistory, check, site_nav
    from tracker.site.build import mkdocs_config
    from tracker.site.render import RenderContext, render_pages
    from tracker.site.views import build_site_model

    validated, outcome = check(a["source"], a["policy"], date.fromisoformat(a["as_of"]))
    model = build_site_model(validated, outcome)
    pages = render_pages(model, RenderContext(built_at=_built_at(), demo=False))
    target = Path(a["target"])
    docs, site = target / "docs", target / "site"
    shutil.copytree(resource("site") / "docs", docs)
    for page in pages:
        path = docs / page.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.as_markdown(), encoding="utf-8")
    config = mkdocs_config(docs, site, site_nav(model, SiteHistory()))
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in config.get("plugins") or []]
    if "encryptcontent" in plugins or "search" not in plugins or config.get("hooks"):
        raise SystemExit(f"mkdocs config has plugins {plugins}, hooks {config.get('hooks')}: the reference "
                         "needs search on, no encryption, nothing of the tracker")
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    villages = {f"{v.township_slug}/{v.slug}.md": len(v.households) for v in model.villages}
    Path(a["info"]).write_text(json.dumps({"pages": len(pages), "protected": sum(p.level is not None for p in pages),
                                           "villages": villages}, ensure_ascii=False), encoding="utf-8")


def work_mutate(a: dict[str, Any]) -> None:
    """Write the demo register again with the per-capita income of one household of one village raised by 100."""
    from tracker.demo.generator import contract_headers, generate
    from tracker.register.sheets import SheetData
    from tracker.register.writers import write_register

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
    changed = [s if s is not sheet else SheetData(s.name, s.header, [tuple(r) for r in rows], s.title)
               for s in sheets]
    path = Path(a["path"])
    partial = path.with_name(".partial-" + path.name)
    write_register(changed, partial)
    os.replace(partial, path)
    print(json.dumps({"village": row[village], "column": headers["income_per_capita"], "before": before,
                      "after": row[col]}, ensure_ascii=False))


def work_national(a: dict[str, Any]) -> None:
    from bench_national import person_list

    print(json.dumps(person_list(Path(a["path"]), a["rows"], a["seed"], date.fromisoformat(a["as_of"]))))


def work_tall(a: dict[str, Any]) -> None:
    from bench_national import full_height

    print(json.dumps(full_height(Path(a["path"]), a["seed"], date.fromisoformat(a["as_of"]))))


TASKS: dict[str, Callable[[dict[str, Any]], None]] = {"check": work_check, "pages": work_pages,
                                                      "mutate": work_mutate, "national": work_national,
                                                      "tall": work_tall}


def main(argv: Sequence[str]) -> int:
    if len(argv) != 2 or argv[0] not in TASKS:
        print(f"usage: bench_worker.py {{{','.join(TASKS)}}} JSON", file=sys.stderr)
        return 2
    TASKS[argv[0]](json.loads(argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
