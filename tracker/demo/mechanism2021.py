"""The demo county under the 2021+ mechanism: the households the generator drew, told in the national system's
values and procedure (issue 16), so a site dated 2026 shows the work a county does today.

It runs on its own random stream after the 2020-style draw, which therefore stays exactly as it was: categories
脱贫不稳定户 / 边缘易致贫户 (and a few 突发严重困难户), the national labour values, identification through 县级审定
within about two weeks of the application (a few late), a 5–7 day village notice, a clearance method for every
cleared household, 合规自付医疗费用 for the ill, and measures answering each household's risk.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from .draw import between

Record = dict[str, Any]

CATEGORY = {"脱贫监测户": "脱贫不稳定户", "边缘户": "边缘易致贫户"}
#: risk -> (measure kind, its detail, how often it is in place)
ANSWER = {"饮水安全": ("饮水安全保障", "饮水工程维修", 0.9), "住房安全": ("住房安全保障", "危房改造", 0.9),
          "因学": ("义务教育保障", "教育资助", 0.85), "因病": ("健康帮扶", "大病专项救治", 0.8)}


def adapt(households: list[Record], measures: list[Record], seed: int, today: date) -> list[Record]:
    """Rewrite the drawn households in place as the 2021+ mechanism records them; the measures, with the kinds
    that answer each risk added, are returned."""
    rng = random.Random(f"demo-2021-{seed}")
    by_id = {h["household_id"]: h for h in households}
    for h in households:
        _household(rng, h, today)
    out = []
    for m in measures:
        m = dict(m)
        owner = by_id.get(m["household_id"])
        if owner is not None and m["start"] < owner["first_monitored"]:
            m["start"] = min(today, owner["first_monitored"] + timedelta(days=between(rng, 1, 10)))
            if m["end"] is not None and m["end"] < m["start"]:
                m["end"] = m["start"]
        if m["kind"] == "兜底保障" and rng.random() < 0.5:
            m["kind"] = "综合保障"
        elif m["kind"] == "就业帮扶" and rng.random() < 0.2:
            m["kind"], m["detail"] = "公益岗位帮扶", "公益性岗位"
        elif m["kind"] == "产业帮扶" and rng.random() < 0.15:
            m["kind"], m["detail"] = "金融帮扶", "小额信贷"
        out.append(m)
    for h in households:
        decided = h["county_decision"]
        for risk in h["risk_types"].split("、"):
            kind, detail, share = ANSWER.get(risk, (None, None, 0.0))
            if kind and decided is not None and rng.random() < share:
                start = decided + timedelta(days=between(rng, 1, 20))
                if start <= today:
                    out.append({"household_id": h["household_id"], "kind": kind, "detail": detail, "amount": None,
                                "start": start, "end": None, "handler": None})
    return out


def _household(rng: random.Random, h: Record, today: date) -> None:
    h["category"] = CATEGORY.get(h["category"], h["category"])
    if rng.random() < 0.05:
        h["category"] = "突发严重困难户"
    if h["status"] in ("返贫", "已纳入建档立卡"):  # no such states after 2020
        h["status"] = "监测中"
    h["labor"] = {"有劳动能力": "技能劳动力" if rng.random() < 0.2 else "普通劳动力",
                  "弱劳动能力": "弱劳动力或半劳动力",
                  "无劳动能力": "丧失劳动力" if rng.random() < 0.5 else "无劳动力"}.get(h["labor"], h["labor"])
    _steps(rng, h, today)
    if h["status"] == "风险已消除":
        decided = h["county_decision"] or h["first_monitored"]
        if h["cleared"] is None or h["cleared"] < decided:
            h["cleared"] = min(today, decided + timedelta(days=between(rng, 183, 400)))
        h["clearance_method"] = "帮扶消除" if rng.random() < 0.85 else "自然消除"
        h["risk_cleared"] = "是"
    else:
        h["risk_cleared"] = "否"
    if "因病" in h["risk_types"].split("、"):
        h["medical_cost"] = 0 if rng.random() < 0.02 else 100 * between(rng, 2, 200)


def _steps(rng: random.Random, h: Record, today: date) -> None:
    """The seven steps from the application, about two weeks through 县级审定 (3 % late); steps the draw left
    undone (a household still being identified) stay undone, from the first missing one on."""
    base: date = h["reported"] or h["first_monitored"]
    done = [h[k] is not None for k in ("village_review", "township_review", "county_decision", "system_entry")]
    day = base
    plan: list[tuple[str, date]] = [("application", day)]
    day += timedelta(days=between(rng, 1, 2))
    plan.append(("household_check", day))
    day += timedelta(days=between(rng, 1, 2))
    plan.append(("village_review", day))
    day += timedelta(days=1)
    plan.append(("notice_start", day))
    day += timedelta(days=between(rng, 4, 6))
    plan.append(("notice_end", day))
    day += timedelta(days=1)
    plan.append(("township_review", day))
    day += timedelta(days=between(rng, 1, 2) + (between(rng, 5, 15) if rng.random() < 0.03 else 0))
    plan.append(("county_decision", day))
    day += timedelta(days=between(rng, 0, 2))
    plan.append(("system_entry", day))
    keep = {"village_review": done[0], "township_review": done[1], "county_decision": done[2],
            "system_entry": done[3]}
    stop = False
    for key, when in plan:
        if keep.get(key, True) is False or when > today:
            stop = True
        h[key] = None if stop else when
    h["application"] = base
    if h["county_decision"] is not None:
        h["first_monitored"] = h["county_decision"]
