"""Which profile column fills which contact field of the export's destination.

Email is always there (required); FirstName and LastName are offered by default; "Add field"
adds any other standard field of the destination (named as its vocabulary names them), a typed
custom field, or the opt-out column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.connections import DEFAULT_SERVICE
from app.core.destinations import Destination, FieldVocabulary, destination_for
from app.core.i18n import _
from app.core.mapping import (
    CONSENT_TARGET,
    EMAIL_TARGET,
    FieldMapping,
    Mapping,
)
from app.ui.kit.destination_words import field_label
from app.ui.kit.layout import tab_chain

DEFAULT_TARGETS = (EMAIL_TARGET, "FirstName", "LastName")


def target_label(target: str, vocabulary: FieldVocabulary) -> str:
    """A row's caption in the mapping."""
    if target == EMAIL_TARGET:
        return _("Email (required)")
    if target == CONSENT_TARGET:
        return _("Opted out (unsubscribes)")
    return field_label(target, vocabulary)


class _Row:
    def __init__(
        self, target: str, caption: str, columns: Sequence[str], on_change: Callable[[], None]
    ):
        self.target = target
        self.label = QLabel(caption)
        self.column = QComboBox()
        self.column.setMinimumContentsLength(16)
        self.column.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.label.setBuddy(self.column)
        self.remove = QToolButton()
        self.remove.setText("\u2715")
        self.remove.setAutoRaise(True)
        self.remove.setToolTip(_("Do not send this field"))
        self.set_caption(caption)
        if target == EMAIL_TARGET:  # required: nothing to remove, but keep the column aligned
            policy = self.remove.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            self.remove.setSizePolicy(policy)
            self.remove.setVisible(False)
        self.set_columns(columns)
        self.column.currentIndexChanged.connect(lambda *_: on_change())

    def set_caption(self, caption: str) -> None:
        """The field's name beside its column, and for a screen reader on both controls."""
        self.label.setText(caption)
        self.column.setAccessibleName(_("Profile column for {field}").format(field=caption))
        self.remove.setAccessibleName(_("Do not send {field}").format(field=caption))

    def set_columns(self, columns: Sequence[str]) -> None:
        current = self.selected()
        self.column.blockSignals(True)
        self.column.clear()
        self.column.addItem(_("\u2014 not sent \u2014"), "")
        for name in columns:
            self.column.addItem(name, name)
        self.select(current)
        self.column.blockSignals(False)

    def select(self, column: str) -> None:
        index = self.column.findData(column)
        if index < 0 and column:
            self.column.addItem(column, column)  # a saved column the source no longer has
            index = self.column.count() - 1
        self.column.setCurrentIndex(max(0, index))

    def selected(self) -> str:
        return str(self.column.currentData() or "")


