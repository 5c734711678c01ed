"""The policy rules of 豫脱贫组〔2020〕13号: a registry of rules, their evaluation, the policy
parameters, findings and the check report. ``RULES`` / ``rule(id)`` give each rule's text once (for the
checker and the site's guidance pages); ``evaluate(validated, policy, as_of)`` returns a
:class:`RuleOutcome` with the findings, the rules skipped for want of a county value, and the per-household
facts the pages render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.common.lazy import exported

#: public name -> the module of this package that holds it (a name equal to its module: the module)
_PUBLIC = {
    "Basis": "basis", "BASES": "basis", "basis": "basis", "Citation": "basis", "DOCUMENTS": "basis",
    "check_json": "report", "check_text": "report", "CHECKS": "engine", "CountyFacts": "facts", "CRITERIA": "facts",
    "DESCRIPTIONS": "policy", "evaluate": "engine", "exit_code": "report", "Finding": "findings", "HouseholdFact":
    "facts", "HouseholdFacts": "facts", "load_policy": "policy", "Policy": "policy", "ReliefFact": "facts", "rule":
    "registry", "RuleOutcome": "engine", "RULES": "registry", "RuleSpec": "registry", "SEVERITY_LABEL": "findings",
    "SEVERITY_ORDER": "findings", "Skipped": "engine", "STEPS": "facts", "WarningHit": "warnings", "WarningOutcome":
    "warnings", "whole_months": "facts", "with_warnings": "warnings"
}
__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = exported(__name__, _PUBLIC)

if TYPE_CHECKING:
    from .basis import BASES as BASES
    from .basis import DOCUMENTS as DOCUMENTS
    from .basis import Basis as Basis
    from .basis import Citation as Citation
    from .engine import CHECKS as CHECKS
    from .engine import RuleOutcome as RuleOutcome
    from .engine import Skipped as Skipped
    from .engine import evaluate as evaluate
    from .facts import (
        CRITERIA as CRITERIA,
    )
    from .facts import (
        STEPS as STEPS,
    )
    from .facts import (
        CountyFacts as CountyFacts,
    )
    from .facts import (
        HouseholdFact as HouseholdFact,
    )
    from .facts import (
        HouseholdFacts as HouseholdFacts,
    )
    from .facts import (
        ReliefFact as ReliefFact,
    )
    from .facts import (
        whole_months as whole_months,
    )
    from .findings import SEVERITY_LABEL as SEVERITY_LABEL
    from .findings import SEVERITY_ORDER as SEVERITY_ORDER
    from .findings import Finding as Finding
    from .policy import DESCRIPTIONS as DESCRIPTIONS
    from .policy import Policy as Policy
    from .policy import load_policy as load_policy
    from .registry import RULES as RULES
    from .registry import RuleSpec as RuleSpec
    from .registry import rule as rule
    from .report import check_json as check_json
    from .report import check_text as check_text
    from .report import exit_code as exit_code
    from .warnings import (
        WarningHit as WarningHit,
    )
    from .warnings import (
        WarningOutcome as WarningOutcome,
    )
    from .warnings import (
        with_warnings as with_warnings,
    )
