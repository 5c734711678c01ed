"""The demo register's deliberate errors: about 0.5 % of the households, at least one of each kind, spoiled on their
own random stream so that nothing else in the register changes (the kinds are listed in ``generator``)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from tracker.register import Cell

from .draw import between
from .tables import COUNTY_CODE, ERROR_KINDS, ERROR_SHARE


def inject_errors(
    rng: random.Random, sheets: dict[str, list[list[Cell]]], columns: dict[str, dict[str, str]]
) -> list[tuple[str, int, str]]:
    """Spoil a few rows in place, one kind after another; returns (tab key, row index, kind)."""
    households, measures = sheets["households"], sheets["measures"]
    if not households:
        return []
    total = max(len(ERROR_KINDS), round(len(households) * ERROR_SHARE))
    kinds = [ERROR_KINDS[i % len(ERROR_KINDS)] for i in range(total)]
    measure_kinds = [kind for kind in kinds if kind.startswith("measure_")]
    household_kinds = [kind for kind in kinds if not kind.startswith("measure_")]
    hh = {key: i for i, key in enumerate(columns["households"])}
    ms = {key: i for i, key in enumerate(columns["measures"])}

    injected: list[tuple[str, int, str]] = []
    targets = rng.sample(range(len(households)), min(len(household_kinds), len(households)))
    for row_index, kind in zip(targets, household_kinds, strict=False):
        row = households[row_index]
        if kind == "id_check_digit":
            number = str(row[hh["head_id_number"]])
            checks = "10X98765432"
            wrong = checks[(checks.index(number[-1]) + rng.randint(1, 10)) % 11]
            row[hh["head_id_number"]] = number[:-1] + wrong
        elif kind == "income_text":
            row[hh["income_per_capita"]] = "六千"
        elif kind == "labor_missing":
            row[hh["labor"]] = None
        elif kind == "unknown_risk":
            row[hh["risk_types"]] = f"{row[hh['risk_types']]}、因懒"
        elif kind == "zero_people":
            row[hh["people"]] = 0
        elif kind == "short_phone":
            row[hh["phone"]] = "1381234"
        injected.append(("households", row_index, kind))

    targets = rng.sample(range(len(measures)), min(len(measure_kinds), len(measures)))
    for n, (row_index, kind) in enumerate(zip(targets, measure_kinds, strict=False)):
        row = measures[row_index]
        if kind == "measure_end_before_start":
            start = row[ms["start"]]
            assert isinstance(start, date)
            row[ms["end"]] = start - timedelta(days=between(rng, 1, 60))
        else:  # numbers beyond the last household never exist
            row[ms["household_id"]] = f"{COUNTY_CODE}-{len(households) + 1 + n:06d}"
        injected.append(("measures", row_index, kind))
    return injected
