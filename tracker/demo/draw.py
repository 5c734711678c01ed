"""Cheap random draws for the demo generator: one element, an integer in a range (``random.choice`` and ``randint``
cost several times more, and the generator draws millions for the large benchmark sizes)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def one(rng: random.Random, values: Sequence[T]) -> T:
    """A random element, like ``choice`` but cheaper."""
    return values[int(rng.random() * len(values))]


def between(rng: random.Random, low: int, high: int) -> int:
    """A random integer in [low, high], like ``randint`` but cheaper."""
    return low + int(rng.random() * (high - low + 1))


# ------------------------------------------------------------------------------------------ public
