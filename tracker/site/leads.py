"""The county page of department warnings (``leads.md``, county level): display-ready and masked.

It lists, from the matched warning lists (:mod:`tracker.rules.warnings`): the leads no village could be given
(the county finds out where the person lives), the leads handed to villages (linked to the village page), the
warnings on households of the register (linked to the household), and the lists' own data errors. ID numbers
appear only as 4 + 4, in the table and in the error report alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.common import fmt
from tracker.rules import WarningHit, WarningOutcome
from tracker.validate import CellError

from .views import ErrorView, SiteModel


@dataclass(frozen=True)
class LeadRow:
    department: str
    kind: str
    name: str
    id_masked: str
    amount: str
    day: str
    source: str  # 医保局大额医疗.xlsx 第 5 行
    given_place: str  # 乡镇 行政村 as the list writes them
    place: str  # the village it was given to, or the household's village
    page: str  # village page (leads) or household page#anchor (register households); "" when none
    household: str  # 户编号 for a register household
    person: str  # 户主 王某 / 家庭成员 李某（配偶）
    rule: str


@dataclass(frozen=True)
class LeadsView:
    directory: str
    files: tuple[tuple[str, int], ...]
    county: tuple[LeadRow, ...]
    villages: tuple[LeadRow, ...]
    households: tuple[LeadRow, ...]
    errors: tuple[ErrorView, ...]

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.files)


def _error_view(e: CellError, index: int) -> ErrorView:
    value, message = e.value or "", e.message
    if e.key == "id_number" and value:
        value, message = fmt.mask_id(value), message.replace(value, fmt.mask_id(value))
    return ErrorView(e.sheet, e.row, e.column, value, e.code, message, f"warn-err-{index}")


def leads_view(model: SiteModel) -> LeadsView | None:
    matched: WarningOutcome | None = model.outcome.warnings
    if matched is None:
        return None
    villages = {(v.township, v.name): v.page for v in model.villages}
    households = {h.row: h for h in model.households}

    def row(hit: WarningHit) -> LeadRow:
        e = hit.entry
        page, place = "", ""
        if hit.household_row is not None and hit.household_row in households:
            h = households[hit.household_row]
            page, place = f"{h.page}#{h.anchor}", " ".join(p for p in (h.township, h.village) if p)
        elif hit.village is not None:
            page, place = villages.get((hit.township, hit.village), ""), f"{hit.township} {hit.village}"
        return LeadRow(e.department, e.kind, e.name, hit.id_masked, fmt.yuan(e.amount), fmt.cn_date(e.day),
                       f"{e.sheet} 第 {e.row} 行", " ".join(p for p in (e.township, e.village) if p), place, page,
                       hit.household or "", hit.person, hit.rule)

    rows = [row(h) for h in matched.hits]
    return LeadsView(
        directory=matched.lists.directory,
        files=tuple((lst.sheet, lst.rows) for lst in matched.lists.lists),
        county=tuple(r for r in rows if r.rule == "warning.unmonitored" and not r.place),
        villages=tuple(r for r in rows if r.rule == "warning.unmonitored" and r.place),
        households=tuple(r for r in rows if r.rule != "warning.unmonitored"),
        errors=tuple(_error_view(e, i) for i, e in enumerate(matched.lists.errors)),
    )
