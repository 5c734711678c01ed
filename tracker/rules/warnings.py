"""Department warning lists matched against the register (三、(三) 相关行业部门筛查预警; 六、(二)).

Every valid list row (:mod:`tracker.validate.warning_lists`; a malformed row is a validation error and is not matched)
is matched by its normalised ID number against the 户主身份证号 of every household and the 身份证号 of every
registered family member (the optional 家庭成员 tab). Only valid cells take part: a head's or member's ID
that validation rejected (invalid, or a duplicate) matches nobody. Then:

* the person belongs to a household whose 监测状态 is 风险已消除 or 自然减少 -> ``warning.cleared`` on that
  household: the risk may be back;
* the person belongs to any other household of the register (监测中, 返贫, 已纳入建档立卡, or a status cell
  left empty or invalid) -> ``warning.monitored`` on that household: reassess the risk;
* the person is in no household -> ``warning.unmonitored``, a lead to visit: a village-level finding when
  the list names a 乡镇（街道） and 行政村 found in the 行政村 tab (named as that tab spells them, so the lead
  lands on the village page), otherwise a county-level one (the county leads page). It points at the list
  row (``sheet`` = the list, ``row`` = its row) and, in the JSON output only, carries the full ``id_number``;
  its message shows the ID masked (4 + 4), as every page does.

Household findings point at the 监测户 row (``sheet``/``row``), like every other household finding, so the
household's page and the checklists show them; the list and its row are named in the message.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from tracker.common import fmt
from tracker.validate import (
    ValidatedRegister,
    WarningLists,
    WarningRow,
    file_lines,
    match_key,
    read_warning_lists,
)

from .context import Context, fold
from .engine import RuleOutcome
from .findings import Finding
from .registry import rule

EXITED = ("cleared", "natural_decrease")  # status roles after which a new warning means the risk may be back
WARNING_RULES = ("warning.monitored", "warning.cleared", "warning.unmonitored")
#: The next action of a lead no village could be given (the registry's is the village's).
COUNTY_ACTION = ("请县级扶贫部门查明此人所在的乡镇、行政村，交所在村尽快入户走访核实：符合监测范围的，按程序纳入监测"
                 "（农户申报或发现日期填预警日期）；不符合的，在走访记录中写明核实情况。")


@dataclass(frozen=True)
class LeadFinding(Finding):
    """A ``warning.unmonitored`` finding: the person's full ID number travels in the JSON output only."""

    id_number: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "id_number": self.id_number}


@dataclass(frozen=True)
class WarningHit:
    """One valid list row and what it matched."""

    entry: WarningRow
    rule: str
    household_row: int | None = None  # 监测户 row of the person's household
    household: str | None = None  # its 户编号
    person: str = ""  # 户主 王某 / 家庭成员 李某（配偶）
    status: str = ""  # the household's 监测状态
    township: str | None = None  # where the finding is placed
    village: str | None = None

    @property
    def id_masked(self) -> str:
        return fmt.mask_id(self.entry.id_number)


@dataclass(frozen=True)
class WarningOutcome:
    lists: WarningLists
    hits: tuple[WarningHit, ...]
    findings: tuple[Finding, ...]

    @property
    def leads(self) -> tuple[WarningHit, ...]:
        return tuple(h for h in self.hits if h.rule == "warning.unmonitored")

    def summary(self) -> dict[str, Any]:
        """The lists' part of ``tracker check``'s summary: files, rows, what matched, every validation error."""
        matched = Counter(h.rule for h in self.hits)
        out = self.lists.summary()
        errors = out.pop("errors")
        out["matched"] = {r: matched.get(r, 0) for r in WARNING_RULES}
        out["village_leads"] = sum(1 for h in self.leads if h.village is not None)
        out["county_leads"] = sum(1 for h in self.leads if h.village is None)
        out["errors"] = errors
        return out


def _fold(value: object) -> str | None:
    if value is None or pd.isna(value):
        return None
    return str(match_key(pd.Series([str(value)], dtype="string")).iat[0])


