"""Invented people and places of the demo county: township and village names, personal names, well-formed ID numbers
(real birth dates, GB 11643 check digit, unique) and phone numbers."""

from __future__ import annotations

import random
from datetime import date

from tracker.validate import id_check_digit

from .draw import between, one
from .tables import (
    AREA_CODE,
    BIRTH_REGIONS,
    FEMALE_CHARS,
    MALE_CHARS,
    SURNAME,
    TOWNSHIP_FIRST,
    TOWNSHIP_SECOND,
    VILLAGE_PLACE,
    VILLAGE_PREFIX,
    VILLAGE_SURNAMES,
)


def township_names(rng: random.Random, count: int) -> list[str]:
    first, second = TOWNSHIP_FIRST, TOWNSHIP_SECOND
    two = len(first) * len(second)

    def root(i: int) -> str:
        if i < two:
            return first[i // len(second)] + second[i % len(second)]
        i -= two
        return first[i // (len(first) * len(second))] + first[i // len(second) % len(first)] + second[i % len(second)]

    # two-character roots (李店, 石桥) while they last, like most real township names
    roots = [root(i) for i in rng.sample(range(two if count <= two else two * (1 + len(first))), count)]
    names = ["城关镇"]
    for i, name in enumerate(roots[1:], start=1):
        suffix = "街道" if i == 1 and count >= 4 else ("镇" if rng.random() < 0.65 else "乡")
        names.append(name + suffix)
    return names[:count]


def village_names(rng: random.Random, count: int) -> list[str]:
    base = len(VILLAGE_SURNAMES) * len(VILLAGE_PLACE)
    names = []
    for i in rng.sample(range(base * (1 + len(VILLAGE_PREFIX))), count):
        prefix = "" if i < base else VILLAGE_PREFIX[i // base - 1]
        i %= base
        names.append(f"{prefix}{VILLAGE_SURNAMES[i // len(VILLAGE_PLACE)]}{VILLAGE_PLACE[i % len(VILLAGE_PLACE)]}村")
    return names


def person(rng: random.Random, male_share: float) -> str:
    return full_name(rng, rng.random() < male_share)


def full_name(rng: random.Random, male: bool) -> str:
    chars = MALE_CHARS if male else FEMALE_CHARS
    given = one(rng, chars) + (one(rng, chars) if rng.random() < 0.7 else "")
    return SURNAME.pick(rng) + given


# ------------------------------------------------------------------------------------ households


def id_number(rng: random.Random, male: bool, mode_year: int, used: set[str]) -> str:
    low, high = date(1940, 1, 1).toordinal(), date(2000, 12, 31).toordinal()
    mode = date(mode_year, 7, 1).toordinal()
    region = one(rng, BIRTH_REGIONS)
    born = date.fromordinal(round(rng.triangular(low, high, mode)))
    while True:
        sequence = between(rng, 0, 999)
        if sequence % 2 != int(male):  # odd = male
            sequence ^= 1
        body = f"{region}{born.year:04d}{born.month:02d}{born.day:02d}{sequence:03d}"
        number = body + id_check_digit(body)
        if number not in used:
            used.add(number)
            return number


def phone(rng: random.Random) -> str | None:
    draw = rng.random()
    if draw < 0.75:
        return f"{one(rng, ('13', '15', '18'))}{between(rng, 0, 10**9 - 1):09d}"
    if draw < 0.9:
        return f"{AREA_CODE}-6{between(rng, 0, 10**7 - 1):07d}"
    return None
