"""Every modal question the window asks, behind one object.

The window talks to the user through :class:`Dialogs` only, so tests hand it a scripted
stand-in instead of clicking native dialogs that would block them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.i18n import _, ngettext
from app.ui.kit.layout import caption_text

if TYPE_CHECKING:
    from app.core.destinations import CustomField
    from app.core.schedule import ScheduleInfo
    from app.ui.mapping.schedule_dialog import ScheduleChoice

PROFILE_FILTER = "*.csv *.tsv *.txt *.xlsx *.xls *.parquet model.json"


class Dialogs(QObject):
    """Native dialogs parented to the main window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._parent = parent

    def set_parent_widget(self, parent: QWidget | None) -> None:
        self._parent = parent

    # -- messages ---------------------------------------------------------------------------

    def information(self, title: str, message: str) -> None:
        QMessageBox.information(self._parent, title, message)

    def warning(self, title: str, message: str) -> None:
        QMessageBox.warning(self._parent, title, message)

    def error_details(self, title: str, message: str, details: str) -> None:
        dialog = ErrorDialog(title, message, details, self._parent)
        dialog.exec()

    def confirm(self, title: str, message: str, action: str) -> bool:
        """Ask before something that cannot be undone; ``action`` labels the yes-button."""
        box = QMessageBox(QMessageBox.Icon.Question, title, message, parent=self._parent)
        yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes

    # -- files ------------------------------------------------------------------------------

    def open_profile_files(self) -> list[Path]:
        files, _unused = QFileDialog.getOpenFileNames(
            self._parent,
            _("Import profiles"),
            "",
            _("Profile files ({patterns});;All files (*)").format(patterns=PROFILE_FILTER),
        )
        return [Path(f) for f in files]

    def open_cdm_folder(self) -> Path | None:
        """A Customer Insights export folder (the one that holds its model.json)."""
        folder = QFileDialog.getExistingDirectory(
            self._parent, _("Import a Customer Insights folder")
        )
        return Path(folder) if folder else None

    def choose_entity(self, folder: str, entities: Sequence[tuple[str, int]]) -> str | None:
        """One of a Customer Insights folder's entities, given as (name, number of columns)."""
        dialog = EntityDialog(folder, entities, self._parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.answer()

    def save_csv(self, title: str, suggested: Path) -> Path | None:
        name, _unused = QFileDialog.getSaveFileName(
            self._parent, title, str(suggested), _("CSV files (*.csv)")
        )
        return Path(name) if name else None

    def open_path(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # -- small forms ------------------------------------------------------------------------

    def ask_api_key(self, connection: str) -> str | None:
        return self._ask_text(
            _("API key needed"),
            _(
                "Enter the Autopilot API key for the connection '{name}'. It was not kept "
                "when the program last closed."
            ).format(name=connection),
            placeholder=_("Autopilot API key"),
            password=True,
        )

    def ask_schedule(self, export: str, info: ScheduleInfo) -> ScheduleChoice | None:
        """When ``export`` runs by itself; None when the user cancels."""
        from app.ui.mapping.schedule_dialog import ScheduleDialog

        dialog = ScheduleDialog(export, info, parent=self._parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()

    def ask_source_name(self, file_name: str, suggested: str) -> str | None:
        """The name the profiles imported from ``file_name`` go by; None when cancelled."""
        return self._ask_text(
            _("Import profiles"),
            _(
                "Segments refer to the profiles from {file} by this name. Importing under a "
                "name that exists replaces those profiles."
            ).format(file=file_name),
            caption=_("&Name of the profiles:"),
            initial=suggested,
        )

    def _ask_text(
        self,
        title: str,
        explanation: str,
        *,
        caption: str | None = None,
        initial: str = "",
        placeholder: str = "",
        password: bool = False,
    ) -> str | None:
        """One line of text, explained; None when cancelled or left empty."""
        dialog = TextDialog(
            title,
            explanation,
            caption=caption,
            initial=initial,
            placeholder=placeholder,
            password=password,
            parent=self._parent,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.answer()

    def ask_custom_field(self, known: Sequence[CustomField] = ()) -> tuple[str, str] | None:
        """A custom field to map: one of the account's ``known`` fields, or a new name with
        its type. Returns (name, type) in the mapping's words."""
        dialog = CustomFieldDialog(known, self._parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.answer()


class TextDialog(QDialog):
    """One line of text under its explanation (a name, an API key)."""

    def __init__(
        self,
        title: str,
        explanation: str,
        *,
        caption: str | None = None,
        initial: str = "",
        placeholder: str = "",
        password: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        text = QLabel(explanation)
        text.setWordWrap(True)
        layout.addWidget(text)
        self.field = QLineEdit(initial)
        self.field.setPlaceholderText(placeholder)
        if password:
            self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.selectAll()
        # Named by its caption, or else by what it asks for (the placeholder says it).
        self.field.setAccessibleName(caption_text(caption) if caption else placeholder or title)
        self.field.setAccessibleDescription(explanation)
        if caption is not None:
            label = QLabel(caption)
            label.setBuddy(self.field)
            layout.addWidget(label)
        layout.addWidget(self.field)
        layout.addWidget(_ok_cancel(self))

    def answer(self) -> str | None:
        """The text typed, trimmed; None when left empty."""
        return self.field.text().strip() or None


class EntityDialog(QDialog):
    """Which entity of a Customer Insights folder to import, with its number of columns."""

    def __init__(
        self, folder: str, entities: Sequence[tuple[str, int]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Choose the profiles to import"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        text = QLabel(
            _(
                "The Customer Insights folder '{folder}' holds several tables (entities). "
                "Choose the one with the profiles to import."
            ).format(folder=folder)
        )
        text.setWordWrap(True)
        self.entities = QListWidget()
        for name, columns in entities:
            label = (
                ngettext("{name} ({count} column)", "{name} ({count} columns)", columns)
            ).format(name=name, count=columns)
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.entities.addItem(item)
        self.entities.setCurrentRow(0)
        self.entities.setAccessibleName(_("Tables in the folder"))
        self.entities.itemDoubleClicked.connect(lambda _: self.accept())
        text.setBuddy(self.entities)
        layout.addWidget(text)
        layout.addWidget(self.entities, 1)
        layout.addWidget(_ok_cancel(self))

    def answer(self) -> str | None:
        item = self.entities.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None


class CustomFieldDialog(QDialog):
    """The name (the account's fields to choose from, or a new one) and the type of a field."""

    def __init__(self, known: Sequence[CustomField], parent: QWidget | None = None) -> None:
        # the core, imported when first needed
        from app.core.mapping import CUSTOM_TYPES
        from app.core.mapping.fields import type_words

        super().__init__(parent)
        self.setWindowTitle(_("Add a custom field"))
        self.setMinimumWidth(420)
        # Only fields of a type the mapping can fill are offered; the others (Ortto's phone or
        # select fields, say) could not be sent from a profile column as they are.
        self.known = {f.name.casefold(): f for f in known if f.type in CUSTOM_TYPES}
        form = QFormLayout(self)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name.addItems(sorted((f.name for f in self.known.values()), key=str.casefold))
        self.name.setCurrentIndex(-1)
        editor, completer = self.name.lineEdit(), self.name.completer()
        assert editor is not None and completer is not None  # an editable combo has both
        editor.setPlaceholderText(
            _("choose a field or type a new name")
            if self.known
            else _("for example Loyalty Points")
        )
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.kind = QComboBox()
        for kind in CUSTOM_TYPES:
            self.kind.addItem(type_words(kind), kind)
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        form.addRow(_("Field &name:"), self.name)
        form.addRow(_("&Type:"), self.kind)
        self.name.setAccessibleName(_("Field name"))
        self.kind.setAccessibleName(_("Type"))
        form.addRow(self.note)
        form.addRow(_ok_cancel(self))
        self.name.editTextChanged.connect(self._on_name_edited)
        self._on_name_edited("")

    def _on_name_edited(self, text: str) -> None:
        field = self.known.get(text.strip().casefold())
        if field is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(field.type)))
            self.note.setText(_("A field of the account: its type is set there."))
        elif text.strip() and self.known:
            self.note.setText(_("A new field: a run asks before it creates it."))
        elif self.known:
            self.note.setText(_("The account's fields are listed; or type the name of a new one."))
        else:
            self.note.setText("")
        self.note.setVisible(bool(self.note.text()))
        self.kind.setEnabled(field is None)

    def answer(self) -> tuple[str, str] | None:
        name = self.name.currentText().strip()
        if not name:
            return None
        field = self.known.get(name.casefold())
        if field is not None:
            return field.name, field.type
        return name, str(self.kind.currentData())


def _ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class ErrorDialog(QDialog):
    """An unexpected error: what happened in plain words, and the details to copy."""

    def __init__(self, title: str, message: str, details: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.details = details
        layout = QVBoxLayout(self)
        label = QLabel(message)
        label.setWordWrap(True)
        layout.addWidget(label)
        text = QPlainTextEdit(details)
        text.setReadOnly(True)
        text.setAccessibleName(_("Details of the error"))
        text.setVisible(False)
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(_("&Copy details"), QDialogButtonBox.ButtonRole.ActionRole)
        show = buttons.addButton(_("&Show details"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_details)
        show.clicked.connect(lambda: text.setVisible(not text.isVisible()))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details)
