"""The policy rules of 豫脱贫组〔2020〕13号: a registry of rules, their evaluation, and the check report.

``RULES`` / ``rule(id)`` give each rule's text once (for the checker and the site's guidance pages);
``evaluate(validated, policy, as_of)`` returns a :class:`RuleOutcome` with the findings, the rules skipped
for want of a county value, and the per-household facts the pages render.
"""

from .engine import CHECKS, RuleOutcome, Skipped, evaluate
from .facts import CRITERIA, STEPS, CountyFacts, HouseholdFact, HouseholdFacts, ReliefFact, whole_months
from .registry import RULES, RuleSpec, rule

__all__ = [
    "CHECKS", "CRITERIA", "RULES", "STEPS", "CountyFacts", "HouseholdFact", "HouseholdFacts", "ReliefFact",
    "RuleOutcome", "RuleSpec", "Skipped", "evaluate", "rule", "whole_months",
]
