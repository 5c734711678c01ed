"""Shared helpers of the rule tests: evaluate a small in-memory register under a chosen policy."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date

from tests.builders import household, measure, register, village
from tracker.register.sheets import Cell
from tracker.rules import RuleOutcome, evaluate
from tracker.rules.findings import Finding
from tracker.rules.policy import Policy, load_policy
from tracker.validate.validator import ValidatedRegister, validate

AS_OF = date(2020, 6, 15)
#: County values set (except the registered population, so scale.share stays out of the way).
COUNTY = {"rural_dibao_annual": 4200, "urban_dibao_monthly": 700}


def policy(**overrides: object) -> Policy:
    return dataclasses.replace(load_policy(), **{**COUNTY, **overrides})


def validated(households: Iterable[Mapping[str, Cell]], measures: Iterable[Mapping[str, Cell]] | None = None,
              villages: Iterable[Mapping[str, Cell]] = ()) -> ValidatedRegister:
    """Without ``measures`` every household gets one active 产业帮扶 (the compliant default)."""
    households = list(households)
    if measures is None:
        measures = [measure(str(h["户编号"])) for h in households]
    return validate(register(villages=villages, households=households, measures=measures), today=AS_OF)


def run(households: Iterable[Mapping[str, Cell]], measures: Iterable[Mapping[str, Cell]] | None = None,
        villages: Iterable[Mapping[str, Cell]] = (), as_of: date = AS_OF, **policy_values: object) -> RuleOutcome:
    return evaluate(validated(households, measures, villages), policy(**policy_values), as_of)


def at(register: ValidatedRegister, as_of: date = AS_OF, **policy_values: object) -> RuleOutcome:
    """Evaluate an already validated register (validation is the slow part of a test)."""
    return evaluate(register, policy(**policy_values), as_of)


def hits(outcome: RuleOutcome, rule: str) -> list[Finding]:
    return [f for f in outcome.findings if f.rule == rule]


def flagged(outcome: RuleOutcome, rule: str) -> set[str | None]:
    return {f.household for f in hits(outcome, rule)}


def one(outcome: RuleOutcome, rule: str) -> Finding:
    found = hits(outcome, rule)
    assert len(found) == 1, [f.message for f in outcome.findings]
    return found[0]


__all__ = ["AS_OF", "COUNTY", "at", "flagged", "hits", "household", "measure", "one", "policy", "run", "validated",
           "village"]
