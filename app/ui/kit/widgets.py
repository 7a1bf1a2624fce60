"""Small building blocks the tabs share: hints, problem lists, banners, empty pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import _
from app.ui.kit import a11y

# A mark before a line of status text of each kind, so the kind is read without its colour.
KIND_MARKS = {"ok": "\u2714", "problem": "\u2716", "warn": "\u26a0"}
# The sign at the start of a banner of each kind, beside its colour.
BAR_MARKS = {"warning": "\u26a0", "info": "\u2139", "error": "\u2716"}
_MARKS = frozenset(KIND_MARKS.values()) | frozenset(BAR_MARKS.values())


def label(text: str = "", name: str = "", *, wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    widget.setWordWrap(wrap)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        widget.setObjectName(name)
    return widget


def hint(text: str = "") -> QLabel:
    """Grey explanatory text: what this part is for, or what to do first."""
    return label(text, "hint")


def section_title(text: str) -> QLabel:
    widget = QLabel(text)
    widget.setObjectName("sectionTitle")
    return widget


def primary(button: QPushButton) -> QPushButton:
    button.setObjectName("primary")
    return button


def busy_bar() -> QProgressBar:
    """An indeterminate bar: work is going on in the background."""
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setFixedSize(90, 10)
    bar.setVisible(False)
    a11y.name(bar, _("Working"))
    return bar


class StatusLine(QWidget):
    """A busy bar and one line of text whose kind (ok, warn, problem) sets its colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.busy = busy_bar()
        self.text = label()
        layout.addWidget(self.busy)
        layout.addWidget(self.text, 1)

    def show_busy(self, text: str) -> None:
        self.busy.setVisible(True)
        self._set(text, "hint")

    def show_text(self, text: str, kind: str = "hint") -> None:
        self.busy.setVisible(False)
        self._set(text, kind)

    def clear(self) -> None:
        self.busy.setVisible(False)
        self._set("", "hint")

    def _set(self, text: str, kind: str) -> None:
        mark = KIND_MARKS.get(kind)
        if text and mark and text[:1] not in _MARKS:
            text = f"{mark} {text}"
        self.text.setObjectName(kind)
        self.text.setText(text)
        self.text.style().unpolish(self.text)
        self.text.style().polish(self.text)


class ProblemList(QLabel):
    """Problems shown next to the control they concern; hidden when there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problem")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setVisible(False)
        self.problems: list[str] = []

    def set_problems(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        self.setText("\n".join(f"\u26a0 {p}" for p in self.problems))
        self.setVisible(bool(self.problems))


class MessageBar(QFrame):
    """A banner across the top of a page: a message and a few actions."""

    closed = Signal()

    def __init__(self, kind: str = "warning", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(12, 8, 8, 8)
        self._layout.setSpacing(8)
        # The kind in a sign as well as in colour; read out as the kind of message it is.
        self.sign = QLabel()
        self.sign.setObjectName("barSign")
        self.sign.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self.sign)
        self.text = label()
        self._layout.addWidget(self.text, 1)
        self._actions: list[QPushButton] = []
        close = QToolButton()
        close.setText("\u2715")
        close.setAutoRaise(True)
        close.setToolTip(_("Hide this message"))
        a11y.name(close, _("Hide this message"))
        close.clicked.connect(self.dismiss)
        self._close = close
        self._layout.addWidget(close)
        self.set_kind(kind)
        self.setVisible(False)

    def set_kind(self, kind: str) -> None:
        """Warning, info or error: the colour, the sign and what a screen reader calls it."""
        self.setProperty("kind", kind)
        self.sign.setText(BAR_MARKS.get(kind, BAR_MARKS["warning"]))
        names = {"info": _("Information"), "error": _("Error")}
        a11y.name(self.sign, names.get(kind, _("Warning")))
        self.setAccessibleName(names.get(kind, _("Warning")))
        self.style().unpolish(self)
        self.style().polish(self)

    def set_closable(self, closable: bool) -> None:
        self._close.setVisible(closable)

    def show_message(
        self, text: str, actions: Sequence[tuple[str, Callable[[], None]]] = ()
    ) -> None:
        self.text.setText(text)
        self.setAccessibleDescription(text)
        for button in self._actions:
            button.hide()
            self._layout.removeWidget(button)
            button.deleteLater()
        self._actions = []
        for caption, slot in actions:
            button = QPushButton(caption)
            button.clicked.connect(slot)
            self._layout.insertWidget(self._layout.count() - 1, button)
            self._actions.append(button)
        self.setVisible(True)

    def action(self, caption: str) -> QPushButton:
        for button in self._actions:
            if button.text() == caption:
                return button
        raise KeyError(caption)

    def dismiss(self) -> None:
        self.setVisible(False)
        self.closed.emit()


def empty_state(text: str) -> QLabel:
    """A centred message where a list or table would be: what to do to fill it."""
    widget = QLabel(text)
    widget.setObjectName("emptyState")
    widget.setWordWrap(True)
    widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return widget


class EmptyPage(QWidget):
    """What to do before a page makes sense, with a button that goes there."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.text = empty_state("")
        self.text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.button = QPushButton()
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addWidget(self.text)
        layout.addLayout(row)
        layout.addStretch(2)
        self._slot: Callable[[], None] | None = None
        self.button.clicked.connect(self._on_clicked)

    def show_hint(self, text: str, button: str, slot: Callable[[], None]) -> None:
        self.text.setText(text)
        self.button.setText(button)
        self._slot = slot

    def _on_clicked(self) -> None:
        if self._slot is not None:
            self._slot()
