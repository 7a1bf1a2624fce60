"""No text reaches the window without going through the catalog."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "app" / "ui"

# Qt classes whose first argument is shown to the user, and setters that show their argument.
SHOWN_BY_CONSTRUCTOR = {
    "QLabel", "QPushButton", "QToolButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction",
    "QListWidgetItem", "QMenu",
}  # fmt: skip
SHOWN_BY_SETTER = {
    "setText", "setToolTip", "setWindowTitle", "setPlaceholderText", "setStatusTip",
    "setWhatsThis", "setTitle", "setInformativeText", "setDetailedText", "setAccessibleName",
    "setAccessibleDescription", "setSuffix", "setPrefix", "addTab", "setTabText", "addItem",
    "showMessage", "addMenu", "information", "warning", "critical", "question", "section_title",
    "label", "hint", "show_text", "show_busy", "show_message", "confirm",
}  # fmt: skip
# Dialogs take a title and a message (and a button's words); the others show their first argument.
ALL_ARGUMENTS = {"information", "warning", "critical", "question", "confirm"}
LOGGERS = {"log", "logger", "logging"}
# Texts that are the same in every language: symbols, product names.
ALLOWED = {"", "×", "−", "+", "…", "\u2714", "Autopilot Segment Exporter", "Ortto", "Autopilot"}


def _literal(node: ast.expr) -> str | None:
    """The string a node is when it is a literal (or an f-string, or literals added up or
    %-formatted)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        left, right = _literal(node.left), _literal(node.right)
        if left is not None or right is not None:
            return (left or "") + (right or "")
    return None


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def unmarked(source: str, filename: str = "<code>") -> list[str]:
    """``file:line: text`` for every literal handed straight to a Qt text setter or constructor."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name not in SHOWN_BY_CONSTRUCTOR and name not in SHOWN_BY_SETTER:
            continue
        owner = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(owner, ast.Name) and owner.id in LOGGERS:
            continue  # the log is for diagnostics, in English
        for arg in node.args if name in ALL_ARGUMENTS else node.args[:1]:
            text = _literal(arg)
            if text is not None and text.strip() not in ALLOWED and any(c.isalpha() for c in text):
                found.append(f"{filename}:{node.lineno}: {text!r}")
    return found


def test_every_text_shown_in_the_window_is_marked_for_translation() -> None:
    found = []
    for path in sorted(UI.rglob("*.py")):
        found += unmarked(path.read_text(encoding="utf-8"), str(path.relative_to(UI)))
    assert found == []


def test_the_scan_finds_a_text_that_is_not_marked() -> None:
    code = """
button = QPushButton("&Save")
button.setToolTip("Saves it " + name)
box.setText(f"{n} members")
ok = QLabel(_("Name"))
"""
    assert [line.split(": ", 1)[1] for line in unmarked(code)] == [
        "'&Save'",
        "'Saves it '",
        "' members'",
    ]
