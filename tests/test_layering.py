"""The stage packages' public interfaces hold: what import-linter cannot see through the lazy ``__init__`` files.

import-linter (``lint-imports``, in the test command) checks the direction of every import between packages.
Because each package's ``__init__`` resolves its public names lazily, ``from tracker.register import open_source``
is, to import-linter, an import of ``tracker.register`` only: these tests resolve such names to the module that
holds them, and check that other packages import nothing but public names.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "tracker"
PACKAGES = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file())
#: modules that read a register's files or services: the site gets the validated register, never these
READERS = {"sources", "xlsx_read", "xlsx_openpyxl", "csv_read", "gsheet", "gsheet_api"}


def _public(package: str) -> dict[str, str]:
    return dict(importlib.import_module(f"tracker.{package}")._PUBLIC)  # type: ignore[attr-defined]


def _imports() -> list[tuple[str, str, str, list[str], int]]:
    """(importing package, module file, imported module, names, line) for every ``tracker.*`` import."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).parts
        package = rel[0] if len(rel) > 1 else ""
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tracker") \
                    and node.level == 0:
                found.append((package, "/".join(rel), node.module, [a.name for a in node.names], node.lineno))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("tracker"):
                        found.append((package, "/".join(rel), alias.name, [], node.lineno))
            elif isinstance(node, ast.ImportFrom) and node.level > 1:
                found.append((package, "/".join(rel), "." * node.level + (node.module or ""),
                              [a.name for a in node.names], node.lineno))
    return found


def test_every_stage_is_a_package_with_a_docstring_and_public_names() -> None:
    assert {"common", "register", "validate", "rules", "site", "protect", "pipeline", "nightly", "cli"} <= set(
        PACKAGES)
    for package in PACKAGES:
        module = importlib.import_module(f"tracker.{package}")
        assert module.__doc__ and len(module.__doc__.strip()) > 80, package
        for name, holder in _public(package).items():
            held = importlib.import_module(f"tracker.{package}.{holder}")
            assert name == holder or hasattr(held, name), f"tracker.{package}.{name} is not in {holder}"
            assert getattr(module, name) is (held if name == holder else getattr(held, name))


def test_other_packages_import_only_public_names() -> None:
    wrong = []
    for package, where, module, names, line in _imports():
        if module.startswith("."):
            wrong.append(f"{where}:{line} relative import out of its package ({module})")
            continue
        parts = module.split(".")
        if len(parts) < 2 or parts[1] == package or where == "__main__.py" or module == "tracker.common.lazy":
            continue
        if len(parts) > 2:
            wrong.append(f"{where}:{line} imports {module}, inside another package")
            continue
        public = _public(parts[1])
        wrong += [f"{where}:{line} imports {module}.{n}, not a public name" for n in names if n not in public]
    assert wrong == []


def test_the_site_reads_no_register_files() -> None:
    register = _public("register")
    wrong = [f"{where}:{line} {n} (register.{register[n]})"
             for package, where, module, names, line in _imports()
             if package == "site" and module == "tracker.register"
             for n in names if register.get(n) in READERS]
    assert wrong == []


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_stay_small(package: str) -> None:
    """A module a newcomer can read: under ~400 lines (the guide's bound, with a little slack for docstrings)."""
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (ROOT / package).glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 450} == {}