def _first(keys: pd.Series) -> dict[str, int]:
    """Each non-missing key -> the row label of its first occurrence."""
    keys = keys.dropna()
    keys = keys[~keys.duplicated()]
    return dict(zip(keys.tolist(), (int(r) for r in keys.index), strict=True))


@dataclass(frozen=True)
class _Person:
    household_row: int
    member_row: int | None  # 家庭成员 row; None for a head


def _people(validated: ValidatedRegister, ctx: Context) -> dict[str, _Person]:
    """ID number (valid cells only: already upper-case, no spaces) -> where the person is: heads win over
    members (a head may be registered as a member of the own household too). Vectorised: a register may hold
    a million households."""
    h = ctx.h
    people: dict[str, _Person] = {}
    members = validated.tables.get("members")
    if members is not None and {"id_number", "household_id"} <= set(members.values):
        m = members.values
        households = _first(fold(h["household_id"]))
        owner = fold(m["household_id"]).map(households)
        known = owner.notna()
        for key, row in _first(fold(m["id_number"])[known]).items():
            people[key] = _Person(int(owner.at[row]), row)
    for key, row in _first(fold(h["head_id_number"])).items():
        people[key] = _Person(row, None)
    return people


def _who(validated: ValidatedRegister, person: _Person) -> str:
    """户主 王某 / 家庭成员 李某（配偶）."""
    h = validated.tables["households"].values
    if person.member_row is None:
        name = fmt.text(h.at[person.household_row, "head_name"]) if "head_name" in h else ""
        return f"户主 {name}".strip()
    m = validated.tables["members"].values
    name = fmt.text(m.at[person.member_row, "name"]) if "name" in m else ""
    relation = fmt.text(m.at[person.member_row, "relation"]) if "relation" in m else ""
    return f"家庭成员 {name}" + (f"（{relation}）" if relation else "")


def _places(validated: ValidatedRegister) -> dict[tuple[str, str], tuple[str, str]]:
    """Folded (乡镇, 行政村) of the 行政村 tab -> the names as that tab spells them (as the village pages do)."""
    v = validated.tables["villages"].values
    out: dict[tuple[str, str], tuple[str, str]] = {}
    if not {"township", "village"} <= set(v):
        return out
    for township, village in zip(v["township"], v["village"], strict=True):
        key = (_fold(township), _fold(village))
        if key[0] is not None and key[1] is not None:
            out.setdefault(key, (fmt.text(township), fmt.text(village)))  # type: ignore[arg-type]
    return out


def headline(entry: WarningRow) -> str:
    """新预警：<类型>, <金额>, <日期> (the amount left out when the list gives none)."""
    parts = [entry.kind, fmt.yuan(entry.amount), fmt.cn_date(entry.day)]
    return "新预警：" + ", ".join(p for p in parts if p)


def _origin(entry: WarningRow) -> str:
    return f"来源：{entry.department}，{entry.sheet} 第 {entry.row} 行"


