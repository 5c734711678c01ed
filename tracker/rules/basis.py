"""What each rule rests on: citations of the documents, clause by clause, with a verbatim phrase, and what is the
county's own setting or this system's suggestion rather than a document's requirement.

A citation names the document in full, the clause as the document numbers it, and a short phrase copied from that
clause (enough to find it, not the clause retyped); ``tests/test_citations.py`` checks every phrase against the texts
of the documents. A rule is an ``error`` (问题) only where a cited clause requires the thing; what the project adds
as good practice carries no citation and says so (``setting``), unless a county raises it in its policy file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

#: 郑州市脱贫攻坚领导小组《关于转发〈河南省脱贫攻坚领导小组关于建立防止返贫监测和帮扶机制的实施意见〉的通知》
ZHENG_2 = "郑脱贫组〔2020〕2号"
#: 河南省脱贫攻坚领导小组《关于建立防止返贫监测和帮扶机制的实施意见》(forwarded by 2号)
YU_13 = "豫脱贫组〔2020〕13号"
DOCUMENTS: dict[str, str] = {
    ZHENG_2: ("郑州市脱贫攻坚领导小组《关于转发〈河南省脱贫攻坚领导小组关于建立防止返贫监测和帮扶机制的实施意见〉"
              "的通知》"),
    YU_13: "河南省脱贫攻坚领导小组《关于建立防止返贫监测和帮扶机制的实施意见》",
}


@dataclass(frozen=True)
class Citation:
    document: str  # its number, e.g. 豫脱贫组〔2020〕13号 (a key of DOCUMENTS)
    clause: str  # as the document numbers it: 三、(三)2; 一 for a whole numbered part
    quote: str  # a few words copied verbatim from that clause

    def as_dict(self) -> dict[str, str]:
        return {"document": self.document, "clause": self.clause, "quote": self.quote}

    @property
    def text(self) -> str:
        return f"{self.document} {self.clause}「{self.quote}」"


@dataclass(frozen=True)
class Basis:
    citations: tuple[Citation, ...]
    setting: str = ""  # what rests on the county's policy file or this system's suggestion, in plain Chinese
    severity: str | None = None  # of a part of a rule (``id:part``) that is not the rule's own

    @cached_property
    def clause(self) -> str:
        """Document and clauses, short: 豫脱贫组〔2020〕13号 三、(二)；郑脱贫组〔2020〕2号 一."""
        by_document: dict[str, list[str]] = {}
        for c in self.citations:
            clauses = by_document.setdefault(c.document, [])
            if c.clause not in clauses:
                clauses.append(c.clause)
        return "；".join(f"{d} {'、'.join(cs)}" for d, cs in by_document.items()) or "无（本县设定或系统建议）"

    @cached_property
    def label(self) -> str:
        """One short phrase for a finding's line: 依据：<documents and clauses>, or whose setting it is."""
        if self.citations:
            return f"依据：{self.clause}"
        return "系统建议" if self.setting.startswith("本系统的建议") else "本县设定"

    def as_dicts(self) -> list[dict[str, Any]]:
        return [c.as_dict() for c in self.citations]


def _c(document: str, clause: str, quote: str) -> Citation:
    return Citation(document, clause, quote)


_WARNING_SOURCES = (
    _c(YU_13, "三、(三)", "通过农户申报、乡村干部走访排查、相关行业部门筛查预警等多种途径收集相关信息"),
    _c(YU_13, "六、(二)", "各级扶贫、卫生健康、应急管理、残联等相关部门要加强数据共享与比对分析"),
    _c(YU_13, "六、(二)", "及时通报支出骤增或收入骤减家庭的预警信息"),
)

