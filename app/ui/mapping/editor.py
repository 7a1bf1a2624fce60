"""The export form: name, connection, segments and field mapping; Save, Dry run, Run now.

Saving never runs an export; Run now and Dry run save first, then hand the checked plan to the
launcher. The mapping offers the columns of the chosen segments' source and, for a new export,
starts from a suggestion made from the column names and a sample of the rows. The fields offered
are those of the connection's destination, with the account's custom fields as last read.

Custom fields that the destination must create before a run (Ortto's, judged against the fields
cached with the connection) are a lasting change to the user's account: Save and Run now ask
once, naming them, and only a yes sets the export's ``create_fields``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QListWidgetItem

from app.core.connections import Connection
from app.core.connections.check import WINDOW_CHECK
from app.core.destinations import CustomField, Destination, destination_for
from app.core.errors import AppError
from app.core.export import Export, ExportPlan
from app.core.export.removals import LargeRemoval
from app.core.i18n import _
from app.core.mapping import Mapping, auto_match
from app.core.segments import Segment
from app.ui.connections.check import read_fields
from app.ui.context import UiContext
from app.ui.errors import is_expected, user_message
from app.ui.kit import destination_words as words
from app.ui.kit import formatting as fmt
from app.ui.kit.layout import fit_list_height
from app.ui.mapping.checker import ExportChecker
from app.ui.mapping.view import MappingView
from app.ui.running.launcher import ExportLauncher

log = logging.getLogger(__name__)

SAMPLE_ROWS = 50
CHECKED, UNCHECKED = Qt.CheckState.Checked, Qt.CheckState.Unchecked
NAME_ROLE = Qt.ItemDataRole.UserRole


class ExportEditor(QObject):
    saved = Signal(object)  # the Export as stored
    renamed = Signal(str, str)  # the name it had, the name it has: its schedule follows

    def __init__(self, ui: UiContext, view: MappingView, launcher: ExportLauncher) -> None:
        super().__init__(view)
        self.ui = ui
        self.view = view
        self.launcher = launcher
        self.checker = ExportChecker(ui, view)
        self.editing: Export | None = None
        self.connections: dict[str, Connection] = {}
        self.segments: dict[str, Segment] = {}
        self._loading = False
        self._saving = False
        self._columns_of: str | None = None  # the source whose columns the mapping offers
        # The user's yes to creating custom fields: the export's flag, and the fields it was
        # given for (folded), so a field added later is asked about again.
        self._create_fields = False
        self._allowed: set[str] = set()
        self._wire()

    # -- public -----------------------------------------------------------------------------

    def set_choices(
        self, connections: list[Connection], segments: list[Segment], member_counts: Any
    ) -> None:
        """New lists to choose from (after any change elsewhere); the plan is made again."""
        self.connections = {c.name: c for c in connections}
        self.segments = {s.name: s for s in segments}
        self._loading = True
        self._fill_connections()
        self._fill_segments(member_counts)
        self._loading = False
        self._on_form_changed(force=True)

    def form_export(self) -> Export:
        v = self.view
        items = (v.segments.item(row) for row in range(v.segments.count()))
        checked = tuple(str(i.data(NAME_ROLE)) for i in items if i.checkState() == CHECKED)
        return Export(
            name=v.name.text().strip(),
            connection=v.connection.currentText(),
            segments=checked,
            mapping=v.fields.mapping(),
            create_fields=self._create_fields,
            remove_departed=v.remove_departed.isChecked(),
        )

    def load(self, export: Export) -> None:
        v = self.view
        self._loading = True
        self.editing = export
        v.title.setText(_("Export '{name}'").format(name=export.name))
        v.name.setText(export.name)
        v.connection.setCurrentText(export.connection)
        self._check_segments({s.casefold() for s in export.segments})
        self._columns_of = None
        self._apply_source_columns()
        v.fields.set_mapping(export.mapping, edited=True)
        v.remove_departed.setChecked(export.remove_departed)
        self._create_fields = export.create_fields
        allowed = self.fields_to_create(export) if export.create_fields else []
        self._allowed = {name.casefold() for name in allowed}
        self._loading = False
        self._on_form_changed()

    def new_export(self) -> None:
        v = self.view
        self._loading = True
        self.editing = None
        v.title.setText(_("New export"))
        v.name.setText("")
        only = [name.casefold() for name in self.segments] if len(self.segments) == 1 else []
        self._check_segments(set(only))
        self._columns_of = None
        v.fields.set_mapping(Mapping(()))
        v.remove_departed.setChecked(False)
        self._create_fields = False
        self._allowed = set()
        self._loading = False
        self._on_form_changed()

    def update_buttons(self, *args: object) -> None:
        v = self.view
        export = self.form_export()
        ready = bool(export.name and export.connection and export.segments)
        v.save_button.setEnabled(ready and not self._saving)
        idle = self.ui.permission.may_start_run() and not self._saving
        can_run = ready and idle and self.checker.is_current(export)
        v.run_button.setEnabled(can_run)
        v.dry_run_button.setEnabled(can_run)
        note = _("Profiles are being imported; run when the import has finished.")
        v.run_button.setToolTip(note if self.ui.permission.importing else "")

    def known_fields(self) -> list[CustomField] | None:
        """The custom fields of the chosen connection's account as last read; None: never."""
        connection = self.connections.get(self.view.connection.currentText())
        if connection is None:
            return None
        try:
            return self.ui.app.connections.cached_fields(connection.name)
        except AppError:  # a connection removed meanwhile: its fields are unknown
            return None

    def fields_to_create(self, export: Export) -> list[str]:
        """The custom fields a run of ``export`` would have to create in the account."""
        connection = self.connections.get(export.connection)
        if connection is None:
            return []
        destination = destination_for(connection.service)
        return destination.fields_to_create(export.mapping, self.known_fields())

    def with_known_fields(self, then: Callable[[], None]) -> None:
        """Call ``then`` once the chosen connection's custom fields are known: when they were
        never read (a connection added on the command line) and the export maps a custom
        field, read them from the account first (the key on the keyring's thread, the request
        on the checks queue) and cache them. If that fails the run's own check still refuses
        to create anything without a yes."""
        export = self.form_export()
        connection = self.connections.get(export.connection)
        if (
            connection is None
            or self.known_fields() is not None
            or not any(f.is_custom for f in export.mapping.fields)
        ):
            then()
            return
        name = destination_for(connection.service).name
        self.view.status.show_busy(
            _("Reading the custom fields of the {name} account\u2026").format(name=name)
        )
        self._set_saving(True)
        connections = self.ui.app.connections

        def read(key: object) -> None:
            def work() -> None:
                fields = read_fields(connection, str(key), WINDOW_CHECK)
                connections.cache_fields(connection.name, fields)

            self.ui.checks.submit(work, done, failed)

        def done(_: object = None) -> None:
            self._set_saving(False)
            self.view.status.clear()
            self._show_new_fields()
            then()

        def failed(exc: BaseException) -> None:
            log.warning("The custom fields of '%s' could not be read: %s", connection.name, exc)
            done()

        self.ui.vault.read_key(connection.name, read, failed)

    def confirm_new_fields(self, action: str) -> bool:
        """Ask once before an export that creates custom fields is saved or run; True: go on
        (nothing to ask, or the user said yes, which sets the export's create_fields)."""
        export = self.form_export()
        missing = self.fields_to_create(export)
        if all(name.casefold() in self._allowed for name in missing):
            return True
        connection = self.connections[export.connection]
        destination = destination_for(connection.service)
        title = _("Create custom fields in {name}?").format(name=destination.name)
        if not self.ui.dialogs.confirm(
            title, self._new_fields_question(destination, connection, missing), action
        ):
            self.view.status.show_text(
                _(
                    "Nothing was saved or sent: the export maps custom fields that {name} "
                    "would have to create."
                ).format(name=destination.name),
                "hint",
            )
            return False
        self._allowed |= {name.casefold() for name in missing}
        self._create_fields = True
        self._on_form_changed()  # the plan takes the flag (same content: no recount)
        return True

    def _new_fields_question(
        self, destination: Destination, connection: Connection, missing: Sequence[str]
    ) -> str:
        names = ", ".join(f"'{name}'" for name in missing)
        if self.known_fields() is None:
            found = _(
                "This export maps the custom fields {names}; the fields of the {name} account "
                "'{connection}' were never read (Connect on the Connections tab reads them), so "
                "they may not exist yet."
            )
        else:
            found = _(
                "This export maps the custom fields {names}, which the {name} account "
                "'{connection}' does not have."
            )
        return "\n\n".join(
            [
                found.format(names=names, name=destination.name, connection=connection.name),
                _(
                    "A run creates the missing ones before it sends anything. {name} allows "
                    "about 100 custom fields in an account, and they cannot be deleted "
                    "through its API."
                ).format(name=destination.name),
                _("Create these fields in {name}?").format(name=destination.name),
            ]
        )

    def save(self, then: Callable[[Export], None] | None = None) -> None:
        """Store the form (off the GUI thread); ``then(saved)`` once it is stored."""
        original = self.editing.name if self.editing else None
        export = self.form_export()
        exports = self.ui.app.exports
        self._set_saving(True)

        def done(saved: Any) -> None:
            assert isinstance(saved, Export)
            self._set_saving(False)
            self.editing = saved
            self.view.title.setText(_("Export '{name}'").format(name=saved.name))
            self.saved.emit(saved)
            if original is not None and original != saved.name:
                self.renamed.emit(original, saved.name)
            if then is not None:
                then(saved)

        self.ui.profiles.submit(
            lambda: exports.save(export, original_name=original), done, self._on_save_failed
        )

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.update_buttons()

    def _on_save_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        if not self.view.status.busy.isHidden():  # "Saving..." is over
            self.view.status.clear()
        if is_expected(exc):
            self.view.name_problem.set_problems([user_message(exc)])
        else:
            self.ui.errors.report(exc, _("The export was not saved"))

    # -- filling the form ---------------------------------------------------------------------

    def _wire(self) -> None:
        v = self.view
        v.name.textChanged.connect(self._on_form_changed)
        v.connection.currentIndexChanged.connect(self._on_form_changed)
        v.segments.itemChanged.connect(self._on_form_changed)
        v.fields.changed.connect(self._on_form_changed)
        v.fields.custom_field_requested.connect(self._on_custom_field_requested)
        v.save_button.clicked.connect(self._on_save_clicked)
        v.run_button.clicked.connect(self._on_run_clicked)
        v.dry_run_button.clicked.connect(self._on_dry_run_clicked)
        v.send_all.toggled.connect(self._on_send_all_toggled)
        v.remove_departed.toggled.connect(self._on_form_changed)
        self.checker.checked.connect(self.update_buttons)
        # A finished run changes what the destination has: count again what a run would send.
        self.ui.export.finished.connect(self._on_run_finished)

    def _fill_connections(self) -> None:
        combo = self.view.connection
        current = combo.currentText() or (self.editing.connection if self.editing else "")
        combo.clear()
        combo.addItems(list(self.connections))
        if current in self.connections:
            combo.setCurrentText(current)

    def _fill_segments(self, member_counts: Any) -> None:
        widget = self.view.segments
        checked = set(self.form_export().segments)
        if self.editing is not None and not checked:
            checked = set(self.editing.segments)
        widget.clear()
        for name, segment in self.segments.items():
            count = member_counts(name)
            text = name if count is None else f"{name}   \u2014   {fmt.members(count)}"
            item = QListWidgetItem(text)
            item.setData(NAME_ROLE, name)
            item.setToolTip(_("Profiles from '{source}'").format(source=segment.source))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(CHECKED if name in checked else UNCHECKED)
            widget.addItem(item)
        fit_list_height(widget)

    def _check_segments(self, chosen: set[str]) -> None:
        for row in range(self.view.segments.count()):
            item = self.view.segments.item(row)
            name = str(item.data(NAME_ROLE)).casefold()
            item.setCheckState(CHECKED if name in chosen else UNCHECKED)

    def _apply_source_columns(self) -> None:
        export = self.form_export()
        names = export.segments or tuple(self.segments)
        segment = self.segments.get(names[0]) if names else None
        if segment is None or segment.source == self._columns_of:
            return
        try:
            columns = self.ui.app.profiles.get_source(segment.source).columns
        except AppError as exc:
            # Shown beside the mapping (Run stays off); the next change of the form tries again.
            self.checker.set_source_problem(
                _("The columns of '{source}' could not be read: {reason}").format(
                    source=segment.source, reason=user_message(exc)
                )
            )
            return
        self.checker.set_source_problem(None)
        self._columns_of = segment.source
        self.view.fields.set_columns(columns)
        if not self.view.fields.user_edited and self.editing is None:
            self._suggest_mapping(segment, columns)

    def _suggest_mapping(self, segment: Segment, columns: tuple[str, ...]) -> None:
        service = self.ui.app.segments
        vocabulary = self.view.fields.vocabulary

        def work() -> Mapping:
            _unused, members = service.preview(segment, limit=SAMPLE_ROWS)
            return auto_match(columns, [m.values for m in members], vocabulary=vocabulary)

        def done(mapping: Any) -> None:
            if not self.view.fields.user_edited and self._columns_of == segment.source:
                self.view.fields.set_mapping(mapping)

        self.ui.profiles.submit(work, done, key="auto-match")

    def _show_destination(self, destination: Destination) -> None:
        self.view.fields.set_destination(destination)
        self.view.segments_label.setText(
            words.by_audience(
                destination,
                lists=_("Se&gments to export (each becomes a list in {name}):"),
                tags=_("Se&gments to export (each becomes a tag in {name}):"),
            ).format(name=destination.name)
        )

    def _show_key_note(self) -> None:
        connection = self.connections.get(self.view.connection.currentText())
        if connection is not None:
            self._show_destination(destination_for(connection.service))
        missing = connection is not None and not (
            connection.key_stored or self.ui.vault.has_session_key(connection.name)
        )
        note = _(
            "\u26a0 This connection has no API key stored: you will be asked for it when the "
            "run starts."
        )
        self.view.connection_note.setText(note if missing else "")
        self.view.connection_note.setVisible(missing)

    def _show_new_fields(self) -> None:
        export = self.form_export()
        missing = self.fields_to_create(export)
        note = self.view.new_fields_note
        note.setVisible(bool(missing))
        if not missing:
            note.setText("")
            return
        name = destination_for(self.connections[export.connection].service).name
        names = ", ".join(f"'{field}'" for field in missing)
        if all(field.casefold() in self._allowed for field in missing):
            text = _("Not in the {name} account yet: {names}. A run creates them.")
        else:
            text = _(
                "Not in the {name} account yet: {names}. Save and Run now ask before a run "
                "creates them."
            )
        note.setText(text.format(name=name, names=names))

    # -- slots --------------------------------------------------------------------------------

    def _on_form_changed(self, *args: object, force: bool = False) -> None:
        if self._loading:
            return
        self._apply_source_columns()
        self._show_key_note()
        self._show_new_fields()
        self.checker.schedule(self.form_export(), force=force)
        self.update_buttons()

    def _on_custom_field_requested(self) -> None:
        answer = self.ui.dialogs.ask_custom_field(self.known_fields() or ())
        if answer is not None:
            name, kind = answer
            self.view.fields.add_target(f"custom:{kind}:{name}")

    def _on_save_clicked(self) -> None:
        self.with_known_fields(self._save_if_allowed)

    def _save_if_allowed(self) -> None:
        if not self.confirm_new_fields(_("Allow creating them")):
            return
        self.view.status.show_busy(_("Saving\u2026"))
        self.save(lambda _saved: self.view.status.show_text("\u2714 " + _("Saved."), "ok"))

    def _on_run_clicked(self) -> None:
        if self.checker.plan is not None:
            self.with_known_fields(self._run_if_allowed)

    def _run_if_allowed(self) -> None:
        if self.checker.plan is None or not self.confirm_new_fields(_("Create them and run")):
            return
        plan = self.checker.plan
        if plan is not None:
            plan = replace(plan, export=replace(plan.export, create_fields=self._create_fields))
            large = plan.large_removals() if plan.export.remove_departed else []
            if large:
                if not self._confirm_removals(plan, large):
                    return
                plan = replace(plan, allow_mass_removal=True)
            ready = plan
            self.save(lambda _: self.launcher.run(ready))

    def _confirm_removals(self, plan: ExportPlan, large: Sequence[LargeRemoval]) -> bool:
        """Most of a list or tag would go: the file may be cut short or the wrong one."""
        destination = plan.destination
        lines = "\n".join(
            _("\u2022 '{segment}': {departed} of the {members} people {name} has").format(
                segment=item.segment,
                departed=fmt.number(item.departed),
                members=fmt.number(item.members),
                name=destination.name,
            )
            for item in large
        )
        message = words.by_audience(
            destination,
            lists=_(
                "This run would take more than half of the people off these lists, because they "
                "are no longer in the segment:\n\n{lines}\n\nIf the profile file is cut short "
                "or is the wrong one, cancel and import the right file. Contacts are never "
                "deleted."
            ),
            tags=_(
                "This run would take these tags off more than half of the people who have them, "
                "because they are no longer in the segment:\n\n{lines}\n\nIf the profile "
                "file is cut short or is the wrong one, cancel and import the right file. "
                "Contacts are never deleted."
            ),
        ).format(lines=lines)
        return self.ui.dialogs.confirm(
            _("Remove most of the people?"), message, _("Remove them and run")
        )

    def _on_run_finished(self, run: object) -> None:
        self._on_form_changed(force=True)

    def _on_send_all_toggled(self, checked: bool) -> None:
        self.checker.send_all = checked
        self._on_form_changed(force=True)

    def _on_dry_run_clicked(self) -> None:
        plan = self.checker.plan
        if plan is not None:
            self.save(lambda _: self.launcher.dry_run(plan))
