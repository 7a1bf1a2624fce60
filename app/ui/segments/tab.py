"""Segments: imported profiles on top, the segments with their member counts below.

The form is the :class:`SegmentEditor`, importing is the :class:`SourcesController`; this
controller keeps the list, its counts (counted off the GUI thread) and removal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.i18n import _
from app.core.segments import Segment
from app.ui.context import UiContext
from app.ui.errors import is_expected, user_message
from app.ui.kit import formatting as fmt
from app.ui.kit.layout import fit_columns
from app.ui.kit.table_models import Column, RecordModel
from app.ui.segments.editor import SegmentEditor
from app.ui.segments.freshness import FileNotice
from app.ui.segments.sample_data import SAMPLE_SOURCE, sample_segments
from app.ui.segments.sources import SourcesController
from app.ui.segments.view import SegmentsView

LIST_KEY = "segment-list-counts"


class SegmentsTab(QObject):
    changed = Signal()  # segments or sources were added, edited or removed

    def __init__(self, ui: UiContext, view: SegmentsView | None = None) -> None:
        view = view or SegmentsView()
        super().__init__(view)  # the controller lives and dies with its view
        self.ui = ui
        self.view = view
        self.sources = SourcesController(ui, view)
        self.editor = SegmentEditor(ui, view, lambda: self.sources.sources)
        self.notice = FileNotice(view.file_notice, lambda: self.sources.sources)
        self._counts: dict[str, int] = {}
        self._count_failed = False  # the last count of the list failed: the next change retries
        self.model: RecordModel[Segment] = RecordModel(self._columns(), self)
        view.segments.setModel(self.model)
        fit_columns(view.segments, stretch=0)
        self._wire()

    # -- public -----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.sources.refresh()
        self.model.set_records(self.ui.app.segments.list())
        self.editor.fill_sources()
        has_sources = bool(self.sources.sources)
        self.view.pages.setCurrentIndex(0 if has_sources else 1)
        self._count_list()
        if has_sources and self.editor.editing is None and not self.view.name.text():
            self.editor.schedule_count()
        self.notice.check()

    def segment_names(self) -> list[str]:
        return [s.name for s in self.model.records]

    def member_count(self, name: str) -> int | None:
        return self._counts.get(name.casefold())

    def import_files(self, paths: list[Path]) -> None:
        self.sources.import_files(paths)

    # -- wiring -----------------------------------------------------------------------------

    def _columns(self) -> list[Column[Segment]]:
        def members(s: Segment) -> str:
            count = self._counts.get(s.name.casefold())
            if count is not None:
                return fmt.number(count)
            return "?" if self._count_failed else "\u2026"

        def source(s: Segment) -> str:
            return _("Profiles from '{source}'").format(source=s.source)

        return [
            Column(_("Segment"), lambda s: s.name, tooltip=source),
            Column(_("Members"), members, numeric=True, tooltip=source),
        ]

    def _wire(self) -> None:
        v = self.view
        self.sources.changed.connect(self._on_sources_changed)
        self.sources.imported.connect(self._on_source_imported)
        self.notice.refresh_requested.connect(self.sources.refresh_source)
        self.editor.saved.connect(self._on_saved)
        self.editor.counted.connect(self._on_editor_counted)
        v.segments.selectionModel().selectionChanged.connect(self._on_selection_changed)
        v.new_segment_button.clicked.connect(self._on_new_clicked)
        v.remove_segment_button.clicked.connect(self._on_remove_clicked)

    # -- the list -----------------------------------------------------------------------------

    def _count_list(self) -> None:
        segments = self.model.records
        service = self.ui.app.segments

        def work() -> dict[str, int]:
            return {s.name.casefold(): service.count(s) for s in segments}

        self.ui.profiles.submit(
            work, self._on_list_counted, self._on_list_count_failed, key=LIST_KEY
        )

    def _on_list_counted(self, counts: Any) -> None:
        self._count_failed = False
        self.view.list_problem.set_problems([])
        self._counts = dict(counts)
        self.model.set_records(self.model.records)
        if self.editor.editing is not None:
            self._select(self.editor.editing.name)
        self.changed.emit()

    def _on_list_count_failed(self, exc: BaseException) -> None:
        self._count_failed = True
        self._counts = {}  # counts from before may be out of date: "?" until counted again
        self.model.set_records(self.model.records)
        text = _("The members could not be counted: {reason}").format(reason=user_message(exc))
        self.view.list_problem.set_problems([text])
        if not is_expected(exc):
            self.ui.errors.report(exc, _("Counting the segments failed"))

    def _on_editor_counted(self) -> None:
        """The form was counted again: a good moment to retry the list's counts."""
        if self._count_failed:
            self._count_list()

    def _on_selection_changed(self, *args: object) -> None:
        rows = self.view.segments.selectionModel().selectedRows()
        if rows:
            self.editor.load(self.model.record(rows[0].row()))

    def _select(self, name: str) -> None:
        row = self.model.find(lambda s: s.name.casefold() == name.casefold())
        selection = self.view.segments.selectionModel()
        blocked = selection.blockSignals(True)
        if row >= 0:
            self.view.segments.selectRow(row)
        else:
            self.view.segments.clearSelection()
        selection.blockSignals(blocked)

    def _on_new_clicked(self) -> None:
        self.view.segments.clearSelection()
        self.editor.clear()
        self.view.name.setFocus()

    def _on_saved(self, segment: Any) -> None:
        self.refresh()
        self._select(segment.name)
        self.changed.emit()

    def _on_remove_clicked(self) -> None:
        if self.editor.editing is None:
            return
        name = self.editor.editing.name
        if not self.ui.dialogs.confirm(
            _("Remove segment"),
            _("Remove the segment '{name}'? The profiles stay.").format(name=name),
            _("Remove"),
        ):
            return
        service = self.ui.app.segments
        self.ui.profiles.submit(
            lambda: service.remove(name),
            self._on_removed,
            lambda exc: self.ui.errors.report(exc, _("The segment was not removed")),
        )

    def _on_removed(self, _unused: object) -> None:
        self.editor.clear()
        self.refresh()
        self.changed.emit()

    # -- sources ------------------------------------------------------------------------------

    def _on_sources_changed(self) -> None:
        self.refresh()
        self.changed.emit()

    def _on_source_imported(self, source: Any) -> None:
        if source.name != SAMPLE_SOURCE:
            if self.editor.editing is None:
                self.editor.clear(source.name)
            return
        service = self.ui.app.segments
        known = {name.casefold() for name in self.segment_names()}

        def work() -> list[Segment]:
            added = []
            for segment in sample_segments():
                if segment.name.casefold() not in known:
                    service.add(segment)
                    added.append(segment)
            return added

        self.ui.profiles.submit(work, self._on_samples_added)

    def _on_samples_added(self, added: Any) -> None:
        self.refresh()
        if added:
            self.editor.load(added[0])
            self._select(added[0].name)
        self.changed.emit()
