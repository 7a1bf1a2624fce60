"""The History tab's widgets: every run, newest first, and the details of the selected one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import N_, _
from app.ui.kit.layout import card, form_layout, tab_chain, table
from app.ui.kit.widgets import EmptyPage, hint, label, section_title

DETAIL_ROWS = (
    ("status", N_("Status:")),
    ("export", N_("Export:")),
    ("when", N_("When:")),
    ("counts", N_("Counts:")),
    ("lists", N_("Lists in Autopilot:")),  # the run's destination's words (see details.py)
    ("next", N_("Next step:")),
    ("error", N_("What went wrong:")),
    ("warnings", N_("Warnings:")),
    ("config", N_("Configuration used:")),
)


class HistoryView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        top = QHBoxLayout()
        top.addWidget(section_title(_("Runs")))
        top.addWidget(hint(_("newest first")))
        top.addStretch(1)
        self.resume_button = QPushButton(_("&Resume run"))
        self.save_rejected_button = QPushButton(_("Save re&jected rows..."))
        self.purge_button = QPushButton(_("De&lete row details..."))
        self.purge_button.setToolTip(
            _("Delete the emails and reasons kept for this run; the counts stay")
        )
        for button in (self.resume_button, self.save_rejected_button, self.purge_button):
            top.addWidget(button)
        layout.addLayout(top)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_split())
        self.empty = EmptyPage()
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        tab_chain(
            self.resume_button,
            self.save_rejected_button,
            self.purge_button,
            self.runs,
            self.details,
        )

    def _build_split(self) -> QSplitter:
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        self.runs = table(_("Runs"))
        split.addWidget(self.runs)
        split.addWidget(self._build_details())
        split.setSizes([300, 320])
        return split

    def _build_details(self) -> QScrollArea:
        frame, column = card()
        self.details_title = section_title(_("Details"))
        column.addWidget(self.details_title)
        form = form_layout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.fields: dict[str, QLabel] = {}
        self.field_labels: dict[str, QLabel] = {}
        for key, caption in DETAIL_ROWS:
            value = label()
            value.setTextFormat(Qt.TextFormat.PlainText)
            caption_label = QLabel(_(caption))
            # As tall as one line of the value, so it stays beside the first line of many.
            caption_label.setFixedHeight(value.fontMetrics().lineSpacing())
            caption_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            form.addRow(caption_label, value)
            self.fields[key] = value
            self.field_labels[key] = caption_label
        column.addLayout(form)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(frame)
        # It takes the focus so that long details can be scrolled with the keys.
        scroll.setAccessibleName(_("Details of the selected run"))
        self.details = scroll
        return scroll

    def set_field(self, key: str, text: str) -> None:
        self.fields[key].setText(text)
        visible = bool(text)
        self.fields[key].setVisible(visible)
        self.field_labels[key].setVisible(visible)
