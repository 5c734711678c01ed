"""Read, validate and judge a register (``read_and_validate``, ``check``): what ``tracker validate`` and ``tracker
check`` run, kept apart from the site stages so that those commands load neither the site, the protection nor
the history packages (a clerk's ``tracker validate`` pays only for what it runs)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tracker.common import StageTimer
from tracker.register import RawRegister, county_contract, open_source
from tracker.rules import RuleOutcome, evaluate, load_policy
from tracker.validate import ValidatedRegister, today_in_china, validate


def read_and_validate(source: str, today: date | None = None, policy_file: str | None = None) -> ValidatedRegister:
    """Read and validate ``source``; the county's own header spellings come from ``policy_file`` (``aliases:``)."""
    contract = county_contract(policy_file)
    return validate(open_source(source).read(), contract, today=today)  # (no name kept: validation lets it go)


def check(source: str | RawRegister | ValidatedRegister, policy_file: str | None = None,
          as_of: date | None = None, timer: StageTimer | None = None, warnings: str | Path | None = None,
          ) -> tuple[ValidatedRegister, RuleOutcome]:
    """Read, validate and evaluate the policy rules as of a date (default: today in Asia/Shanghai).

    ``source`` may already be read (a RawRegister) or validated (as of the same date). ``warnings``: a folder
    of department warning lists to match (:mod:`tracker.rules.warnings`; ``outcome.warnings`` then holds them)."""
    timer = timer or StageTimer(quiet=True)
    policy = load_policy(Path(policy_file) if policy_file else None)
    as_of = as_of or today_in_china()
    if isinstance(source, ValidatedRegister):
        validated = source
    else:
        raw = [source] if isinstance(source, RawRegister) else []
        if not raw:
            with timer.stage("read"):
                raw.append(open_source(source).read())
        with timer.stage("validate"):  # handed over: validation lets the raw cells go (a million rows: some 200 MB)
            validated = validate(raw.pop(), county_contract(policy_file), today=as_of)
    with timer.stage("rules"):
        outcome = evaluate(validated, policy, as_of)
    if warnings is not None:
        from tracker.rules import with_warnings

        with timer.stage("warnings"):
            outcome = with_warnings(validated, outcome, warnings)
    return validated, outcome