class FieldMappingEditor(QWidget):
    changed = Signal()
    custom_field_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self._rows: list[_Row] = []
        self.user_edited = False
        # The control Tab comes from into the first field (the view sets it).
        self.tab_from: QWidget | None = None
        self.destination: Destination = destination_for(DEFAULT_SERVICE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(6)
        self._grid.setColumnStretch(1, 1)
        header_field = QLabel(_("{name} field").format(name=self.destination.name))
        self.header_field = header_field
        header_column = QLabel(_("Profile column"))
        for header in (header_field, header_column):
            header.setObjectName("hint")
        self._grid.addWidget(header_field, 0, 0)
        self._grid.addWidget(header_column, 0, 1)
        layout.addLayout(self._grid)
        self.add_button = QPushButton(_("+ A&dd field"))
        self._menu = QMenu(self)
        self.add_button.setMenu(self._menu)
        self._menu.aboutToShow.connect(self._fill_menu)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.set_mapping(Mapping(()))

    # -- public -----------------------------------------------------------------------------

    @property
    def vocabulary(self) -> FieldVocabulary:
        return self.destination.fields

    def set_destination(self, destination: Destination) -> None:
        """The fields offered, and how the rows are named, are the destination's own."""
        if destination is self.destination:
            return
        self.destination = destination
        self.header_field.setText(_("{name} field").format(name=destination.name))
        for row in self._rows:
            row.set_caption(target_label(row.target, self.vocabulary))

    def set_columns(self, columns: Sequence[str]) -> None:
        self._columns = list(columns)
        for row in self._rows:
            row.set_columns(columns)

    def set_mapping(self, mapping: Mapping, *, edited: bool = False) -> None:
        """Show ``mapping``; the default fields stay offered even when not mapped."""
        self._clear()
        by_target = {field.target: field.column for field in mapping.fields}
        targets = list(DEFAULT_TARGETS) + [t for t in by_target if t not in DEFAULT_TARGETS]
        for target in targets:
            self._add_row(target).select(by_target.get(target, ""))
        self.user_edited = edited
        self.changed.emit()

    def mapping(self) -> Mapping:
        return Mapping(
            tuple(FieldMapping(r.target, r.selected()) for r in self._rows if r.selected())
        )

    def targets(self) -> list[str]:
        return [row.target for row in self._rows]

    def chain_from(self, widget: QWidget) -> None:
        """Tab goes from ``widget`` through the fields' rows to "Add field"."""
        self.tab_from = widget
        tab_chain(widget, *(w for r in self._rows for w in (r.column, r.remove)), self.add_button)

    def combo(self, target: str) -> QComboBox:
        return next(row.column for row in self._rows if row.target == target)

    def add_target(self, target: str, column: str = "") -> None:
        if target in self.targets():
            return
        self._add_row(target).select(column)
        self.user_edited = True
        self.changed.emit()

    # -- rows -------------------------------------------------------------------------------

    def _add_row(self, target: str) -> _Row:
        caption = target_label(target, self.vocabulary)
        row = _Row(target, caption, self._columns, self._on_row_changed)
        line = len(self._rows) + 1
        self._grid.addWidget(row.label, line, 0)
        self._grid.addWidget(row.column, line, 1)
        self._grid.addWidget(row.remove, line, 2)
        row.remove.clicked.connect(lambda: self._remove(row))
        previous = self._rows[-1].remove if self._rows else self.tab_from
        self._rows.append(row)
        tab_chain(previous, row.column, row.remove, self.add_button)
        return row

    def _remove(self, row: _Row) -> None:
        self._clear(keep=[r for r in self._rows if r is not row])
        self.user_edited = True
        self.changed.emit()

    def _clear(self, keep: Sequence[_Row] = ()) -> None:
        saved = [(r.target, r.selected()) for r in keep]
        for row in self._rows:
            for widget in (row.label, row.column, row.remove):
                # Hidden at once: deleteLater waits for the event loop, and a removed widget
                # would go on painting where it was until then.
                widget.hide()
                self._grid.removeWidget(widget)
                widget.deleteLater()
        self._rows = []
        for target, column in saved:
            self._add_row(target).select(column)

    def _on_row_changed(self) -> None:
        self.user_edited = True
        self.changed.emit()

    def _fill_menu(self) -> None:
        self._menu.clear()
        taken = set(self.targets())
        standard = self._menu.addMenu(_("&Standard field"))
        for target in (EMAIL_TARGET, *self.vocabulary.standard_fields()):
            if target not in taken:
                action = standard.addAction(field_label(target, self.vocabulary))
                action.triggered.connect(lambda _checked=False, t=target: self.add_target(t))
        custom = self._menu.addAction(_("&Custom field..."))
        custom.triggered.connect(self.custom_field_requested)
        if CONSENT_TARGET not in taken:
            consent = self._menu.addAction(_("&Opt-out column (unsubscribes)"))
            consent.setToolTip(
                _(
                    "Contacts whose column says yes are unsubscribed in {name}; "
                    "nobody is ever subscribed again."
                ).format(name=self.destination.name)
            )
            consent.triggered.connect(lambda: self.add_target(CONSENT_TARGET))
