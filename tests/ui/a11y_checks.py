"""What a screen reader and a keyboard user get from a window: names, and the Tab order."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

# Widgets whose accessible name Qt takes from their value, not from what they are for.
INPUTS = (QComboBox, QLineEdit, QAbstractSpinBox, QAbstractItemView, QPlainTextEdit)
# Two controls are on one row when their heights overlap by more than this (pixels).
ROW_TOLERANCE = 4


def focusable(root: QWidget) -> list[QWidget]:
    """The controls under ``root`` that Tab stops at now: shown, enabled, taking focus."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or not widget.isEnabled() or widget.focusProxy() is not None:
            continue
        if not widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value:
            continue
        if widget.width() == 0 or widget.height() == 0:
            continue
        found.append(widget)
    return found


def spoken_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def labelled(widget: QWidget) -> bool:
    """Whether a screen reader learns what the field is for: its accessible name (Windows and
    macOS read it) and, for a combo box, a label it knows (Linux reads a combo box's value as
    its name and its label through the label relation)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    labels = interface.relations(QAccessible.Relation.Label) if interface is not None else []
    if isinstance(widget, QComboBox):
        return bool(labels) and bool(widget.accessibleName())
    return bool(widget.accessibleName() or labels)


def describe(widget: QWidget) -> str:
    where = place(widget)
    return f"{type(widget).__name__} {spoken_name(widget)!r} at ({where.x()}, {where.y()})"


def unnamed(root: QWidget) -> list[str]:
    """Controls a screen reader cannot name: no name with a word in it (a "✕" is no name), or,
    for a field, a list or a combo box, a name that is only its value."""
    problems = []
    for widget in focusable(root):
        name = spoken_name(widget)
        if isinstance(widget, INPUTS) and not labelled(widget):
            problems.append(f"{describe(widget)}: no label a screen reader knows")
        elif not any(character.isalpha() for character in name):
            problems.append(f"{describe(widget)}: no name in words")
    return problems


def place(widget: QWidget) -> QRect:
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def must_precede(first: QWidget, second: QWidget) -> bool:
    """Whether reading order puts ``first`` before ``second``: on one row the left one first,
    in one column the upper one first; one inside the other, or apart in both ways, either."""
    a, b = place(first), place(second)
    if a.contains(b) or b.contains(a):
        return False
    rows = min(a.bottom(), b.bottom()) - max(a.top(), b.top())
    if rows > ROW_TOLERANCE:
        return a.center().x() < b.center().x() and a.right() <= b.left() + ROW_TOLERANCE
    columns = min(a.right(), b.right()) - max(a.left(), b.left())
    return columns > 0 and a.bottom() <= b.top() + ROW_TOLERANCE


def tab_walk(start: QWidget, within: QWidget, most: int = 80) -> list[QWidget]:
    """Press Tab from ``start`` until the focus leaves ``within`` or comes round; the controls
    it stopped at in ``within``, in order."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    reached = [start]
    for _ in range(most):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        current = QApplication.focusWidget()
        if current is None or current is start or not within.isAncestorOf(current):
            break
        reached.append(current)
    return reached


def order_problems(root: QWidget, first: QWidget | None = None) -> list[str]:
    """Tab from the first control of ``root`` reaches every control in reading order."""
    controls = focusable(root)
    if not controls:
        return []
    start = first or min(controls, key=lambda w: (place(w).top(), place(w).left()))
    reached = tab_walk(start, root)
    problems = [
        f"Tab never reaches {describe(w)}"
        for w in controls
        if w not in reached and not _other_option(w)
    ]
    problems += out_of_order(reached)
    return problems


def _other_option(widget: QWidget) -> bool:
    """An option not chosen: Tab stops at the chosen one of its group, arrows go to the others."""
    return isinstance(widget, QRadioButton) and not widget.isChecked()


def out_of_order(reached: Sequence[QWidget]) -> list[str]:
    problems = []
    for i, earlier in enumerate(reached):
        for later in reached[i + 1 :]:
            if must_precede(later, earlier):
                problems.append(f"Tab reaches {describe(earlier)} before {describe(later)}")
    return problems
