"""Rule rows of a segment: field, operator, value; added and removed freely."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import _, ngettext
from app.core.segments import Rule
from app.core.segments.values import MAX_DAYS, parse_days
from app.ui.kit import a11y
from app.ui.kit.layout import tab_chain

# The emptiness tests take no value (DESIGN.md, data rules).
VALUELESS_OPS = frozenset({"is-empty", "not-empty"})
# These take a number of days, typed in a number field.
DAY_OPS = frozenset({"within-days", "older-than-days"})
DEFAULT_DAYS = 30


def op_labels() -> dict[str, str]:
    """The operators in words; the value placeholder says what each one expects."""
    return {
        "eq": _("equals"),
        "ne": _("does not equal"),
        "contains": _("contains"),
        "not-contains": _("does not contain"),
        "starts-with": _("starts with"),
        "gt": _("is greater than"),
        "ge": _("is at least"),
        "lt": _("is less than"),
        "le": _("is at most"),
        "is-empty": _("is empty"),
        "not-empty": _("is not empty"),
        "in": _("is one of"),
        "within-days": _("is in the last \u2026 days"),
        "older-than-days": _("is more than \u2026 days ago"),
    }


def days_text(op: str, days: int) -> str:
    """A day rule as a sentence ends: "is in the last 90 days", "is more than 1 day ago"."""
    if op == "within-days":
        if days == 1:  # "in the last 1 day" reads oddly in English
            return _("is in the last day")
        return ngettext("is in the last {n} day", "is in the last {n} days", days).format(n=days)
    return ngettext("is more than {n} day ago", "is more than {n} days ago", days).format(n=days)


def _days_suffix(op: str, days: int) -> str:
    """What follows the number in the number field."""
    # Qt's way for a unit after a number: the suffix follows the number's plural form.
    if op == "within-days":
        return ngettext(" day", " days", days)
    return ngettext(" day ago", " days ago", days)


def _placeholder(op: str) -> str:
    if op == "in":
        return _("values separated by commas")
    if op in ("gt", "ge", "lt", "le"):
        return _("a number or a date (2026-01-31)")
    return _("value")


class RuleRow(QWidget):
    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, columns: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.field = QComboBox()
        self.field.setMinimumContentsLength(14)
        self.field.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.op = QComboBox()
        for code, text in op_labels().items():
            self.op.addItem(text, code)
        self.value = QLineEdit()
        self.value.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # Rules counted back from today take a number of days instead of a value.
        self.days = QSpinBox()
        self.days.setRange(0, MAX_DAYS)
        self.days.setValue(DEFAULT_DAYS)
        self.days.setAccelerated(True)
        self.days.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.days.hide()
        self.remove = QToolButton()
        self.remove.setText("\u2715")
        self.remove.setToolTip(_("Remove this rule"))
        self.remove.setAutoRaise(True)
        # A rule row shows no labels (it reads as a sentence): a screen reader gets them.
        for widget, text in (
            (self.field, _("Profile field of the rule")),
            (self.op, _("Condition of the rule")),
            (self.value, _("Value of the rule")),
            (self.days, _("Number of days")),
        ):
            layout.addWidget(a11y.hidden_label(widget, text))
        self.remove.setAccessibleName(_("Remove this rule"))
        layout.addWidget(self.field, 2)
        layout.addWidget(self.op, 1)
        layout.addWidget(self.value, 3)
        layout.addWidget(self.days, 3)
        layout.addWidget(self.remove)
        self.set_columns(columns)
        self.field.currentIndexChanged.connect(self.changed)
        self.op.currentIndexChanged.connect(self._on_op_changed)
        self.value.textChanged.connect(self.changed)
        self.days.valueChanged.connect(self._on_days_changed)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self._on_op_changed()

    def set_columns(self, columns: Sequence[str]) -> None:
        current = self.field.currentText()
        self.field.blockSignals(True)
        self.field.clear()
        self.field.addItems(list(columns))
        if current in columns:
            self.field.setCurrentText(current)
        self.field.blockSignals(False)

    def set_rule(self, rule: Rule) -> None:
        if self.field.findText(rule.field) < 0:
            self.field.addItem(rule.field)
        self.field.setCurrentText(rule.field)
        self.op.setCurrentIndex(max(0, self.op.findData(rule.op)))
        days = parse_days(rule.value) if rule.op in DAY_OPS else None
        if days is not None:
            self.days.setValue(days)
        else:
            self.value.setText(rule.value)

    def rule(self) -> Rule:
        op = str(self.op.currentData())
        if op in DAY_OPS:
            return Rule(self.field.currentText(), op, str(self.days.value()))
        value = "" if op in VALUELESS_OPS else self.value.text()
        return Rule(self.field.currentText(), op, value)

    def _on_op_changed(self, *args: object) -> None:
        op = str(self.op.currentData())
        counts_days = op in DAY_OPS
        needs_value = op not in VALUELESS_OPS
        self.value.setVisible(not counts_days)
        self.days.setVisible(counts_days)
        self.value.setEnabled(needs_value)
        self.value.setPlaceholderText(_placeholder(op) if needs_value else "")
        self._update_days_suffix()
        self.changed.emit()

    def _on_days_changed(self, *args: object) -> None:
        self._update_days_suffix()
        self.changed.emit()

    def _update_days_suffix(self) -> None:
        op = str(self.op.currentData())
        if op in DAY_OPS:
            self.days.setSuffix(_days_suffix(op, self.days.value()))


class RulesEditor(QWidget):
    """Any number of rule rows and an "Add rule" button."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self.rows: list[RuleRow] = []
        # The control Tab comes from into the first rule (the view sets it).
        self.tab_from: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setSpacing(6)
        layout.addLayout(self._rows_layout)
        self.add_button = QPushButton(_("+ Add &rule"))
        self.add_button.clicked.connect(self.add_rule)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        layout.addLayout(add_row)

    def set_columns(self, columns: Sequence[str]) -> None:
        self._columns = list(columns)
        for row in self.rows:
            row.set_columns(columns)
        self.add_button.setEnabled(bool(columns))

    def set_rules(self, rules: Sequence[Rule]) -> None:
        self.blockSignals(True)
        for row in list(self.rows):
            self._remove(row)
        for rule in rules:
            self.add_rule().set_rule(rule)
        self.blockSignals(False)
        self.changed.emit()

    def rules(self) -> tuple[Rule, ...]:
        return tuple(row.rule() for row in self.rows)

    def add_rule(self) -> RuleRow:
        row = RuleRow(self._columns)
        row.changed.connect(self.changed)
        row.remove_requested.connect(self._on_remove_requested)
        self._rows_layout.addWidget(row)
        previous = self.rows[-1].remove if self.rows else self.tab_from
        self.rows.append(row)
        tab_chain(previous, row.field, row.op, row.value, row.days, row.remove, self.add_button)
        row.field.setFocus()
        self.changed.emit()
        return row

    def _on_remove_requested(self, row: object) -> None:
        assert isinstance(row, RuleRow)
        self._remove(row)
        self.changed.emit()

    def _remove(self, row: RuleRow) -> None:
        self.rows.remove(row)
        row.hide()
        self._rows_layout.removeWidget(row)
        row.deleteLater()  # later: its own button may be what asked for the removal
