"""The packages depend on each other downwards only, in one order (docs/architecture.md):

    ebok (the project) → demo → metering, correspondence, payments → billing → notifications
    → identity → tenants → core

A package may import packages below it, never one above it and never a sibling (no cycle can
form). Tests, migrations and the benchmark harness are left out: they stand outside the order.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("tenants",),
    ("identity",),
    ("notifications",),
    ("billing",),
    ("metering", "correspondence", "payments"),
    ("demo",),
    ("ebok",),
)
RANK = {package: level for level, packages in enumerate(LAYERS) for package in packages}


def imported_packages(source: str) -> list[tuple[str, int]]:
    """Every project package ``source`` imports (at the top or inside a function), with the
    line: absolute imports only (relative ones stay in their package)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module.split(".")[0], node.lineno))
    return [(package, line) for package, line in found if package in RANK]


def violations(package: str, source: str) -> list[str]:
    """The imports of a module of ``package`` that point up or sideways."""
    return [
        f"{package} imports {other} (line {line})"
        for other, line in imported_packages(source)
        if other != package and RANK[other] >= RANK[package]
    ]


def project_modules():
    for package in RANK:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield package, path


def test_every_import_points_down():
    found = [
        f"{path.relative_to(ROOT)}: {problem}"
        for package, path in project_modules()
        for problem in violations(package, path.read_text(encoding="utf-8"))
    ]
    assert found == [], "imports against the layering:\n" + "\n".join(found)


def test_the_check_fails_on_an_offending_module():
    """A module of the core that imports billing, or billing that imports the project, or two
    siblings importing each other, is caught (so the check above can fail)."""
    assert violations("core", "from billing.models import Invoice\n") == [
        "core imports billing (line 1)"
    ]
    assert violations("billing", "def f():\n    import ebok.views\n") == [
        "billing imports ebok (line 2)"
    ]
    assert violations("metering", "import payments.services\n") == [
        "metering imports payments (line 1)"
    ]
    assert violations("billing", "from identity import services\nfrom core import errors\n") == []
