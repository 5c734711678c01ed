"""Every rule of 豫脱贫组〔2020〕13号 (as 郑脱贫组〔2020〕2号 forwards it) exactly once: id, severity, title,
explanation, next action; what each rests on (citations, county settings) is in :mod:`.basis`.

This is the single source of rule text: the checker's output and the site's guidance pages both read it.
Findings may carry a more concrete message and next action (with the household's own values and dates),
but the title and explanation are never written anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .basis import Basis, basis
from .findings import Severity

Level = Literal["household", "measure", "village", "county"]


@dataclass(frozen=True)
class RuleSpec:
    id: str
    severity: Severity  # the severity of its findings (scale.share: "information" while within range)
    level: Level  # what a finding points at: a 监测户 row, a 帮扶措施 row, a 行政村 row, or the county
    title: str
    explanation: str
    next_action: str
    needs: tuple[str, ...] = ()  # policy keys it reads; the rule is skipped while one of them is unset...
    part_needs: tuple[str, ...] = ()  # ...except these (among ``needs``), whose absence only skips ``part``
    part: str = ""
    source: Literal["register", "warnings"] = "register"  # "warnings": judged only when department warning
    # lists are given (tracker.rules.warnings, not the engine's CHECKS)
    mechanisms: tuple[str, ...] = ("2020", "2021")  # the mechanisms whose rule it is (tracker.rules.policy)
    reads: tuple[str, ...] = ("status",)  # required columns it cannot judge without ("tab.key"; a bare key:
    # 监测户): while one is missing from the register the rule is not run, and check/nightly say so and exit 1

    @property
    def basis(self) -> Basis:
        """The documents it rests on, clause by clause, and what is the county's setting (:mod:`.basis`)."""
        return basis(self.id)

    @property
    def clause(self) -> str:
        """Document and clauses, short (豫脱贫组〔2020〕13号 三、(二)；郑脱贫组〔2020〕2号 一)."""
        return self.basis.clause

    @property
    def whole_needs(self) -> tuple[str, ...]:
        """The keys without which the rule does not run at all."""
        return tuple(k for k in self.needs if k not in self.part_needs)


RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        "scope.no_basis", "warning", "household", "监测中的户不符合任何纳入条件",
        "监测范围是：人均可支配收入低于监测标准（2020 年为国家扶贫标准的 1.5 倍左右，即 6000 元）的家庭，"
        "以及因病、因残、因灾、因新冠肺炎疫情影响等引发的刚性支出明显超过上年度收入和收入大幅缩减的家庭。"
        "监测中的户至少要符合其中一条。收入不低于监测标准、刚性支出不超过上年度家庭收入、本年预计收入也没有"
        "大幅缩减的户，要么信息填错了，要么已不属于监测范围。三项都能从有效数据判断时才给出这条提醒。",
        "请入户核实收入和支出：信息有误的改正名册；确实已不符合监测范围的，按程序标注风险消除。",
        needs=("monitoring_line", "income_drop_threshold"),
        reads=("status", "income_per_capita")
    ),
    RuleSpec(
        "scale.share", "warning", "county", "监测规模占建档立卡人口的比例",
        "监测对象规模一般为建档立卡人口的 5% 左右，各地可根据经济社会发展情况适当掌握。"
        "这里把监测中各户的家庭人口数加总，除以本县建档立卡人口数，每次都列出这个比例；与参考比例相差超过参考比例的一半时"
        "（参考比例 5% 时，即低于 2.5% 或高于 7.5%）作为提醒。",
        "比例明显偏低的，请组织乡村两级再次走访摸排，防止漏评漏纳；明显偏高的，请核实是否有不符合监测范围的户。",
        needs=("registered_population", "scale_target"),
        reads=("status", "people"),
        mechanisms=("2020",)
    ),
    RuleSpec(
        "procedure.pending", "information", "household", "监测程序尚未走完（未到期限）",
        "监测对象要经过村级初选（民主评议）、乡镇审核、县级确定、信息录入四步。还缺步骤、但没有超过期限的户"
        "列为提示，方便提前安排；期限的算法见“监测程序超期未完成”。",
        "请按村级评议、乡镇审核、县级确定、系统录入的顺序，在期限前办完剩下的步骤。",
        needs=("rectification_deadline",),
        mechanisms=("2020",)
    ),
    RuleSpec(
        "procedure.overdue", "error", "household", "监测程序超期未完成",
        "集中整治期限（2020 年为 5 月 10 日）以前的户要在期限前走完四步：2019 年底前已纳入监测的户（首次纳入监测日期"
        "早于集中整治当年 1 月 1 日）要重新履行四步程序，当年 1 月 1 日以前的步骤日期不算重新履行；期限前申报或发现的"
        "户（目前符合条件的监测对象）也要在期限前按程序纳入、录入系统。过了期限仍缺步骤的，列为问题。期限以后新发现的户"
        "按月动态调整，办理期限是本县设定（默认在发现当月的次月月底前走完四步），超过的列为提醒。",
        "请尽快补办缺少的步骤，县级确定后及时录入全国扶贫开发信息系统。",
        needs=("rectification_deadline",),
        mechanisms=("2020",)
    ),
    RuleSpec(
        "procedure.order", "error", "household", "程序日期先后颠倒",
        "四步程序要依次进行：村级评议日期 ≤ 乡镇审核日期 ≤ 县级确定日期 ≤ 系统录入日期，而且都不能早于农户申报"
        "或发现日期。已填写的日期先后颠倒，多半是录入错误，也可能是程序没有按顺序履行。",
        "请对照评议记录、审核签字表和县级确定通知核对日期：录入错误的改正；程序确实颠倒的，按顺序重新履行。",
        reads=(),
        mechanisms=("2020",)
    ),
    RuleSpec(
        "procedure.no_signoff", "error", "household", "乡镇审核没有签字人",
        "乡镇审核实行“谁核查、谁签字、谁负责”。填写了乡镇审核日期的户，必须写明乡镇审核人。",
        "请补填乡镇审核人姓名，并确认审核材料上有本人签字。",
        reads=(),
        mechanisms=("2020",)
    ),
    RuleSpec(
        "assist.none", "error", "household", "监测中的户没有正在实施的帮扶措施",
        "对监测对象要根据家庭实际情况，采取有针对性的帮扶措施。监测中的户在判断日应至少有一项正在实施的帮扶"
        "措施：开始日期不晚于判断日，并且没有结束日期或结束日期不早于判断日。",
        "请帮扶责任人入户了解情况，制定并落实帮扶措施，并在“帮扶措施”表中登记。",
        reads=("status", "measures.start")
    ),
    RuleSpec(
        "assist.mismatch", "warning", "household", "帮扶措施与劳动能力不匹配",
        "坚持开发式帮扶与保障性措施相结合：有劳动能力的监测对象主要靠发展产业、转移就业增收；无劳动能力的，"
        "强化低保、医疗、养老保险和特困供养等综合保障。有劳动能力的户应有正在实施的产业帮扶或就业帮扶，"
        "无劳动能力的户应有正在实施的兜底保障，弱劳动能力的户两类都可以。",
        "有劳动能力的，请增加产业帮扶或就业帮扶；无劳动能力的，请落实低保、特困供养等兜底保障。",
        reads=("status", "labor", "measures.kind")
    ),
    RuleSpec(
        "dibao.gradual_exit", "warning", "household", "低保渐退期",
        "实行低保“渐退期”：脱贫攻坚期内纳入农村低保的建档立卡贫困户，人均收入超过当地低保标准、但在其 1.5 倍以内"
        "的，可给予 12 个月的渐退期（请核实纳入低保的时间）；边缘户纳入低保的，可给予 6—12 个月的渐退期。"
        "享受低保、收入在这一区间却没有登记"
        "渐退期的，或者登记的渐退期长度不符的，列为提醒。渐退期按整月计算，起止两天都算在内，例如"
        " 2020年1月1日至2020年12月31日为 12 个月，不足一个月的零头不计。",
        "请与民政部门核实：符合条件的办理低保渐退并登记起止日期；渐退期长度不符的，按规定调整。",
        needs=("rural_dibao_annual",), part_needs=("rural_dibao_annual",),
        part="“收入在低保标准与其 1.5 倍之间须登记渐退期”这一项",
        reads=("category", "income_per_capita"),
        mechanisms=("2020",)
    ),
    RuleSpec(
        "relief.approval_level", "error", "measure", "临时救助超出乡镇审批权限",
        "临时救助金额在当地当年城市月低保标准 3 倍以内的，县级民政部门可以委托乡镇（街道）审批；"
        "超过 3 倍的，应由县级审批。",
        "请报县级民政部门审批（或补办县级审批手续），并把审批层级改为“县级”。",
        needs=("urban_dibao_monthly",),
        reads=("measures.kind",),
        mechanisms=("2020",)
    ),
    RuleSpec(
        "relief.emergency_minimum", "error", "measure", "急难型临时救助金额低于下限",
        "家庭成员 2 人以上的监测对象（监测中或已返贫的户），符合急难型临时救助条件的，"
        "给予其家庭的临时救助金额不低于当地当年城市月低保标准的 8 倍；特别重大的急难型救助可以“一事一议”。",
        "请按不低于城市月低保标准 8 倍的金额补足救助。",
        needs=("urban_dibao_monthly",),
        reads=("status", "people", "measures.kind"),
        mechanisms=("2020",)
    ),
    RuleSpec(
        "edge.should_register", "warning", "household", "边缘户收入低于扶贫标准，应识别纳入建档立卡",
        "边缘户不是贫困户，要尽量用现行政策化解致贫风险；收入已低于当年国家扶贫标准、现行政策化解不了的，"
        "要按照贫困户识别标准和程序及时识别纳入建档立卡贫困户，加大帮扶，确保年底达到脱贫标准。",
        "请核实收入；确实低于扶贫标准、现行政策化解不了的，按贫困户识别程序纳入建档立卡，"
        "并把监测状态改为“已纳入建档立卡”。",
        needs=("poverty_line",),
        reads=("status", "category", "income_per_capita"),
        mechanisms=("2020",)
    ),
    RuleSpec(
        "monitor.returned_to_poverty", "error", "household", "脱贫监测户收入低于扶贫标准，应标注返贫",
        "对脱贫监测户中极少数因种种原因重新陷入贫困的，要及时返贫（标注返贫）并加强帮扶，确保年底达到脱贫标准。",
        "请核实收入；确实低于扶贫标准的，按程序标注返贫（监测状态改为“返贫”），并加大帮扶力度。",
        needs=("poverty_line",),
        reads=("status", "category", "income_per_capita"),
        mechanisms=("2020",)
    ),
    RuleSpec(
        "monitor.no_responsible", "warning", "household", "监测中的户没有帮扶责任人",
        "名册的“帮扶责任人”一列便于落实帮扶、找得到人。文件没有要求每户登记一名帮扶责任人，这是本系统的建议，"
        "列为提醒；县里要求的，可以在政策参数文件中把它设为问题。",
        "请落实帮扶责任人，并在名册中填写其姓名。",
    ),
    RuleSpec(
        "clear.premature", "warning", "household", "风险消除依据不足",
        "标注“风险已消除”的户，宜写明风险消除日期，而且应当已不在监测范围内：人均可支配收入不低于监测标准，"
        "刚性支出不超过上年度家庭收入。文件没有规定风险消除的标准，这是本系统的建议，列为提醒，请核实。",
        "请补填风险消除日期；收入仍低于监测标准或支出仍超过收入的，请把监测状态改回“监测中”并继续帮扶。",
        needs=("monitoring_line",),
        reads=("status", "income_per_capita"),
        mechanisms=("2020",)
    ),
    RuleSpec(
        "coverage.unscreened", "warning", "village", "行政村超过期限未走访排查",
        "乡村两级要定期开展走访摸排，排查要全覆盖，不留死角、盲区。每个行政村最近一次排查日期距判断日不超过"
        "本县设定的天数（默认 31 天，与按月动态调整相一致；文件没有规定天数）；没有填写排查日期的也列出来。",
        "请组织本村走访摸排，并在“行政村”表中填写最近排查日期。",
        needs=("screening_interval_days",),
        reads=()
    ),
    # ------------------------------------------------------------- the 2021+ mechanism (policy.mechanism: 2021)
    RuleSpec(
        "identify.late", "warning", "household", "识别超过期限",
        "2021 年以后，从农户申请（或干部走访、部门预警发现）到县级审定，要在本县设定的天数内完成（默认 15 天，各地"
        "实施办法的常见要求）。已经审定但用时超过的，或到判断日仍未审定而已超过期限的，列为提醒。",
        "请尽快完成入户核查、民主评议、村内公示、乡镇审核和县级审定。",
        mechanisms=("2021",),
    ),
    RuleSpec(
        "identify.notice_short", "warning", "household", "村内公示天数不足",
        "民主评议后的村内公示至少要公示本县设定的天数（默认 5 天，起止两天都算在内；公示名单不写身份证号和电话）。",
        "请按规定天数重新公示，或核对公示起止日期是否填错。",
        mechanisms=("2021",), reads=(),
    ),
    RuleSpec(
        "identify.order", "warning", "household", "识别程序日期先后颠倒",
        "农户申请、入户核查、民主评议、村内公示、乡镇审核、县级审定、系统录入标注要依次进行；名册里填了的日期"
        "先后颠倒，多半是录入错误，也可能是程序没有按顺序履行。",
        "请对照申请书、核查记录、评议记录、公示照片和审核审定材料核对日期，录入错误的改正。",
        mechanisms=("2021",), reads=(),
    ),
    RuleSpec(
        "clear.no_method", "warning", "household", "风险消除信息不全",
        "标注风险已消除的户，要写明风险消除方式（帮扶消除或自然消除）和风险消除日期，消除日期不能早于县级审定"
        "（识别）日期。",
        "请补填风险消除方式和日期；日期早于识别日期的，核对后改正。",
        mechanisms=("2021",), reads=("status",),
    ),
    RuleSpec(
        "clear.assisted_below_line", "warning", "household", "帮扶消除的户收入仍低于监测标准",
        "以“帮扶消除”标注风险已消除的户，收入应当已稳定在当年的监测标准以上；收入仍低于当年监测标准的，风险并没有"
        "通过帮扶消除。",
        "请入户核实收入：确实仍低于监测标准的，把风险改回未消除（监测中），继续帮扶。",
        needs=("monitoring_line",), mechanisms=("2021",), reads=("status", "income_per_capita"),
    ),
    RuleSpec(
        "assist.risk_unmatched", "warning", "household", "帮扶措施没有对上主要风险",
        "监测对象的帮扶措施要针对它的风险：因安全饮水的要有饮水安全保障，因安全住房的要有住房安全保障（或搬迁），"
        "因学的要有教育帮扶，因病的要有健康帮扶或综合保障。",
        "请针对本户的主要风险落实相应的帮扶措施，并在“帮扶措施”表中登记。",
        mechanisms=("2021",), reads=("status", "risk_types", "measures.kind"),
    ),
    RuleSpec(
        "doubt.illness_no_cost", "information", "household", "疑点：因病但合规自付医疗费用为 0",
        "主要风险类型为“因病”，合规自付医疗费用却是 0：县里人工核查数据时常见的疑点，可能是费用漏填，也可能风险类型"
        "填得不准。",
        "请核实本户的医疗费用和风险类型，改正名册。",
        mechanisms=("2021",), reads=("risk_types",),
    ),
    RuleSpec(
        "doubt.labour_shortage", "information", "household", "疑点：缺劳动力但成员都有劳动能力",
        "主要风险类型为“缺劳动力”，但“家庭成员”表里登记的成员都是普通劳动力或技能劳动力：县里人工核查数据时常见的"
        "疑点。",
        "请核实本户成员的劳动能力和风险类型，改正名册。",
        mechanisms=("2021",), reads=("risk_types",),
    ),
    RuleSpec(
        "warning.monitored", "warning", "household", "在册户成员出现在行业部门预警名单上",
        "通过农户申报、乡村干部走访排查、相关行业部门筛查预警等多种途径收集信息；各级扶贫、卫生健康、应急管理、"
        "残联等相关部门要加强数据共享与比对分析，及时通报支出骤增或收入骤减家庭的预警信息。部门报来的预警"
        "名单按身份证号与名册中的户主和家庭成员比对：名单上的人属于正在监测（或已返贫、已纳入建档立卡）的户时，"
        "把预警类型、金额和日期列在这一户下面，说明这一户的情况可能有了新变化。",
        "请帮扶责任人尽快入户核实预警情况，重新评估返贫致贫风险，更新名册中的收入、支出和风险类型，"
        "并据此调整帮扶措施。",
        source="warnings",
    ),
    RuleSpec(
        "warning.cleared", "warning", "household", "已消除风险的户出现新预警",
        "名单上的人属于已标注“风险已消除”（或“自然减少”）的户：这一户的返贫致贫风险可能再次出现。"
        "风险消除不等于不再关注，部门预警是重新发现风险的重要途径。",
        "请入户核实：风险确实再次出现的，把监测状态改回“监测中”，按村级评议、乡镇审核、县级确定、系统录入的"
        "程序重新纳入监测，并落实帮扶措施。",
        source="warnings",
    ),
    RuleSpec(
        "warning.unmonitored", "warning", "village", "预警名单上的人不在名册中（待走访线索）",
        "名单上的人既不是名册中任何一户的户主，也不是登记的家庭成员：这是一条需要走访核实的线索，防止漏评漏纳。"
        "名单写明了乡镇和行政村、并且在“行政村”表中找得到的，线索交给该村（列在村页面上）；否则列在县级的"
        "“预警线索”页面上，由县里查明所在村。页面上身份证号只显示前 4 位和后 4 位。",
        "请所在村尽快入户走访核实：符合监测范围的，按程序纳入监测（农户申报或发现日期填预警日期）；"
        "不符合的，在走访记录中写明核实情况。",
        source="warnings",
    ),
)

_BY_ID = {spec.id: spec for spec in RULES}


def rule(rule_id: str) -> RuleSpec:
    """The spec of one rule by its id (KeyError for an unknown id)."""
    return _BY_ID[rule_id]
