"""The Mapping tab's widgets: saved exports on the left, the export being edited on the right."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import _
from app.core.names import NAME_LIMIT
from app.ui.kit.layout import add_row, card, form_layout, tab_chain, table
from app.ui.kit.widgets import (
    EmptyPage,
    MessageBar,
    ProblemList,
    StatusLine,
    hint,
    primary,
    section_title,
)
from app.ui.mapping.fields import FieldMappingEditor


class MappingView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(16, 16, 16, 16)
        column.setSpacing(12)
        # Above the list and the editor; hidden, it takes no room (nor its spacing).
        self.file_notice = MessageBar("warning")
        column.addWidget(self.file_notice)
        layout = QHBoxLayout()
        layout.setSpacing(16)
        layout.addLayout(self._build_list(), 0)
        layout.addWidget(self._build_editor(), 1)
        column.addLayout(layout, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(page)
        self.missing = EmptyPage()
        self.stack.addWidget(self.missing)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        # Tab in reading order: the saved exports, then the editor's left column, its fields,
        # the preview and the actions under it.
        tab_chain(
            self.exports,
            self.new_button,
            self.duplicate_button,
            self.remove_button,
            self.name,
            self.connection,
            self.segments,
            self.remove_departed,
            self.fields.add_button,
            self.preview,
            self.send_all,
            self.save_button,
            self.schedule_button,
            self.dry_run_button,
            self.run_button,
        )
        self.fields.chain_from(self.remove_departed)

    def _build_list(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(8)
        column.addWidget(section_title(_("Saved exports")))
        self.exports = table(_("Saved exports"))
        self.exports.setFixedWidth(300)
        column.addWidget(self.exports, 1)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(_("&New"))
        self.duplicate_button = QPushButton(_("D&uplicate"))
        self.remove_button = QPushButton(_("Re&move..."))
        for button in (self.new_button, self.duplicate_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        return column

    def _build_editor(self) -> QFrame:
        frame, layout = card()
        self.title = section_title(_("New export"))
        layout.addWidget(self.title)
        columns = QHBoxLayout()
        columns.setSpacing(24)
        columns.addLayout(self._build_what(), 1)
        columns.addLayout(self._build_fields(), 1)
        layout.addLayout(columns)
        layout.addWidget(section_title(_("Preview")))
        self.preview_hint = hint(
            _("The first profiles of the first segment, as they will be sent.")
        )
        layout.addWidget(self.preview_hint)
        self.preview = table(_("Preview of the contacts to send"))
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.setMinimumHeight(110)
        layout.addWidget(self.preview, 1)
        layout.addLayout(self._build_actions())
        return frame

    def _build_what(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(8)
        form = form_layout()
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("for example Newsletter, November"))
        self.name.setMaxLength(NAME_LIMIT)
        self.name_problem = ProblemList()
        self.connection = QComboBox()
        self.connection_problem = ProblemList()
        self.connection_note = QLabel()
        self.connection_note.setObjectName("warn")
        self.connection_note.setWordWrap(True)
        self.connection_note.setVisible(False)
        add_row(form, _("E&xport name:"), self.name, self.name_problem)
        add_row(
            form,
            _("Send &to:"),
            self.connection,
            self.connection_problem,
            self.connection_note,
        )
        column.addLayout(form)
        # The words follow the destination (a list in Autopilot, a tag in Ortto): the editor
        # sets them.
        self.segments_label = QLabel(_("Se&gments to export:"))
        self.segments_label.setWordWrap(True)
        self.segments = QListWidget()
        self.segments.setSpacing(1)
        self.segments_label.setBuddy(self.segments)
        self.segments.setAccessibleName(_("Segments to export"))
        self.segments.setAccessibleDescription(
            _("Press Space to choose or leave out the selected segment.")
        )
        column.addWidget(self.segments_label)
        column.addWidget(self.segments)
        self.segments_problem = ProblemList()
        column.addWidget(self.segments_problem)
        self.remove_departed = QCheckBox(_("Remove people who &left a segment"))
        self.remove_departed.setToolTip(
            _(
                "After sending, take people who were sent before but are no longer in the "
                "segment off its list or tag. Contacts are never deleted, and their fields and "
                "subscription stay as they are."
            )
        )
        column.addWidget(self.remove_departed)
        self.total = QLabel()
        self.total.setObjectName("bigNumber")
        self.total_detail = hint()
        self.cap_problem = ProblemList()
        column.addWidget(self.total)
        column.addWidget(self.total_detail)
        column.addWidget(self.cap_problem)
        column.addStretch(1)
        return column

    def _build_fields(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(8)
        column.addWidget(section_title(_("Field mapping")))
        column.addWidget(
            hint(_("Email is required. Fields are matched by name; change any of them."))
        )
        self.fields = FieldMappingEditor()
        column.addWidget(self.fields)
        self.mapping_problem = ProblemList()
        column.addWidget(self.mapping_problem)
        # Values that do not fit a custom field's type: said, but the export may still run.
        self.mapping_warning = ProblemList()
        self.mapping_warning.setObjectName("warn")
        column.addWidget(self.mapping_warning)
        self.new_fields_note = hint()  # custom fields the destination would have to create
        self.new_fields_note.setVisible(False)
        column.addWidget(self.new_fields_note)
        column.addStretch(1)
        return column

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.status = StatusLine()
        row.addWidget(self.status, 1)
        self.save_button = QPushButton(_("&Save"))
        self.dry_run_button = QPushButton(_("Dr&y run"))
        self.dry_run_button.setToolTip(
            _("Prepare everything and write it to a file; nothing is sent")
        )
        self.send_all = QCheckBox(_("Send e&veryone again"))
        self.send_all.setToolTip(
            _(
                "Also send the contacts the destination already has exactly as they are now; "
                "normally a repeated run sends only what changed"
            )
        )
        self.run_button = primary(QPushButton(_("&Run now")))
        self.schedule_button = QPushButton(_("S&chedule..."))
        self.schedule_button.setToolTip(_("Run the saved export by itself every day or every week"))
        row.addWidget(self.send_all)
        for button in (
            self.save_button,
            self.schedule_button,
            self.dry_run_button,
            self.run_button,
        ):
            row.addWidget(button)
        return row
