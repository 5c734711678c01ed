"""A register written by an attacker (issue 14): markup and script in every place-name and person-name column.

Each payload carries its own tag (``alert("T3")``), so a dialog in the browser says which cell got through.
Everything else is a valid register (valid ID numbers, villages that match), so every page is built.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tests.builders import headers, household, id_number, measure, member, register, village
from tracker.register.sheets import RawRegister, SheetData
from tracker.register.writers import write_register

_FORMS = (
    '<img src=x onerror=alert("{t}")>',
    '<script>alert("{t}")</script>',
    '"><svg onload=alert("{t}")>',
    "</title><script>alert('{t}')</script>",
    "';alert('{t}');//",
    '<iframe srcdoc="<script>parent.alert(\'{t}\')</script>">',
    '{{{{7*7}}}}<details open ontoggle=alert("{t}")>',
    "[x](javascript:alert('{t}')) | **",
)


def payload(tag: str, form: int) -> str:
    return _FORMS[form % len(_FORMS)].format(t=tag)


COUNTY = payload("county", 0)
TOWNSHIPS = (payload("T1", 1), payload("T2", 2))
VILLAGES = ((TOWNSHIPS[0], payload("V1", 3)), (TOWNSHIPS[0], payload("V2", 6)), (TOWNSHIPS[1], payload("V3", 0)))
UNLISTED_VILLAGE = payload("V9", 5)  # a household's village that the 行政村 tab does not list
TAGS = ("county", "T1", "T2", "V1", "V2", "V3", "V9")  # and every person tag below: P<n>


def hostile_register() -> RawRegister:
    """Three villages in two townships, eight households, members and measures: every name is a payload."""
    villages = [village(**{"县（市、区）": COUNTY, "乡镇（街道）": t, "行政村": v, "村代码": f"4101020010{i:02d}",
                           "村级负责人": payload(f"P{i}", i)}) for i, (t, v) in enumerate(VILLAGES, start=1)]
    households = []
    for n in range(1, 9):
        township, name = VILLAGES[n % len(VILLAGES)]
        if n == 8:
            name = UNLISTED_VILLAGE
        cells = {"县（市、区）": COUNTY, "乡镇（街道）": township, "行政村": name,
                 "户主姓名": payload(f"P1{n}", n), "乡镇审核人": payload(f"P2{n}", n + 1),
                 "帮扶责任人": payload(f"P3{n}", n + 2), "备注": payload(f"P4{n}", n + 3)}
        if n == 2:  # a bad cell: its raw value is shown on the validation report
            cells["监测类别"] = payload("P50", 4)
        if n == 3:  # no responsible person: a finding naming the household
            cells["帮扶责任人"] = None
        households.append(household(n, **cells))
    measures = [measure(f"H{n:04d}", **{"经办人": payload(f"P6{n}", n), "具体措施": payload(f"P7{n}", n + 1)})
                for n in range(1, 9)]
    members = [member(f"H{n:04d}", 100 + n, **{"姓名": payload(f"P8{n}", n + 2)}) for n in range(1, 9)]
    return register(villages=villages, households=households, measures=measures, members=members)


def write_hostile(path: Path) -> None:
    reg = hostile_register()
    sheets = []
    tabs = (("villages", "行政村"), ("households", "监测户"), ("measures", "帮扶措施"), ("members", "家庭成员"))
    for key, name in tabs:
        sheets.append(SheetData(name, tuple(headers(key)), [cells for _, cells in reg.sheets[name].rows[1:]]))
    write_register(sheets, path)


def write_hostile_warnings(folder: Path) -> None:
    """A department list: one person of the register, one unknown with a hostile place (a lead)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [["来源部门", "预警类型", "姓名", "身份证号", "乡镇（街道）", "行政村", "金额（元）", "预警日期"],
            [payload("D1", 1), "大额医疗支出", payload("P91", 2), household(1)["户主身份证号"], "", "", "30000",
             "2026-11-01"],
            [payload("D2", 3), "因灾受损", payload("P92", 4), id_number(seq="777"), VILLAGES[0][0], VILLAGES[0][1],
             "5000", "2026-11-02"],
            [payload("D3", 5), "新增残疾", payload("P93", 6), id_number(seq="778"), payload("T8", 7),
             payload("V8", 0), "", "2026-11-03"]]
    with (folder / f"{payload('F', 0)[:10].replace('/', '_')}医保局.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