#: rule id (or ``rule id:variant`` for findings of a rule that rest on something else) -> its basis
BASES: dict[str, Basis] = {
    "scope.no_basis": Basis((
        _c(YU_13, "三、(二)", "人均可支配收入低于国家扶贫标准 1.5 倍左右的家庭"),
        _c(YU_13, "三、(二)", "刚性支出明显超过上年度收入和收入大幅缩减的家庭"),
        _c(ZHENG_2, "一", "将人均可支配收入低于6000元（即低于2020年国家扶贫标准的1.5倍）的家庭"),
    ), ("“收入大幅缩减”的比例是本县设定（policy.yaml 的 income_drop_threshold，默认预计收入减少一半）："
        "文件没有给出比例。")),
    "scale.share": Basis((
        _c(YU_13, "三、(二)", "监测对象规模一般为建档立卡人口的 5% 左右，各地可根据经济社会发展情况适当掌握"),
    ), ("参考比例是本县设定（policy.yaml 的 scale_target）；偏离参考比例一半以上才提醒，是本系统的建议："
        "文件只说“5% 左右”。")),
    "procedure.pending": Basis((
        _c(YU_13, "三、(三)", "由县级扶贫部门确定监测对象，录入全国扶贫开发信息系统"),
    )),
    "procedure.overdue": Basis((
        _c(ZHENG_2, "二、(一)", "按照村级初选、乡镇审核、县级确定、信息录入的流程，重新履行程序"),
        _c(ZHENG_2, "二、(一)", "此项工作应于5月10日前完成"),
        _c(ZHENG_2, "二、(二)", "此项工作与集中整治同步进行，于5月10日前完成"),
        _c(YU_13, "五、(一)", "要在5月10日前完成集中整治"),
    )),
    "procedure.overdue:monthly": Basis((), (
        "集中整治期限以后发现的户，办理期限是本县设定（policy.yaml 的 monthly_deadline_months，默认在发现当月的"
        "次月月底前走完四步）：豫脱贫组〔2020〕13号 五、(一) 只要求“按月进行动态调整”，没有规定天数。"), "warning"),
    "procedure.order": Basis((
        _c(YU_13, "三、(三)1", "以村为单位提出监测对象初选名单"),
        _c(YU_13, "三、(三)2", "对审核后的监测对象建议名单，上报县级扶贫部门"),
        _c(YU_13, "三、(三)3", "对乡镇上报的监测对象建议名单进行核准"),
        _c(YU_13, "三、(三)4", "在县级扶贫部门指导下，乡村两级组织将监测对象信息录入全国扶贫开发信息系统"),
    )),
    "procedure.no_signoff": Basis((
        _c(YU_13, "三、(三)2", "谁核查、谁签字、谁负责"),
    )),
    "assist.none": Basis((
        _c(ZHENG_2, "二、(三)", "根据监测对象的家庭实际情况，采取有针对性的帮扶措施"),
        _c(YU_13, "五、(二)", "提前介入采取有针对性地帮扶措施，落实帮扶政策"),
    )),
    "assist.mismatch": Basis((
        _c(YU_13, "二", "对有劳动能力的监测对象，主要采取开发式帮扶措施"),
        _c(YU_13, "二", "对无劳动能力的监测对象，进一步强化综合性社会保障措施"),
    ), "按“措施类别”判断产业、就业帮扶和兜底保障，是本系统的做法。"),
    "dibao.gradual_exit": Basis((
        _c(YU_13, "四、(三)", "脱贫攻坚期内纳入农村低保的建档立卡贫困户人均收入超过当地低保标准且在当地低保1.5倍以内"),
        _c(YU_13, "四、(三)", "可给予12个月的渐退期"),
        _c(YU_13, "四、(三)", "边缘户纳入低保的，可给予6—12个月的渐退期"),
    )),
    "relief.approval_level": Basis((
        _c(YU_13, "四、(四)", "临时救助金额在当地当年城市月低保标准3倍以内的，县级民政部门可以委托乡镇（街道）审批"),
    )),
    "relief.emergency_minimum": Basis((
        _c(YU_13, "四、(四)", "对家庭成员在2人以上的监测对象，符合急难型临时救助条件的"),
        _c(YU_13, "四、(四)", "给予其家庭不低于当地当年城市月低保标准8倍的临时救助金额"),
    )),
    "edge.should_register": Basis((
        _c(ZHENG_2, "二、(三)", "对于无法利用现行政策化解致贫风险的，要及时按照标准和程序识别纳入建档立卡贫困户"),
        _c(YU_13, "五、(二)", "对边缘户中通过现行政策化解不了致贫风险的，要按照贫困户识别标准和程序及时识别纳入"),
    ), "国家扶贫标准 4000 元由 6000 元 ÷ 1.5 推得（郑脱贫组〔2020〕2号 一）；现行政策是否化解得了，要由人核实。"),
    "monitor.returned_to_poverty": Basis((
        _c(YU_13, "五、(二)", "对极少数因种种原因重新陷入贫困的要及时返贫并加强帮扶"),
    )),
    "monitor.no_responsible": Basis((), (
        "本系统的建议：文件没有要求每户登记一名帮扶责任人。县里要求的，可以在政策参数文件的 severity 中"
        "把它设为 error。")),
    "clear.premature": Basis((), (
        "本系统的建议：文件没有规定风险消除的标准；这里按“已不在监测范围内”（收入不低于监测标准、刚性支出不超过"
        "上年度收入）提醒核实。县里有自己的消除标准的，按本县标准办。")),
    "coverage.unscreened": Basis((
        _c(YU_13, "六、(二)", "乡村两级要定期开展走访摸排"),
        _c(YU_13, "六、(三)", "监测对象排查工作要全覆盖，不留死角、盲区"),
    ), "走访间隔是本县设定（policy.yaml 的 screening_interval_days，默认 31 天）：文件只要求“定期开展走访摸排”。"),
    "identify.late": Basis((), (
        "识别期限是本县设定（policy.yaml 的 identification_days，默认 15 天）：这是各地 2021 年以后实施办法的常见要求；"
        "项目里没有可以逐字核对的文件原文，按本县文件设定。")),
    "identify.notice_short": Basis((), (
        "公示天数是本县设定（policy.yaml 的 notice_days，默认 5 天）：各地实施办法的常见要求，按本县文件设定。")),
    "identify.order": Basis((), "本系统的建议：程序的先后是识别程序本身的要求，日期颠倒多半是录入错误。"),
    "clear.no_method": Basis((), "本系统的建议：全国系统标注风险消除时要选消除方式、填消除时间。"),
    "clear.assisted_below_line": Basis((), (
        "本系统的建议：多数地方的风险消除标准要求收入稳定超过当年监测标准；按本县的消除标准办。")),
    "assist.risk_unmatched": Basis((), "本系统的建议：按风险类型对照帮扶措施类别，是县里核查数据时常用的办法。"),
    "doubt.illness_no_cost": Basis((), "本系统的建议：县里人工核查的数据疑点。"),
    "doubt.labour_shortage": Basis((), "本系统的建议：县里人工核查的数据疑点。"),
    "warning.monitored": Basis(_WARNING_SOURCES),
    "warning.cleared": Basis(_WARNING_SOURCES),
    "warning.unmonitored": Basis(_WARNING_SOURCES),
}


def basis(rule_id: str, variant: str = "") -> Basis:
    """What a finding of ``rule_id`` rests on (``variant``: a part of the rule that rests on something else)."""
    return BASES[f"{rule_id}:{variant}" if variant else rule_id]
