"""Family members (the optional 家庭成员 tab) as the site shows them: masked, no health details beyond a label.

Each member is shown in its household's detail section of the village page: name, relation, the ID number
as 4 + 4 (like the head's), labor capacity, the 健康状况 label (健康 / 长期慢性病 / 大病 / 残疾, never more)
and two tags (残疾, 在校生). Errors of a member row travel to its household, like the errors of a measure.
A member whose 户编号 matches no household appears only in the validation report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from tracker.common import fmt
from tracker.validate import CellError, ValidatedRegister, match_key

TAB = "members"


@dataclass(frozen=True)
class MemberView:
    row: int  # row of the 家庭成员 tab
    name: str
    relation: str
    id_masked: str
    labor: str
    health: str  # the label only
    disabled: bool
    student: bool
    has_error: bool


def _cell(values: pd.DataFrame, row: object, key: str) -> object:
    return values.at[row, key] if key in values else None


def household_members(validated: ValidatedRegister
                      ) -> tuple[dict[int, tuple[MemberView, ...]], dict[int, list[CellError]]]:
    """Members and member-row errors by 监测户 row (empty when the register has no 家庭成员 tab)."""
    members = validated.tables.get(TAB)
    households = validated.tables["households"].values
    if members is None or not len(members.values) or "household_id" not in households:
        return {}, {}
    errors: dict[int, list[CellError]] = defaultdict(list)
    for e in validated.errors:
        if e.tab == TAB and e.row is not None:
            errors[e.row].append(e)
    first_row = {k: int(r) for r, k in match_key(households["household_id"]).dropna()[::-1].items()}
    values, text = members.values, members.text
    if "household_id" not in values:
        return {}, {}
    by_household: dict[int, list[MemberView]] = defaultdict(list)
    by_household_errors: dict[int, list[CellError]] = defaultdict(list)
    for row, key in match_key(values["household_id"]).items():
        household = None if pd.isna(key) else first_row.get(str(key))
        if household is None:
            continue
        row = int(row)
        by_household[household].append(MemberView(
            row=row, name=fmt.text(_cell(values, row, "name")), relation=fmt.text(_cell(values, row, "relation")),
            id_masked=fmt.mask_id(_cell(values, row, "id_number")) or fmt.mask_id(_cell(text, row, "id_number")),
            labor=fmt.text(_cell(values, row, "labor")), health=fmt.text(_cell(values, row, "health")),
            disabled=fmt.text(_cell(values, row, "disabled")) == "是",
            student=fmt.text(_cell(values, row, "student")) == "是",
            has_error=row in members.error_rows,
        ))
        by_household_errors[household].extend(errors.get(row, []))
    return ({k: tuple(v) for k, v in by_household.items()}, dict(by_household_errors))
