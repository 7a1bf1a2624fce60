"""What a screen reader reads: names for controls whose label is not beside them, and
announcements of what changed where the user is not looking (a run's progress, its end).

Qt names a button by its text and a field by nothing; a combo box by its current value. A name
set here is what the screen reader says instead, so it is marked for translation like any text.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent
from PySide6.QtWidgets import QLabel, QWidget


def name(widget: QWidget, text: str, description: str = "") -> QWidget:
    """Give ``widget`` the name (and, where the name is not enough, the description) that a
    screen reader reads for it."""
    widget.setAccessibleName(text)
    if description:
        widget.setAccessibleDescription(description)
    return widget


def hidden_label(widget: QWidget, text: str) -> QLabel:
    """A label for ``widget`` that is read, not shown: for a control whose visible label is a
    column header or the option before it. Name the widget too (Windows and macOS read the
    name); Linux screen readers name a combo box by its value and learn what it is for only
    from a label whose buddy it is, beside it under the same parent. Add the label to the
    widget's layout; it stays hidden."""
    caption = QLabel(text)
    caption.setBuddy(widget)
    caption.setVisible(False)
    widget.setAccessibleName(text)
    return caption


def _send(event: QAccessibleEvent) -> None:
    QAccessible.updateAccessibility(event)


# Replaced by tests to see what was announced; everything else calls announce().
send: Callable[[QAccessibleEvent], None] = _send


def describe(widget: QWidget, text: str) -> None:
    """Change what ``widget`` says it shows now, and tell the screen reader it changed."""
    if widget.accessibleDescription() == text:
        return
    widget.setAccessibleDescription(text)
    send(QAccessibleEvent(widget, QAccessible.Event.DescriptionChanged))


def announce(widget: QWidget, text: str, *, urgent: bool = False) -> None:
    """Ask the screen reader to say ``text`` now (after what it is saying, unless urgent)."""
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive
        if urgent
        else QAccessible.AnnouncementPoliteness.Polite
    )
    send(event)
