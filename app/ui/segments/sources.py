"""Profile sources: importing files (dialog, drop, sample data), refreshing and removing them.

Imports run on the profiles queue; their progress crosses to the GUI thread as plain values
through the queue's progress channel, a few times a second at most. While one goes on,
``ui.permission`` says so: nothing may be run meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.i18n import _, ngettext
from app.core.profiles import (
    ImportResult,
    RebuildResult,
    RefreshRefused,
    RefreshResult,
    Source,
)
from app.core.profiles.cdm import Model, is_model_path, read_model
from app.ui.context import UiContext
from app.ui.errors import is_expected, user_message
from app.ui.kit import formatting as fmt
from app.ui.kit.layout import fit_columns
from app.ui.kit.table_models import Column, RecordModel
from app.ui.segments.sample_data import SAMPLE_SOURCE, sample_file
from app.ui.segments.view import SegmentsView

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet")
_REFRESH = Path()  # in the queue of imports: refresh the named source from its own file


def source_name_for(path: Path) -> str:
    return path.stem.strip() or path.name


def is_importable(path: Path) -> bool:
    """A profile file, or a Customer Insights folder (or its model.json)."""
    return path.suffix.lower() in SUPPORTED_SUFFIXES or is_model_path(path)


def _folder_name(path: Path) -> str:
    return (path if path.is_dir() else path.parent).name or str(path)


class SourcesController(QObject):
    changed = Signal()
    imported = Signal(object)  # the Source

    def __init__(self, ui: UiContext, view: SegmentsView) -> None:
        super().__init__(view)
        self.ui = ui
        self.view = view
        self.model: RecordModel[Source] = RecordModel(self._columns(), self)
        view.sources.setModel(self.model)
        fit_columns(view.sources, stretch=4)
        self._waiting: list[tuple[Path, str, str | None]] = []
        self._importing: str | None = None
        self._refreshing = False
        view.import_button.clicked.connect(self.ask_and_import)
        view.folder_button.clicked.connect(self.ask_and_import_folder)
        view.sample_button.clicked.connect(self.import_sample)
        view.refresh_source_button.clicked.connect(self._on_refresh_clicked)
        view.remove_source_button.clicked.connect(self._on_remove_clicked)
        view.sources.selectionModel().selectionChanged.connect(self.update_buttons)
        self.update_buttons()

    @property
    def sources(self) -> list[Source]:
        return self.model.records

    def refresh(self) -> None:
        selected = self.selected()
        self.model.set_records(self.ui.app.profiles.list_sources())
        name = selected.name if selected else None
        row = self.model.find(lambda s: s.name == name)
        if self.model.rowCount():
            self.view.sources.selectRow(max(0, row))
        self.update_buttons()

    # -- importing ----------------------------------------------------------------------------

    def ask_and_import(self) -> None:
        self.import_files(self.ui.dialogs.open_profile_files())

    def ask_and_import_folder(self) -> None:
        folder = self.ui.dialogs.open_cdm_folder()
        if folder is not None:
            self.import_files([folder])

    def import_sample(self) -> None:
        self.import_files([sample_file()], names=[SAMPLE_SOURCE], confirm_replace=False)

    def import_files(
        self,
        paths: Sequence[Path],
        *,
        names: Sequence[str] | None = None,
        confirm_replace: bool = True,
    ) -> None:
        if not self._may_import():
            return
        for index, path in enumerate(paths):
            if is_model_path(path):
                self._read_folder(path)  # named after the entity chosen
                continue
            name = names[index] if names is not None else self._ask_name(path)
            if name is None:
                continue
            if confirm_replace and self._known(name) and not self._confirm_replace(name):
                continue
            self._waiting.append((path, name, None))
        self._next_import()

    def _ask_name(self, path: Path) -> str | None:
        return self.ui.dialogs.ask_source_name(path.name, source_name_for(path))

    def _may_import(self) -> bool:
        permission = self.ui.permission
        if permission.may_import():
            return True
        why = (
            _("All data is being deleted; import the file when that has finished.")
            if permission.erasing
            else _("An export is running; import the file when it has finished.")
        )
        self.view.import_status.show_text(why, "warn")
        return False

    def _known(self, name: str) -> bool:
        return name.casefold() in {s.name.casefold() for s in self.sources}

    # A Customer Insights folder: its model.json is read off the GUI thread, then the user picks
    # the entity (when there are several) and the import is queued under the entity's name.

    def _read_folder(self, path: Path) -> None:
        self.view.import_warnings.set_problems([])
        self.view.import_status.show_busy(
            _("Reading the Customer Insights folder '{folder}'...").format(
                folder=_folder_name(path)
            )
        )
        self.ui.profiles.submit(
            lambda: read_model(path),
            lambda model: self._on_folder_read(path, model),
            self._on_folder_failed,
        )

    def _on_folder_read(self, path: Path, model: Any) -> None:
        assert isinstance(model, Model)
        entity = self._choose_entity(path, model)
        if entity is None or not self._may_import():
            return
        if self._known(entity) and not self._confirm_replace(entity):
            self.view.import_status.show_text(_("Nothing was imported."), "hint")
            return
        self._waiting.append((path, entity, entity))
        self._next_import()

    def _choose_entity(self, path: Path, model: Model) -> str | None:
        usable = model.usable()
        if len(usable) == 1:
            return usable[0].name
        if not usable:
            text = _(
                "Not imported: the Customer Insights folder '{folder}' has no table with data."
            ).format(folder=_folder_name(path))
            self.view.import_status.show_text("\u2716 " + text, "problem")
            return None
        chosen = self.ui.dialogs.choose_entity(
            _folder_name(path), [(e.name, len(e.attributes)) for e in usable]
        )
        if chosen is None:
            self.view.import_status.show_text(_("Nothing was imported."), "hint")
        return chosen

    def _on_folder_failed(self, exc: BaseException) -> None:
        if is_expected(exc):
            text = _("Not imported: {reason}").format(reason=user_message(exc))
            self.view.import_status.show_text("\u2716 " + text, "problem")
        else:
            self.view.import_status.clear()
            self.ui.errors.report(exc, _("The folder could not be read"))

    def _confirm_replace(self, name: str) -> bool:
        return self.ui.dialogs.confirm(
            _("Replace profiles"),
            _(
                "Profiles named '{name}' were imported before. Replace them with the new file? "
                "Segments on them keep their rules and count the new profiles."
            ).format(name=name),
            _("Replace"),
        )

    def _next_import(self) -> None:
        if self._importing is not None or not self._waiting:
            self._set_busy(self._importing is not None)
            return
        path, name, entity = self._waiting.pop(0)
        self._importing = name
        self._set_busy(True)
        self.view.import_warnings.set_problems([])
        self._refreshing = path == _REFRESH
        self.view.import_status.show_busy(
            _("Refreshing '{name}'...").format(name=name)
            if self._refreshing
            else _("Importing {file}...").format(file=path.name)
        )
        profiles = self.ui.app.profiles

        def work(report: Callable[[float], None]) -> ImportResult | RefreshResult:
            if path == _REFRESH:
                return profiles.refresh_source(name, on_progress=report)
            return profiles.import_file(path, name, entity=entity, on_progress=report)

        self.ui.profiles.submit_reporting(
            work, self._on_import_progress, self._on_imported, self._on_import_failed
        )
        self.update_buttons()

    # -- refreshing ---------------------------------------------------------------------------

    def refresh_source(self, name: str) -> None:
        """Import the source ``name`` again from its file, in the background like an import."""
        permission = self.ui.permission
        if not permission.may_import():
            why = (
                _("All data is being deleted; refresh the profiles when that has finished.")
                if permission.erasing
                else _("An export is running; refresh the profiles when it has finished.")
            )
            self.view.import_status.show_text(why, "warn")
            return
        self._waiting.append((_REFRESH, name, None))
        self._next_import()

    def _on_refresh_clicked(self) -> None:
        source = self.selected()
        if source is not None:
            self.refresh_source(source.name)

    def _on_import_progress(self, value: object) -> None:
        if self._importing is None:
            return
        if isinstance(value, float) and 0 < value < 1 and self._refreshing:
            text = _("Refreshing '{name}': {percent}% done...").format(
                name=self._importing, percent=round(value * 100)
            )
        elif isinstance(value, float) and 0 < value < 1:
            text = _("Importing '{name}': {percent}% done...").format(
                name=self._importing, percent=round(value * 100)
            )
        elif self._refreshing:
            text = _("Refreshing '{name}'...").format(name=self._importing)
        else:
            text = _("Importing '{name}'...").format(name=self._importing)
        self.view.import_status.show_busy(text)

    def _on_imported(self, result: Any) -> None:
        assert isinstance(result, ImportResult | RefreshResult)
        self._importing = None
        self.view.import_status.show_text("\u2714 " + result.summary(), "ok")
        imported = result.imported if isinstance(result, RefreshResult) else result
        self.view.import_warnings.set_problems(list(imported.warnings) if imported else [])
        self.refresh()
        self.changed.emit()
        if isinstance(result, ImportResult):
            self.imported.emit(result.source)
        self._next_import()

    def _on_import_failed(self, exc: BaseException) -> None:
        self._importing = None
        if isinstance(exc, RefreshRefused):
            # Refused before anything changed: said where the user is looking, in a dialog.
            self.view.import_status.show_text("\u2716 " + user_message(exc), "problem")
            self.ui.dialogs.warning(_("Profiles not refreshed"), user_message(exc))
        elif is_expected(exc):
            text = _("Not imported: {reason}").format(reason=user_message(exc))
            self.view.import_status.show_text("\u2716 " + text, "problem")
        else:
            self.view.import_status.clear()
            self.ui.errors.report(exc, _("The import failed"))
        self._next_import()

    # -- rebuilding ---------------------------------------------------------------------------

    def rebuild_all(self) -> None:
        """File > Rebuild profile data: damaged profile data made again from the files."""
        if not self._may_import():
            return
        question = _(
            "Make the profile data again from the files the profiles were imported from? "
            "Use this when the program says the profile data is damaged. The damaged data is "
            "kept aside; segments, exports and history are not touched."
        )
        title = _("Rebuild profile data")
        if not self.ui.dialogs.confirm(title, question, _("Rebuild")):
            return
        self._set_busy(True)
        self.view.import_status.show_busy(
            _("Rebuilding the profile data from the imported files...")
        )
        self.ui.profiles.submit(
            self.ui.app.profiles.rebuild, self._on_rebuilt, self._on_rebuild_failed
        )

    def _on_rebuilt(self, result: Any) -> None:
        assert isinstance(result, RebuildResult)
        self._set_busy(False)
        summary = result.summary()
        self.view.import_status.show_text(summary, "warn" if result.failed else "ok")
        title = _("Rebuild profile data")
        if result.failed:
            self.ui.dialogs.warning(title, summary)
        else:
            self.ui.dialogs.information(title, summary)
        self.refresh()
        self.changed.emit()

    def _on_rebuild_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.view.import_status.clear()
        self.ui.errors.report(exc, _("The profile data was not rebuilt"))

    # -- removing -----------------------------------------------------------------------------

    def selected(self) -> Source | None:
        rows = self.view.sources.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def _on_remove_clicked(self) -> None:
        source = self.selected()
        if source is None:
            return
        question = ngettext(
            "Remove the profiles '{name}' ({rows} row) from this computer? The file you "
            "imported them from is not touched.",
            "Remove the profiles '{name}' ({rows} rows) from this computer? The file you "
            "imported them from is not touched.",
            source.rows,
        ).format(name=source.name, rows=fmt.number(source.rows))
        if not self.ui.dialogs.confirm(_("Remove profiles"), question, _("Remove")):
            return
        profiles = self.ui.app.profiles
        self.ui.profiles.submit(
            lambda: profiles.remove_source(source.name),
            self._on_removed,
            lambda exc: self.ui.errors.report(exc, _("The profiles were not removed")),
        )

    def _on_removed(self, _unused: object) -> None:
        self.view.import_status.show_text(_("The profiles were removed."), "hint")
        self.view.import_warnings.set_problems([])
        self.refresh()
        self.changed.emit()

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self.ui.permission.begin_import()
        else:
            self.ui.permission.end_import()
        self.update_buttons()

    def update_buttons(self, *args: object) -> None:
        v = self.view
        permission = self.ui.permission
        v.remove_source_button.setEnabled(
            self.selected() is not None and permission.may_remove_profiles()
        )
        v.refresh_source_button.setEnabled(
            self.selected() is not None and permission.may_import() and self._importing is None
        )
        exporting = permission.exporting
        note = _("An export is running; import when it has finished.") if exporting else ""
        for button in (v.import_button, v.folder_button, v.sample_button):
            button.setEnabled(permission.may_import())
            button.setToolTip(note)

    def _columns(self) -> list[Column[Source]]:
        return [
            Column(_("Name"), lambda s: s.name),
            Column(_("Profiles"), lambda s: fmt.number(s.rows), numeric=True),
            Column(
                _("Columns"),
                lambda s: str(len(s.columns)),
                numeric=True,
                tooltip=lambda s: ", ".join(s.columns),
            ),
            Column(_("Imported"), lambda s: fmt.when(s.imported_at)),
            Column(_("From file"), lambda s: Path(s.path).name, tooltip=lambda s: s.path),
        ]
