"""Public names of a package, imported on first use: a package's ``__init__`` lists what other stages may import
without importing every module of the package up front (a command loads only the modules it runs)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def exported(package: str, public: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a package whose ``public`` maps each name to the module holding it
    (a name equal to its module names the module itself)."""

    def getattr_(name: str) -> Any:
        module = public.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no public name {name!r}")
        loaded = import_module(f"{package}.{module}")
        return loaded if name == module else getattr(loaded, name)

    def dir_() -> list[str]:
        return sorted(public)

    return getattr_, dir_
