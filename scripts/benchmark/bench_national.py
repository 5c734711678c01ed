"""Registers of the shapes real counties keep, for ``scripts/bench`` (run inside ``bench_worker``, so this module
imports only the standard library and ``tracker``).

* :func:`person_list`: a national-system export, one row per person (the 31 columns of the 边缘易致贫人口名单 the
  export issue reads), made from a demo county: each household gives its head and then ``家庭人口数 - 1``
  invented members, until the sheet has exactly ``rows`` person rows; plus the demo's 帮扶措施 tab, so the
  measure rules run as well;
* :func:`full_height`: a workbook whose 监测户 tab fills every row Excel has (1,048,576 rows with the title and
  the header), the demo's households repeated with new 户编号 in a few columns (a tall export: the sheet XML
  stays well under the part-size limit, so it is the row limit that speaks), beside the demo's 行政村 and
  帮扶措施 tabs.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

#: The national person list's header (边缘易致贫人口名单, 2022), as in tests/test_national.py.
PERSON_HEADER = (
    "序号", "县(市、区、旗)", "乡(镇)", "行政村", "自然村", "户编号", "人编号", "姓名", "证件号码", "人数",
    "与户主关系", "民族", "文化程度", "在校生状况", "健康状况", "劳动技能", "务工时间（月）", "是否参加大病保险",
    "致贫原因1", "危房户", "是否解决安全饮用水", "人均纯收入", "户联系电话", "人联系电话", "首次识别时间",
    "人员识别时间", "户类型", "易返贫致贫户(监测对象)类型", "风险是否消除", "风险识别时间", "风险消除时间",
)
RELATIONS = ("配偶", "之子", "之女", "之孙子", "之孙女", "之父", "之母", "其他")
#: The columns of the full-height tab (户编号 first).
TALL_COLUMNS = ("户编号", "县（市、区）", "乡镇（街道）", "行政村", "户主姓名", "监测类别", "监测状态")
#: Excel's last row.
EXCEL_ROWS = 1_048_576


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def person_rows(sheets: list, rows: int, seed: int) -> Iterator[list[object]]:
    """``rows`` person rows from the demo's 监测户 tab (a head row, then members), numbered from 1."""
    from tracker.demo.people import full_name, id_number

    households = next(s for s in sheets if s.name == "监测户")
    at = {h: i for i, h in enumerate(households.header)}
    rng, used = random.Random(f"persons-{seed}"), set()
    made = 0
    for row in households.rows:
        if made >= rows:
            return
        people = row[at["家庭人口数"]]
        size = min(max(people if isinstance(people, int) and not isinstance(people, bool) else 1, 1), 8, rows - made)
        cleared = "是" if row[at["监测状态"]] == "风险已消除" else "否"
        risks = str(row[at["主要风险类型"]] or "").replace("、", ",").split(",")
        for k in range(size):
            head = k == 0
            made += 1
            yield [made, row[at["县（市、区）"]], row[at["乡镇（街道）"]], row[at["行政村"]], "一组",
                   row[at["户编号"]], f"{row[at['户编号']]}{k:02d}",
                   row[at["户主姓名"]] if head else full_name(rng, k % 2 == 1),
                   row[at["户主身份证号"]] if head else id_number(rng, k % 2 == 1, 1985 if k < 2 else 2010, used),
                   size, "户主" if head else RELATIONS[(k - 1) % len(RELATIONS)], "汉族", "初中", "非在校生", "健康",
                   row[at["劳动能力"]] if head else "普通劳动力", 6, "是", risks[0] or None, "否", "是",
                   row[at["人均可支配收入（元）"]], row[at["联系电话"]], row[at["联系电话"]] if head else None,
                   _iso(row[at["首次纳入监测日期"]]), _iso(row[at["首次纳入监测日期"]]), "一般户",
                   row[at["监测类别"]], cleared, _iso(row[at["县级确定日期"]]), _iso(row[at["风险消除日期"]])]


def person_list(path: Path, rows: int, seed: int, as_of: date) -> dict[str, int]:
    """Write the person-level export of ``rows`` person rows (households of the demo, villages as many as needed)."""
    from tracker.demo.generator import generate
    from tracker.register.sheets import SheetData
    from tracker.register.writers import write_register

    households = rows // 3 + 20  # demo households have about 3.5 people: enough of them for the rows
    sheets = generate(villages=max(1, households // 25), households=households, seed=seed, today=as_of)
    persons = list(person_rows(sheets, rows, seed))
    if len(persons) < rows:
        raise SystemExit(f"only {len(persons)} person rows from {households} demo households")
    ids = {p[5] for p in persons}
    measures = next(s for s in sheets if s.name == "帮扶措施")
    kept = tuple(r for r in measures.rows if r[0] in ids)
    write_register([SheetData("边缘易致贫人口名单", PERSON_HEADER, persons),
                    SheetData(measures.name, measures.header, kept)], path)
    return {"person_rows": len(persons), "households": len(ids), "measures": len(kept)}


def full_height(path: Path, seed: int, as_of: date) -> dict[str, int]:
    """A workbook whose 监测户 tab has every row Excel allows (title, header, 1,048,574 households)."""
    from tracker.demo.generator import generate
    from tracker.register.sheets import SheetData
    from tracker.register.writers import write_register

    sheets = generate(villages=400, households=10_000, seed=seed, today=as_of)
    households = next(s for s in sheets if s.name == "监测户")
    keep = [households.header.index(h) for h in TALL_COLUMNS]
    base = [tuple(row[k] for k in keep[1:]) for row in households.rows]
    above = 2 if households.title else 1  # the title row and the header
    rows = tuple((f"F{i + 1:09d}", *base[i % len(base)]) for i in range(EXCEL_ROWS - above))
    tall = SheetData(households.name, TALL_COLUMNS, rows, households.title)
    write_register([tall if s is households else s for s in sheets], path)
    return {"rows": EXCEL_ROWS, "households": EXCEL_ROWS - above}
