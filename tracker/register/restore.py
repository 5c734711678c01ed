"""``tracker restore``: write the register of a snapshot back as a workbook in the template's format."""

from __future__ import annotations

from pathlib import Path

from tracker.common import TrackerError

from .contract import load_contract
from .layout import locate_all
from .sheets import RawRegister
from .template import TEMPLATE_ROWS, write_template_xlsx


def restore_register(register: RawRegister, dest: Path) -> int:
    """The template (headers, notes, dropdowns, text formats) filled with the snapshot's rows, in order."""
    import openpyxl

    if dest.suffix.lower() != ".xlsx":
        raise TrackerError(f"{dest} 不是 .xlsx 文件名，请用 --out 名册.xlsx。")
    if dest.exists():
        raise TrackerError(f"{dest} 已存在；为了不覆盖现有名册，请换一个文件名。")
    contract = load_contract()
    located = locate_all(register, contract)
    longest = max((len(t.raw) for t in located.values()), default=0)
    write_template_xlsx(dest, contract, rows=max(TEMPLATE_ROWS, longest))
    book = openpyxl.load_workbook(dest)
    written = 0
    for tab in contract.tabs:
        table = located[tab.key]
        ws = book[tab.name]
        for offset, (_, row) in enumerate(table.raw.iterrows()):
            for index, col in enumerate(tab.columns, 1):
                value = row.get(col.key)
                if value is not None and value == value:  # not NaN
                    ws.cell(offset + 2, index).value = value
            written += 1
    book.save(dest)
    return written
