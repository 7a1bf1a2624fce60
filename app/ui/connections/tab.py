"""Connections: the list, where keys are kept, and removing a connection with its key.

The form itself is the :class:`ConnectionEditor`. Every keyring call goes through the key
vault's thread and the check against the service through the background queue, so the window
never waits on either.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.connections import Connection
from app.core.destinations import destination_for
from app.core.i18n import _
from app.core.secrets import KeyringStatus
from app.ui.connections.editor import ConnectionEditor
from app.ui.connections.view import ConnectionsView
from app.ui.context import UiContext
from app.ui.kit import destination_words as words
from app.ui.kit.layout import fit_columns
from app.ui.kit.style import theme
from app.ui.kit.table_models import Column, RecordModel


class ConnectionsTab(QObject):
    changed = Signal()  # connections were added, edited or removed

    def __init__(self, ui: UiContext, view: ConnectionsView | None = None) -> None:
        view = view or ConnectionsView()
        super().__init__(view)  # the controller lives and dies with its view
        self.ui = ui
        self.view = view
        self.editor = ConnectionEditor(ui, view)
        self.model: RecordModel[Connection] = RecordModel(self._columns(), self)
        view.table.setModel(self.model)
        fit_columns(view.table, stretch=0)
        self._wire()
        self.editor.clear()

    def refresh(self) -> None:
        if not self.ui.vault.is_ready:
            return
        self.model.set_records(self.ui.app.connections.all())
        self.view.stack.setCurrentIndex(0 if self.model.rowCount() else 1)
        if self.editor.editing is not None:
            self._select(self.editor.editing.name)

    def key_state(self, connection: Connection) -> str:
        if connection.key_stored:
            return _("Saved")
        if self.ui.vault.has_session_key(connection.name):
            return _("Kept until you quit")
        return _("Key needed")

    # -- wiring -----------------------------------------------------------------------------

    def _columns(self) -> list[Column[Connection]]:
        def colour(connection: Connection) -> str | None:
            return None if self.key_state(connection) != _("Key needed") else theme().warn

        def service(connection: Connection) -> str:
            return words.service_text(destination_for(connection.service), connection.region)

        return [
            Column(_("Name"), lambda c: c.name),
            Column(_("Service"), service),
            Column(_("API key"), self.key_state, colour=colour),
        ]

    def _wire(self) -> None:
        v = self.view
        v.new_button.clicked.connect(self._on_new_clicked)
        v.remove_button.clicked.connect(self._on_remove_clicked)
        v.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.editor.saved.connect(self._on_saved)
        self.ui.vault.ready.connect(self._on_keyring_status)
        self.ui.vault.status_changed.connect(self._on_keyring_status)
        self.ui.vault.queue.idle.connect(self.editor.update_buttons)

    # -- the keyring ------------------------------------------------------------------------

    def _on_keyring_status(self, status: Any) -> None:
        assert isinstance(status, KeyringStatus)
        bar = self.view.keyring_bar
        if not status.usable:
            bar.set_kind("warning")
            bar.show_message(
                _(
                    "No system keyring was found on this computer, so API keys cannot be saved. "
                    "You can still connect: the key is then kept only until you quit, and you "
                    "will be asked for it again next time."
                ),
                [(_("&Keep keys for this session only"), self._on_keep_for_session)],
            )
        elif not status.persistent:
            bar.set_kind("info")
            bar.show_message(
                _(
                    "No system keyring: keys are kept only until you quit. Connections are "
                    "saved without their key and ask for it again next time."
                )
            )
        else:
            bar.setVisible(False)
        self.view.key_place.setText(self._place_text(status))
        self.refresh()
        self.editor.update_buttons()

    def _place_text(self, status: KeyringStatus) -> str:
        if not status.usable:
            return _("No system keyring found: choose to keep the key for this session.")
        if not status.persistent:
            return _("No system keyring found: the key is kept only until you quit.")
        return _("Saved in {place}.").format(place=status.label)

    def _on_keep_for_session(self) -> None:
        self.ui.vault.keep_keys_for_session()

    # -- the list ---------------------------------------------------------------------------

    def _on_new_clicked(self) -> None:
        self.view.table.clearSelection()
        self.editor.clear()
        self.view.name.setFocus()

    def _on_selection_changed(self, *args: object) -> None:
        rows = self.view.table.selectionModel().selectedRows()
        if rows:
            self.editor.load(self.model.record(rows[0].row()))

    def _on_saved(self, saved: Any) -> None:
        self.refresh()
        self._select(saved.name)
        self.changed.emit()

    def _on_remove_clicked(self) -> None:
        if self.editor.editing is None:
            return
        name = self.editor.editing.name
        place = self.ui.vault.status.label if self.ui.vault.status else ""
        question = _(
            "Remove the connection '{name}'? Its API key is deleted from {place}; the history "
            "of its runs stays."
        ).format(name=name, place=place)
        if not self.ui.dialogs.confirm(_("Remove connection"), question, _("Remove")):
            return
        self.ui.vault.remove(name, self._on_removed, self._on_remove_failed)

    def _on_removed(self, _unused: object) -> None:
        self.editor.clear()
        self.refresh()
        self.view.status.show_text(_("The connection was removed."), "hint")
        self.changed.emit()

    def _on_remove_failed(self, exc: BaseException) -> None:
        self.ui.errors.report(exc, _("The connection was not removed"))

    def _select(self, name: str) -> None:
        row = self.model.find(lambda c: c.name.casefold() == name.casefold())
        if row >= 0:
            selection = self.view.table.selectionModel()
            blocked = selection.blockSignals(True)
            self.view.table.selectRow(row)
            selection.blockSignals(blocked)
