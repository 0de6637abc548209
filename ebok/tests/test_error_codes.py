"""One error vocabulary: every error code raised by application code is a member of its app's
enum (``<app>/errors.py``) or of the core's (``core.errors.CoreErrorCode``), never a string
typed where the error is raised, so the codes API.md promises are listed in one place each."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "core",
    "tenants",
    "notifications",
    "identity",
    "billing",
    "metering",
    "correspondence",
    "payments",
)
PACKAGES += ("demo", "ebok")


def literal_codes(source: str) -> list[tuple[int, str]]:
    """(line, code) of every error code written as a string literal in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg == "code" and _is_text(keyword.value):
                found.append((node.lineno, keyword.value.value))
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name == "RowError" and len(node.args) > 1 and _is_text(node.args[1]):
            found.append((node.lineno, node.args[1].value))
        if name == "error" and isinstance(node.func, ast.Attribute):
            position = 2 if len(node.args) >= 4 else 1  # result.error(row, field, code, detail)
            if len(node.args) > position and _is_text(node.args[position]):
                found.append((node.lineno, node.args[position].value))
    return found


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def test_no_error_code_is_a_string_literal():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            found += [
                f"{path.relative_to(ROOT)}:{line} {code!r}"
                for line, code in literal_codes(path.read_text(encoding="utf-8"))
            ]
    assert found == [], "error codes typed as strings (use the app's enum):\n" + "\n".join(found)


def test_the_check_sees_a_literal_code():
    source = (
        "raise ApplicationError('x', code='not_found')\n"
        "raise RowError(None, 'too_long', 'x')\n"
        "result.error(1, 'email', 'invalid_email', 'x')\n"
        "checked.error('email', 'mismatch', 'x')\n"
        "raise ApplicationError('x', code=CoreErrorCode.NOT_FOUND)\n"
    )
    assert [code for _line, code in literal_codes(source)] == [
        "not_found",
        "too_long",
        "invalid_email",
        "mismatch",
    ]
