"""Where the project's data files live: next to the package in a checkout, inside it in a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the tracker package


def resource(name: str) -> Path:
    """Path of a top-level project resource (``schemas``, ``site``, ``mkdocs.yml``)."""
    bundled = _PACKAGE / "_resources" / name
    if bundled.exists():
        return bundled
    return _PACKAGE.parent / name
