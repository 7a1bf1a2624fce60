"""The Segments tab's widgets: imported profile sources on top, segments and their editor below."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import _
from app.core.names import NAME_LIMIT
from app.ui.kit.layout import add_row, card, form_layout, tab_chain, table
from app.ui.kit.widgets import (
    MessageBar,
    ProblemList,
    StatusLine,
    empty_state,
    hint,
    primary,
    section_title,
)
from app.ui.segments.rules import RulesEditor


class SegmentsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        self.file_notice = MessageBar("warning")
        layout.addWidget(self.file_notice)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_sources())
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_segments())
        self.no_sources = empty_state(
            _(
                "Import profiles to define segments.\n\nUse Import profiles... (Ctrl+O), "
                "drop a CSV, Excel or Parquet file or a Customer Insights folder on this "
                "window, or try it with the sample data."
            )
        )
        self.pages.addWidget(self.no_sources)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([150, 560])
        layout.addWidget(splitter)
        # Tab in reading order: the sources on top, the segments on the left, then the editor.
        tab_chain(
            self.import_button,
            self.folder_button,
            self.sample_button,
            self.refresh_source_button,
            self.remove_source_button,
            self.sources,
            self.segments,
            self.new_segment_button,
            self.remove_segment_button,
            self.name,
            self.source,
            self.match_all,
            self.match_any,
            self.rules.add_button,
            self.save_button,
            self.preview,
        )
        self.rules.tab_from = self.match_any

    # -- sources ------------------------------------------------------------------------------

    def _build_sources(self) -> QFrame:
        frame, layout = card()
        top = QHBoxLayout()
        top.addWidget(section_title(_("Customer profiles")))
        top.addStretch(1)
        self.import_button = primary(QPushButton(_("&Import profiles...")))
        self.folder_button = QPushButton(_("Customer Insights fol&der..."))
        self.folder_button.setToolTip(
            _(
                "Import profiles from a Customer Insights export folder (the folder with its "
                "model.json and the tables' CSV files)."
            )
        )
        self.sample_button = QPushButton(_("Try it with s&ample data"))
        self.refresh_source_button = QPushButton(_("Refresh da&ta"))
        self.refresh_source_button.setToolTip(
            _("Import the selected profiles again from their file, with the same options")
        )
        self.remove_source_button = QPushButton(_("Remove so&urce..."))
        for button in (
            self.import_button,
            self.folder_button,
            self.sample_button,
            self.refresh_source_button,
            self.remove_source_button,
        ):
            top.addWidget(button)
        layout.addLayout(top)
        self.sources = table(_("Imported profiles"))
        self.sources.setMinimumHeight(64)
        layout.addWidget(self.sources, 1)
        self.import_status = StatusLine()
        self.import_warnings = ProblemList()
        self.import_warnings.setObjectName("warn")
        layout.addWidget(self.import_status)
        layout.addWidget(self.import_warnings)
        return frame

    # -- segments -----------------------------------------------------------------------------

    def _build_segments(self) -> QSplitter:
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(section_title(_("Segments")))
        self.segments = table(_("Segments"))
        column.addWidget(self.segments, 1)
        self.list_problem = ProblemList()
        column.addWidget(self.list_problem)
        buttons = QHBoxLayout()
        self.new_segment_button = QPushButton(_("&New segment"))
        self.remove_segment_button = QPushButton(_("Remo&ve..."))
        buttons.addWidget(self.new_segment_button)
        buttons.addWidget(self.remove_segment_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        split.addWidget(left)
        split.addWidget(self._build_editor())
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([360, 860])
        return split

    def _build_editor(self) -> QFrame:
        frame, layout = card()
        self.editor_title = section_title(_("New segment"))
        layout.addWidget(self.editor_title)
        form = form_layout()
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("for example Newsletter subscribers in Norway"))
        self.name.setMaxLength(NAME_LIMIT)
        self.source = QComboBox()
        self.match_all = QRadioButton(_("a&ll rules"))
        self.match_any = QRadioButton(_("an&y rule"))
        self.match_all.setChecked(True)
        self.match_group = QButtonGroup(self)
        self.match_group.addButton(self.match_all)
        self.match_group.addButton(self.match_any)
        match_row = QHBoxLayout()
        match_row.addWidget(self.match_all)
        match_row.addWidget(self.match_any)
        match_row.addStretch(1)
        add_row(form, _("Segment na&me:"), self.name)
        add_row(form, _("&Profiles from:"), self.source)
        add_row(form, _("Members match:"), match_row, buddy=self.match_all)
        layout.addLayout(form)
        self.rules = RulesEditor()
        self.rules_hint = hint(_("No rules: every profile of the source is a member."))
        layout.addWidget(self.rules)
        layout.addWidget(self.rules_hint)
        self.problems = ProblemList()
        layout.addWidget(self.problems)
        bottom = QHBoxLayout()
        self.count = QLabel()
        self.count.setObjectName("bigNumber")
        self.count_status = StatusLine()
        self.save_button = primary(QPushButton(_("&Save segment")))
        bottom.addWidget(self.count)
        bottom.addWidget(self.count_status, 1)
        bottom.addWidget(self.save_button)
        layout.addLayout(bottom)
        self.preview_title = hint(_("Preview of the first 100 members"))
        layout.addWidget(self.preview_title)
        self.preview = table(_("Preview of the first 100 members"))
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        layout.addWidget(self.preview, 1)
        return frame
