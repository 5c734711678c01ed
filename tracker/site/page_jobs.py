"""Render and encrypt the page bodies on every core (forked workers share the site model, nothing is copied in).

Each worker takes every n-th planned page, renders its body and encrypts it (:func:`tracker.protect.forms.protect`)
and sends back only the finished password forms; public pages come back rendered.  On one core, or where
``fork`` is unavailable, the same runs in this process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tracker.common import cores, paused_gc
from tracker.protect import KeyRing, protect

from .pages import Page
from .render import Planned, environment

#: What the forked workers read (set just before they are forked).
_JOB: tuple[Sequence[Planned], KeyRing] | None = None


def _work(part: tuple[int, int]) -> list[tuple[int, str]]:
    """(index, body) for public pages, (index, password form) for protected ones, of every ``step``-th page."""
    assert _JOB is not None
    plan, ring = _JOB
    start, step = part
    env = environment()
    out = []
    with paused_gc():  # many small acyclic strings and objects: the collector's scans would cost more than the work
        for i in range(start, len(plan), step):
            page, body = plan[i].page, plan[i].body(env)
            out.append((i, body if page.level is None else protect(ring, page, body)))
    return out


def rendered_and_encrypted(plan: Sequence[Planned], ring: KeyRing, workers: int | None = None,
                           ) -> tuple[list[Page], dict[str, str]]:
    """The pages (public ones with their bodies, protected ones without) and the protected pages' forms."""
    global _JOB
    workers = workers or cores.jobs()
    _JOB = (plan, ring)
    pool = cores.fork_pool(workers) if workers > 1 and len(plan) > 50 else None
    try:
        if pool is not None:
            with pool, cores.frozen_heap():  # the workers share the site model, never copying it
                parts = list(pool.map(_work, [(k, workers) for k in range(workers)]))
        else:
            parts = [_work((0, 1))]
    finally:
        _JOB = None
    pages = [p.page for p in plan]
    forms: dict[str, str] = {}
    for part in parts:
        for i, text in part:
            if pages[i].level is None:
                pages[i] = replace(pages[i], body=text)
            else:
                forms[pages[i].path] = text
    return pages, forms
