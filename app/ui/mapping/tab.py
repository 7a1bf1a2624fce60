"""Mapping: the saved exports (duplicate, remove) beside the export being edited.

The form is the :class:`ExportEditor`. Until a connection and a segment exist the tab says what
to do first and offers to go there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.export import Export
from app.core.i18n import _
from app.core.profiles import Source
from app.ui.context import UiContext
from app.ui.kit.layout import fit_columns
from app.ui.kit.table_models import Column, RecordModel
from app.ui.mapping.editor import ExportEditor
from app.ui.mapping.scheduling import ExportScheduler
from app.ui.mapping.view import MappingView
from app.ui.running.launcher import ExportLauncher
from app.ui.segments.freshness import FileNotice

MemberCount = Callable[[str], int | None]
CONNECTIONS_TAB, SEGMENTS_TAB = 0, 1


class MappingTab(QObject):
    changed = Signal()
    go_to_tab = Signal(int)

    def __init__(
        self, ui: UiContext, member_count: MemberCount, view: MappingView | None = None
    ) -> None:
        view = view or MappingView()
        super().__init__(view)  # the controller lives and dies with its view
        self.ui = ui
        self.view = view
        self.member_count = member_count
        self.launcher = ExportLauncher(ui, self)
        self.editor = ExportEditor(ui, view, self.launcher)
        self.checker = self.editor.checker
        self.scheduler = ExportScheduler(ui, view.status, self)
        self.notice = FileNotice(view.file_notice, self._sources_in_use)
        self.model: RecordModel[Export] = RecordModel(self._columns(), self)
        view.exports.setModel(self.model)
        fit_columns(view.exports, stretch=0)
        self._wire()

    def refresh(self) -> None:
        if not self.ui.vault.is_ready:
            return
        app = self.ui.app
        self.model.set_records(app.exports.all())
        self.editor.set_choices(app.connections.all(), app.segments.list(), self.member_count)
        self._show_missing()
        if self.editor.editing is not None:
            self._select(self.editor.editing.name)
        self._update_buttons()
        self.notice.check()

    def _sources_in_use(self) -> list[Source]:
        """The sources an export can send from: those that segments are defined on."""
        app = self.ui.app
        used = {segment.source.casefold() for segment in app.segments.list()}
        return [s for s in app.profiles.list_sources() if s.name.casefold() in used]

    # -- wiring -----------------------------------------------------------------------------

    def _columns(self) -> list[Column[Export]]:
        def details(e: Export) -> str:
            return _("Sends {segments} to '{connection}'").format(
                segments=", ".join(e.segments), connection=e.connection
            )

        return [
            Column(_("Export"), lambda e: e.name, tooltip=details),
            Column(_("Segments"), lambda e: str(len(e.segments)), numeric=True, tooltip=details),
        ]

    def _wire(self) -> None:
        v = self.view
        v.exports.selectionModel().selectionChanged.connect(self._on_selection_changed)
        v.new_button.clicked.connect(self._on_new_clicked)
        v.duplicate_button.clicked.connect(self._on_duplicate_clicked)
        v.remove_button.clicked.connect(self._on_remove_clicked)
        self.editor.saved.connect(self._on_saved)
        self.editor.renamed.connect(self.scheduler.renamed)
        v.schedule_button.clicked.connect(self._on_schedule_clicked)
        self.scheduler.busy_changed.connect(self._update_buttons)

    def _show_missing(self) -> None:
        v = self.view
        if not self.editor.connections:
            v.missing.show_hint(
                _(
                    "Add a connection first.\n\nAn export sends segments to an Autopilot "
                    "account; connect yours on the Connections tab."
                ),
                _("Go to &Connections"),
                lambda: self.go_to_tab.emit(CONNECTIONS_TAB),
            )
        elif not self.editor.segments:
            v.missing.show_hint(
                _(
                    "Define a segment first.\n\nImport your customer profiles and choose "
                    "who to export on the Segments tab."
                ),
                _("Go to &Segments"),
                lambda: self.go_to_tab.emit(SEGMENTS_TAB),
            )
        ready = bool(self.editor.connections and self.editor.segments)
        v.stack.setCurrentIndex(0 if ready else 1)

    def _update_buttons(self, *args: object) -> None:
        editing = self.editor.editing is not None
        self.view.duplicate_button.setEnabled(editing)
        self.view.remove_button.setEnabled(editing)
        self.view.schedule_button.setEnabled(editing and not self.scheduler.busy)

    # -- slots --------------------------------------------------------------------------------

    def _on_selection_changed(self, *args: object) -> None:
        rows = self.view.exports.selectionModel().selectedRows()
        if rows:
            self.editor.load(self.model.record(rows[0].row()))
            self._update_buttons()

    def _on_new_clicked(self) -> None:
        self.view.exports.clearSelection()
        self.editor.new_export()
        self._update_buttons()
        self.view.name.setFocus()

    def _on_saved(self, saved: Any) -> None:
        self.model.set_records(self.ui.app.exports.all())
        self._select(saved.name)
        self._update_buttons()
        self.changed.emit()

    def _on_duplicate_clicked(self) -> None:
        editing = self.editor.editing
        if editing is None:
            return
        names = {e.name.casefold() for e in self.model.records}
        base = _("Copy of {name}").format(name=editing.name)
        name, number = base, 2
        while name.casefold() in names:
            name, number = f"{base} ({number})", number + 1
        exports, original = self.ui.app.exports, editing.name
        self.ui.profiles.submit(
            lambda: exports.duplicate(original, name),
            self._on_duplicated,
            lambda exc: self.ui.errors.report(exc, _("The export was not duplicated")),
        )

    def _on_duplicated(self, copy: Any) -> None:
        self.model.set_records(self.ui.app.exports.all())
        self.editor.load(copy)
        self._select(copy.name)
        self._update_buttons()
        self.changed.emit()

    def _on_remove_clicked(self) -> None:
        if self.editor.editing is None:
            return
        name = self.editor.editing.name
        if not self.ui.dialogs.confirm(
            _("Remove export"),
            _("Remove the export '{name}'? Its runs stay in the history.").format(name=name),
            _("Remove"),
        ):
            return
        exports = self.ui.app.exports
        self.ui.profiles.submit(
            lambda: exports.remove(name),
            lambda _: self._on_removed(name),
            lambda exc: self.ui.errors.report(exc, _("The export was not removed")),
        )

    def _on_schedule_clicked(self) -> None:
        if self.editor.editing is not None:
            self.scheduler.edit(self.editor.editing.name)

    def _on_removed(self, name: str) -> None:
        self.scheduler.removed([name])
        self.model.set_records(self.ui.app.exports.all())
        editing = self.editor.editing
        if editing is None or editing.name.casefold() == name.casefold():
            self.editor.new_export()
        self._update_buttons()
        self.changed.emit()

    def _select(self, name: str) -> None:
        row = self.model.find(lambda e: e.name.casefold() == name.casefold())
        selection = self.view.exports.selectionModel()
        blocked = selection.blockSignals(True)
        if row >= 0:
            self.view.exports.selectRow(row)
        selection.blockSignals(blocked)
