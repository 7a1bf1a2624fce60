"""The core's messages reach the window in its language: every error text goes through the catalog.

An error the core raises on purpose is shown to the window's user as it was written, so its text
must be a translated message (``_(...)``, ``ngettext(...)``), never a bare literal or f-string.
Errors that are bugs (``ValueError`` and the like, never shown but as "Copy details") are exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.i18n.test_marked import _literal, _name

CORE = Path(__file__).resolve().parents[2] / "app" / "core"

# Python's own errors: raised for bugs and caught inside the core, never a user's message.
PROGRAMMING_ERRORS = {
    "ValueError", "TypeError", "RuntimeError", "AssertionError", "KeyError", "IndexError",
    "NotImplementedError", "AttributeError", "LookupError", "OSError", "SystemExit",
}  # fmt: skip
# Texts that are the same in every language.
ALLOWED = {""}


def unmarked(source: str, filename: str = "<code>") -> list[str]:
    """``file:line: text`` for every error made with an untranslated text."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if not name or not name.endswith("Error") or name in PROGRAMMING_ERRORS:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords if k.arg == "message")]:
            text = _literal(arg)
            if text is not None and text.strip() not in ALLOWED and any(c.isalpha() for c in text):
                found.append(f"{filename}:{node.lineno}: {text[:70]!r}")
    return found


def _modules() -> list[Path]:
    return sorted(path for path in CORE.rglob("*.py") if "__pycache__" not in path.parts)


@pytest.mark.parametrize(
    "package", sorted({p.relative_to(CORE).parts[0] for p in _modules()}), ids=str
)
def test_every_error_the_core_raises_is_marked_for_translation(package: str) -> None:
    found = []
    for path in _modules():
        relative = path.relative_to(CORE)
        if relative.parts[0] == package:
            found += unmarked(path.read_text(encoding="utf-8"), str(relative))
    assert found == []


def test_the_scan_finds_an_error_that_is_not_marked() -> None:
    code = """
raise UsageError(f"No source named {name}")
raise InputFileError("Broken " + path)
error = NotFoundError(message="Gone")
raise UsageError(_("No source named {name}").format(name=name))
raise ValueError(f"bug: {x}")
"""
    assert [line.split(": ", 1)[1] for line in unmarked(code)] == [
        "'No source named '",
        "'Broken '",
        "'Gone'",
    ]
