"""``tracker template DEST``: the empty register, generated from the contract (``schemas/register.yaml``).

Each contract tab becomes a worksheet with the contract's headers in row 1 (frozen), a note on every header
with its help text, a dropdown for every enum and 是/否 column (a multi-value column gets an input message
listing its values instead: a dropdown holds one value), date and number formats, and the text format
``@`` on identifier columns (身份证号, 电话, 户编号, 村代码) so an 18-digit ID never becomes ``4.1E+17``.
DEST is an ``.xlsx`` path (written with openpyxl) or an empty Google Sheet (:mod:`tracker.register.template_gsheet`).
``--layout national`` writes the national person export's layout instead (:mod:`tracker.register.template_national`).
"""

from __future__ import annotations

from pathlib import Path

from .contract import Contract, load_contract
from .template_national import TemplateSheet, template_sheets
from .template_plan import TEMPLATE_ROWS, TEXT_FORMAT, TemplateError

LIST_TAB = "下拉选项"  # xlsx only: holds dropdown lists too long (or with commas) for an inline list
_INLINE_LIST_LIMIT = 255  # Excel's limit on an inline list's formula


# ------------------------------------------------------------------------------------------------- xlsx


def _list_formula(values: tuple[str, ...], book: object, cache: dict[tuple[str, ...], str]) -> str:
    """An inline list when Excel allows it, otherwise a range on a hidden tab holding the values."""
    inline = ",".join(values)
    if len(inline) + 2 <= _INLINE_LIST_LIMIT and '"' not in inline and all("," not in v for v in values):
        return f'"{inline}"'
    if values not in cache:
        from openpyxl.utils import get_column_letter

        lists = book[LIST_TAB] if LIST_TAB in book.sheetnames else book.create_sheet(LIST_TAB)  # type: ignore[attr-defined]
        lists.sheet_state = "hidden"
        column = len(cache) + 1
        for row, value in enumerate(values, 1):
            lists.cell(row, column, value).number_format = TEXT_FORMAT
        letter = get_column_letter(column)
        cache[values] = f"'{LIST_TAB}'!${letter}$1:${letter}${len(values)}"
    return cache[values]


def write_template_xlsx(dest: Path, contract: Contract | None = None, rows: int = TEMPLATE_ROWS,
                        layout: str = "contract") -> None:
    write_sheets_xlsx(dest, template_sheets(contract or load_contract(), layout), rows)


def write_sheets_xlsx(dest: Path, sheets: list[TemplateSheet], rows: int = TEMPLATE_ROWS) -> None:
    """Each (name, column plans) as a worksheet: headers with notes, formats and dropdowns over ``rows`` rows."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    lists: dict[tuple[str, ...], str] = {}
    bold = Font(bold=True)
    for name, plans in sheets:
        ws = book.create_sheet(name)
        for index, plan in enumerate(plans, 1):
            letter = get_column_letter(index)
            head = ws.cell(1, index, plan.header)
            head.font, head.alignment = bold, Alignment(wrap_text=True, vertical="center")
            comment = Comment(plan.note(), "tracker")
            comment.width, comment.height = 320, 160
            head.comment = comment
            ws.column_dimensions[letter].width = 22 if plan.number_format == TEXT_FORMAT else max(
                12, 2 * len(plan.header) + 2)
            cells = f"{letter}2:{letter}{rows + 1}"
            if plan.number_format:
                ws.column_dimensions[letter].number_format = plan.number_format
                for row in range(2, rows + 2):
                    ws.cell(row, index).number_format = plan.number_format
            if plan.choices:
                check = DataValidation(type="list", formula1=_list_formula(plan.choices, book, lists),
                                       allow_blank=True, showErrorMessage=True, errorTitle="取值不对",
                                       error=f"「{plan.header}」只能填：{'、'.join(plan.choices)}"[:225],
                                       showInputMessage=True, promptTitle=plan.header[:32], prompt=plan.prompt())
            elif plan.listed:
                check = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=plan.header[:32],
                                       prompt=plan.prompt())
            else:
                continue
            check.add(cells)
            ws.add_data_validation(check)
        ws.freeze_panes = "A2"
    if LIST_TAB in book.sheetnames:
        book.move_sheet(LIST_TAB, offset=len(book.sheetnames))
    book.save(dest)


def create_template(dest: str, contract: Contract | None = None, layout: str = "contract") -> str:
    """Write the template to an ``.xlsx`` path or an empty Google Sheet, in the contract's layout or the national
    export's (``layout="national"``); returns a one-line summary."""
    from .gsheet import sheet_key

    sheets = template_sheets(contract or load_contract(), layout)
    names = "、".join(name for name, _ in sheets)
    what = "全国系统人员名单格式的名册模板" if layout == "national" else "名册模板"
    key = sheet_key(dest)
    if key is not None:
        from .template_gsheet import write_template_gsheet

        write_template_gsheet(key, sheets)
        return f"已在 Google 表格 {dest} 中建好{what}（工作表：{names}）。"
    path = Path(dest).expanduser()
    if path.suffix.lower() != ".xlsx":
        raise TemplateError(f"模板只能写成 .xlsx 文件或写入 Google 表格：「{dest}」请改成以 .xlsx 结尾的文件名。")
    if path.exists():
        raise TemplateError(f"{path} 已经存在，为免覆盖已填写的名册，请换一个文件名或先把它移走。")
    if not path.parent.is_dir():
        raise TemplateError(f"目录 {path.parent} 不存在，请先创建它或换一个位置。")
    try:
        write_sheets_xlsx(path, sheets)
    except OSError as exc:
        raise TemplateError(f"无法写入 {path}：{exc.strerror}。") from exc
    return f"已生成{what} {path}（工作表：{names}；表头批注里有填写说明）。"
