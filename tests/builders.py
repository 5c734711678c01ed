"""Small in-memory registers for tests: rows given as {header: cell} dicts, defaults valid and compliant."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from tracker.register.contract import load_contract
from tracker.register.sheets import Cell, RawRegister, RawSheet
from tracker.validate.schema import id_check_digit, id_number_problem

CONTRACT = load_contract()


def headers(tab_key: str) -> list[str]:
    return [c.header for c in CONTRACT.tab(tab_key).columns]


def with_check_digit(body: str) -> str:
    """Append the GB 11643 check character to 17 digits."""
    return body + id_check_digit(body)


def id_number(region: str = "410102", birth: str = "19800101", seq: str = "001") -> str:
    """A valid 18-character ID number (correct GB 11643 check character)."""
    number = with_check_digit(f"{region}{birth}{seq}")
    assert id_number_problem(number, date(2026, 1, 1)) is None
    return number


def village(**cells: Cell) -> dict[str, Cell]:
    row: dict[str, Cell] = {"县（市、区）": "清河县", "乡镇（街道）": "城关镇", "行政村": "东村",
                            "村代码": "410102001001", "最近排查日期": "2020-06-01", "村级负责人": "赵干部"}
    row.update(cells)
    return row


def household(n: int = 1, **cells: Cell) -> dict[str, Cell]:
    """A compliant monitored household as of mid-2020: all four steps done, income below the line."""
    row: dict[str, Cell] = {
        "户编号": f"H{n:04d}", "县（市、区）": "清河县", "乡镇（街道）": "城关镇", "行政村": "东村",
        "户主姓名": f"王{n}", "户主身份证号": id_number(seq=f"{n % 1000:03d}"), "联系电话": "13812345678",
        "家庭人口数": 3, "监测类别": "脱贫监测户", "监测状态": "监测中", "首次纳入监测日期": "2020-05-20",
        "人均可支配收入（元）": 5000, "上年度家庭收入（元）": 15000, "刚性支出（元）": 2000,
        "本年预计家庭收入（元）": 15000, "主要风险类型": "因病", "劳动能力": "有劳动能力",
        "农户申报或发现日期": "2020-05-18", "村级评议日期": "2020-05-22", "乡镇审核日期": "2020-05-25",
        "县级确定日期": "2020-05-28", "系统录入日期": "2020-05-30", "乡镇审核人": "李审核",
        "帮扶责任人": "张帮扶", "风险消除日期": None, "是否享受低保": "否", "低保渐退期起": None,
        "低保渐退期止": None, "备注": None,
    }
    row.update(cells)
    return row


def measure(household_id: str = "H0001", **cells: Cell) -> dict[str, Cell]:
    row: dict[str, Cell] = {"户编号": household_id, "措施类别": "产业帮扶", "具体措施": "扶贫小额信贷",
                            "金额（元）": 5000, "救助类型": None, "审批层级": None, "一事一议": None,
                            "开始日期": "2020-06-01", "结束日期": None, "经办人": "刘经办"}
    row.update(cells)
    return row


def member(household_id: str = "H0001", n: int = 101, **cells: Cell) -> dict[str, Cell]:
    """A row of the optional 家庭成员 tab: a valid member (ID sequence ``n``) of household ``household_id``."""
    row: dict[str, Cell] = {"户编号": household_id, "姓名": f"成员{n}", "身份证号": id_number(birth="20100101",
                            seq=f"{n % 1000:03d}"), "与户主关系": "子", "劳动能力": "无劳动能力", "健康状况": "健康",
                            "是否残疾": "否", "是否在校生": "是"}
    row.update(cells)
    return row


def sheet(name: str, header: list[str], rows: Iterable[Mapping[str, Cell]], title_rows: int = 0) -> RawSheet:
    """Rows numbered as a spreadsheet would: optional title rows, the header, then the data."""
    out: list[tuple[int, tuple[Cell, ...]]] = [(i + 1, (f"标题行 {i + 1}",)) for i in range(title_rows)]
    out.append((title_rows + 1, tuple(header)))
    for i, row in enumerate(rows):
        out.append((title_rows + 2 + i, tuple(row.get(h) for h in header)))
    return RawSheet(name, tuple(out))


def register(villages: Iterable[Mapping[str, Cell]] = (), households: Iterable[Mapping[str, Cell]] = (),
             measures: Iterable[Mapping[str, Cell]] = (), title_rows: int = 0,
             members: Iterable[Mapping[str, Cell]] | None = None) -> RawRegister:
    """A whole register; row numbers of data rows are title_rows + 2, + 3, ...

    ``members``: rows of the optional 家庭成员 tab (left out of the register when None)."""
    villages = list(villages) or [village()]
    sheets = {
        "行政村": sheet("行政村", headers("villages"), villages),
        "监测户": sheet("监测户", headers("households"), households, title_rows),
        "帮扶措施": sheet("帮扶措施", headers("measures"), measures),
    }
    if members is not None:
        sheets["家庭成员"] = sheet("家庭成员", headers("members"), members)
    return RawRegister("test", sheets)