def match(validated: ValidatedRegister, lists: WarningLists, outcome: RuleOutcome) -> WarningOutcome:
    """Every valid list row matched against the register's heads and members."""
    ctx = Context.build(validated, outcome.policy, outcome.as_of)
    people = _people(validated, ctx)
    places = _places(validated)
    h = ctx.h
    sheet = ctx.households.sheet
    roles = ctx.households.role("status")
    hits: list[WarningHit] = []
    findings: list[Finding] = []
    for entry in lists.valid_rows():
        found = people.get(entry.id_number)
        if found is not None:
            row, person = found.household_row, _who(validated, found)
            status, role = fmt.text(h.at[row, "status"]), roles.at[row]
            rule_id = "warning.cleared" if role in EXITED else "warning.monitored"
            if rule_id == "warning.cleared":
                since = fmt.cn_date(h.at[row, "cleared"]) if role == "cleared" else ""
                state = f"该户已{f'于{since}' if since else ''}标注“{status}”，返贫致贫风险可能再次出现"
            else:
                state = ("" if role == "monitoring" else f"该户监测状态为“{status}”" if status
                         else "该户监测状态未能识别")
            detail = "；".join(p for p in (person, state) if p)
            message = f"{headline(entry)}（{_origin(entry)}）：{detail}。"
            hit = WarningHit(entry, rule_id, row, str(ctx.household_id.at[row]), person, status,
                             ctx.township.at[row], ctx.village.at[row])
            findings.append(Finding(rule_id, rule(rule_id).severity, message, rule(rule_id).next_action,
                                    hit.household, hit.township, hit.village, sheet, row))
            hits.append(hit)
            continue
        given = (_fold(entry.township), _fold(entry.village))
        place = places.get(given) if given[0] is not None and given[1] is not None else None
        where = ""
        if place is None and (entry.township or entry.village):
            where = (f"名单上的乡镇、行政村「{entry.township or ''}」「{entry.village or ''}」在“行政村”表中找不到，"
                     "请县里查明所在村")
        elif place is None:
            where = "名单没有写乡镇和行政村，请县里查明所在村"
        spec = rule("warning.unmonitored")
        masked = fmt.mask_id(entry.id_number)
        message = (f"{headline(entry)}（{_origin(entry)}）：{entry.name}（身份证号 {masked}）不在名册的任何一户中"
                   + (f"；{where}" if where else "") + "。")
        hit = WarningHit(entry, "warning.unmonitored", township=place[0] if place else None,
                         village=place[1] if place else None)
        action = spec.next_action if place else COUNTY_ACTION
        findings.append(LeadFinding(spec.id, spec.severity, message, action, None, hit.township,
                                    hit.village, entry.sheet, entry.row, id_number=entry.id_number))
        hits.append(hit)
    return WarningOutcome(lists, tuple(hits), tuple(findings))


def _order(register_sheets: set[str]) -> Callable[[Finding], tuple[Any, ...]]:
    """The engine's order (township, village, row, rule; missing places first), list rows after register rows."""
    def key(f: Finding) -> tuple[Any, ...]:
        lead = f.sheet not in register_sheets
        return ((f.township is not None, f.township or ""), (f.village is not None, f.village or ""), lead,
                (f.sheet or "") if lead else "", -1 if f.row is None else f.row, f.rule)

    return key


def merge(validated: ValidatedRegister, outcome: RuleOutcome, matched: WarningOutcome) -> RuleOutcome:
    """The outcome with the warning findings added in the engine's order (existing findings keep theirs)."""
    sheets = {t.sheet for t in validated.tables.values()}
    findings = sorted((*outcome.findings, *matched.findings), key=_order(sheets))
    return dataclasses.replace(outcome, findings=tuple(findings), warnings=matched)


def with_warnings(validated: ValidatedRegister, outcome: RuleOutcome, directory: object,
                  today: date | None = None) -> RuleOutcome:
    """Read the lists in ``directory``, match them, and return the outcome with their findings (``warnings``
    holds the lists, their validation errors and the matches)."""
    lists = read_warning_lists(str(directory), today or outcome.as_of)
    return merge(validated, outcome, match(validated, lists, outcome))


def text_lines(validated: ValidatedRegister, matched: WarningOutcome) -> list[str]:
    """The lists' lines of ``tracker check``'s text report: what was read and matched, and the error count."""
    lists, counts = matched.lists, Counter(h.rule for h in matched.hits)
    county = sum(1 for h in matched.leads if h.village is None)
    lines = [f"预警名单：{lists.directory}，{len(lists.lists)} 份共 {lists.rows} 行；比对结果：在册户 "
             f"{counts['warning.monitored']} 条，已消除风险的户 {counts['warning.cleared']} 条，不在名册中的待走访线索 "
             f"{counts['warning.unmonitored']} 条（其中 {county} 条未能归属到村）。"]
    if lists.unreadable:
        lines.append(f"错误：有 {len(lists.unreadable)} 个预警名单文件读不出来，其中的预警没有参与比对：")
    lines.extend(file_lines(lists))
    if lists.errors:
        lines.append(f"预警名单中有 {len(lists.errors)} 处数据错误，有错误的行没有参与比对；请运行 tracker validate "
                     f"--source {validated.source} --warnings {lists.directory} 查看并改正。")
    return lines
