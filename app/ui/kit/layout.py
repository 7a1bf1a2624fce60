"""Layout helpers: forms whose labels line up, tables that fit, cards."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)


def form_layout() -> QFormLayout:
    """Right-aligned labels, growing fields and the same spacing on every form."""
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    return form


def table(name: str = "") -> QTableView:
    """A read-only table of rows; ``name`` is what a screen reader calls it."""
    view = QTableView()
    if name:
        view.setAccessibleName(name)
    # Tab leaves the table for the next control (the arrow keys move between rows), instead of
    # walking through every cell and never reaching the buttons after it.
    view.setTabKeyNavigation(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setHighlightSections(False)
    view.setWordWrap(False)
    return view


def card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 12, 16, 12)
    layout.setSpacing(8)
    return frame, layout


# Rows a header measures to size a column to its contents: enough to see typical values, few
# enough that a table of 100 rows and 150 columns is measured in milliseconds, not a quarter of a
# second (Qt measures 1,000 rows by default).
MEASURED_ROWS = 20
_FITTED = "fittedColumns"


def fit_columns(view: QTableView, stretch: int = 0) -> None:
    """Columns as wide as their contents, one stretching to fill: no sideways scrolling."""
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setResizeContentsPrecision(MEASURED_ROWS)
    for column in range(header.count()):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if column == stretch
            else (QHeaderView.ResizeMode.ResizeToContents)
        )
        header.setSectionResizeMode(column, mode)


def fit_preview(view: QTableView, columns: Sequence[str]) -> None:
    """Columns as wide as their first rows, scrolling sideways when they do not fit.

    Measured only when the set of ``columns`` changes: new rows under the same columns keep
    the widths (and any the user dragged). No column stretches: a stretching column is
    squeezed below its contents when space runs short, cutting off its header.
    """
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setResizeContentsPrecision(MEASURED_ROWS)
    if view.property(_FITTED) == list(columns):
        return
    model = view.model()
    # Widths from the headers alone are no widths for the rows to come: measure again then.
    view.setProperty(_FITTED, list(columns) if model and model.rowCount() else None)
    view.resizeColumnsToContents()


def fit_list_height(widget: QListWidget, most: int = 6) -> None:
    """As tall as its items (up to ``most`` rows, then it scrolls): no empty box below them."""
    rows = max(2, min(most, widget.count()))
    row_height = widget.sizeHintForRow(0) if widget.count() else widget.fontMetrics().height()
    widget.setFixedHeight(rows * (row_height + 2) + 2 * widget.frameWidth() + 4)


def field_with_notes(field: QWidget | QHBoxLayout, *notes: QWidget) -> QWidget:
    """A form field with its hints and problems right under it; hidden notes take no room."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    if isinstance(field, QHBoxLayout):
        layout.addLayout(field)
    else:
        layout.addWidget(field)
    for note in notes:
        layout.addWidget(note)
    return box


def add_row(
    form: QFormLayout,
    text: str,
    field: QWidget | QHBoxLayout,
    *notes: QWidget,
    buddy: QWidget | None = None,
) -> QLabel:
    """A form row whose label lines up with the field's first line, notes or not.

    The label is exactly as tall as the field, so notes under the field do not pull it down.
    """
    caption = QLabel(text)
    target = buddy or (field if isinstance(field, QWidget) else None)
    if target is not None:
        caption.setBuddy(target)
        caption.setFixedHeight(target.sizeHint().height())
        # Qt reads a buddy's label only when the two share a parent, and names a combo box by
        # its value: the field is named after its label, as the user sees it.
        if not target.accessibleName():
            target.setAccessibleName(caption_text(text))
    caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.addRow(caption, field_with_notes(field, *notes) if notes else field)
    return caption


def caption_text(text: str) -> str:
    """A label's words without its Alt-key marker and its colon: "Display na&me:" -> "Display
    name"."""
    plain = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    return plain.strip().rstrip(":").rstrip()


def tab_chain(*widgets: QWidget | None) -> None:
    """Tab moves through ``widgets`` in this order (rows added later would otherwise come last)."""
    present = [widget for widget in widgets if widget is not None]
    for first, second in itertools.pairwise(present):
        QWidget.setTabOrder(first, second)
