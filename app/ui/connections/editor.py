"""The connection form: consent before Connect, a new key saved only after the service took it.

Which Autopilot (Journeys or Ortto, with its data region) decides where the key is made, the
base URL and the default rate; those two follow the choice until the user changes them.
Changing other settings of a saved connection needs no reconnect. Saving goes through the key
vault's thread because it writes the key to the keyring.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLineEdit

from app.core.connections import (
    DEFAULT_PROFILE_CAP,
    DEFAULT_SERVICE,
    PRIVACY_NOTICE_VERSION,
    Connection,
    validate_settings,
)
from app.core.destinations import Destination, destination_for
from app.core.destinations.http.urls import validate_base_url
from app.core.errors import AlreadyExistsError, AppError, UsageError
from app.core.i18n import _, ngettext
from app.core.store import utc_now
from app.ui.connections.check import ConnectionCheck
from app.ui.connections.view import ConnectionsView
from app.ui.context import UiContext
from app.ui.errors import connect_message, is_expected, user_message
from app.ui.kit import destination_words as words

OK, FAILED = "\u2714 ", "\u2716 "


class ConnectionEditor(QObject):
    saved = Signal(object)  # the Connection as stored

    def __init__(self, ui: UiContext, view: ConnectionsView) -> None:
        super().__init__(view)
        self.ui = ui
        self.view = view
        self.editing: Connection | None = None
        self.check = ConnectionCheck(ui, self)
        # What the form shows now; the base URL and rate follow it unless the user changed them.
        self._shown: tuple[Destination, str | None] = (destination_for(DEFAULT_SERVICE), None)
        self._wire()

    def clear(self) -> None:
        v = self.view
        self.editing = None
        v.form_title.setText(_("New connection"))
        self._fill(Connection(""), agreed=False)

    def load(self, connection: Connection) -> None:
        self.editing = connection
        self.view.form_title.setText(_("Connection '{name}'").format(name=connection.name))
        agreed = connection.consent_at is not None
        self._fill(connection, agreed and connection.consent_version == PRIVACY_NOTICE_VERSION)

    def update_buttons(self, *args: object) -> None:
        v = self.view
        ready = self.ui.vault.is_ready and not self.ui.vault.busy() and not self.check.running
        agreed = v.agree.isChecked()
        v.connect_button.setEnabled(ready and agreed and not self._missing_key())
        verified = self.check.verified == (
            self._service(),
            v.base_url.text().strip(),
            self._typed_key(),
        )
        can_save = bool(v.name.text().strip()) and agreed and self.ui.vault.usable
        if self._needs_new_key():
            can_save = can_save and verified
        v.save_button.setEnabled(ready and can_save)
        v.remove_button.setEnabled(self.editing is not None and ready)

    # -- the form ---------------------------------------------------------------------------

    def _wire(self) -> None:
        v = self.view
        v.show_key.toggled.connect(self._on_show_key_toggled)
        v.advanced_toggle.toggled.connect(self._on_advanced_toggled)
        v.agree.toggled.connect(self.update_buttons)
        v.key.textChanged.connect(self._on_key_edited)
        v.base_url.textChanged.connect(self._on_key_edited)
        v.service.currentIndexChanged.connect(self._on_service_changed)
        v.region.currentIndexChanged.connect(self._on_region_changed)
        v.name.textChanged.connect(self.update_buttons)
        v.connect_button.clicked.connect(self._on_connect_clicked)
        v.save_button.clicked.connect(self._on_save_clicked)
        self.check.succeeded.connect(self._on_check_succeeded)
        self.check.failed.connect(self._on_check_failed)

    def _fill(self, connection: Connection, agreed: bool) -> None:
        v = self.view
        self.check.forget()
        v.name.setText(connection.name)
        v.key.setText("")
        destination = destination_for(connection.service)
        self._show_destination(destination, connection.region)
        v.base_url.setText(connection.base_url or self._default_url(*self._shown))
        v.rate_limit.setValue(connection.rate_limit or destination.default_rate_limit)
        v.profile_cap.setValue(connection.profile_cap or DEFAULT_PROFILE_CAP)
        v.agree.setChecked(agreed)
        v.name_problem.set_problems([])
        v.settings_problem.set_problems([])
        v.status.clear()
        self.update_buttons()

    def _form_connection(self) -> Connection:
        v = self.view
        consent = None
        if v.agree.isChecked():
            earlier = self.editing.consent_at if self.editing is not None else None
            consent = earlier or utc_now()
        return Connection(
            name=v.name.text().strip(),
            base_url=v.base_url.text().strip(),
            rate_limit=v.rate_limit.value(),
            profile_cap=v.profile_cap.value(),
            consent_at=consent,
            consent_version=PRIVACY_NOTICE_VERSION,
            service=self._service(),
            region=self._region(),
        )

    # -- which Autopilot ---------------------------------------------------------------------

    def _service(self) -> str:
        return str(self.view.service.currentData() or DEFAULT_SERVICE)

    def _region(self) -> str | None:
        return str(self.view.region.currentData() or "") or None

    @staticmethod
    def _default_url(destination: Destination, region: str | None) -> str:
        return destination.base_url(region if words.has_regions(destination) else None)

    def _show_destination(self, destination: Destination, region: str | None) -> None:
        """The choice, its regions and every text that names the service, without touching
        the base URL or rate (the caller decides those)."""
        v = self.view
        for combo in (v.service, v.region):
            combo.blockSignals(True)
        v.service.setCurrentIndex(max(0, v.service.findData(destination.service)))
        v.region.clear()
        regions = [code for code in destination.regions if code]
        for code in regions:
            v.region.addItem(words.region(code), code)
        if regions:
            v.region.setCurrentIndex(max(0, v.region.findData(region or regions[0])))
        for combo in (v.service, v.region):
            combo.blockSignals(False)
        v.form.setRowVisible(v.region, bool(regions))
        self._shown = (destination, self._region())
        self._name_service(destination)

    def _name_service(self, destination: Destination) -> None:
        v, name = self.view, destination.name
        v.key_hint.setText(destination.key_help())
        if self.editing is not None and self._has_key(self.editing):
            placeholder = _("saved; paste a new key only to replace it")
        elif self.editing is not None:
            placeholder = _("key needed: paste the key from {name}").format(name=name)
        else:
            placeholder = _("paste the key from {name}").format(name=name)
        v.key.setPlaceholderText(placeholder)
        v.agree.setText(_("&I agree: send this data to {name} on my behalf").format(name=name))
        v.connect_button.setToolTip(_("Check the API key with {name}").format(name=name))
        v.limits_hint.setText(
            _(
                "{name} takes {rate:g} requests per second by default, and Customer Insights "
                "100,000 profiles per export, unless your contract says otherwise."
            ).format(name=name, rate=destination.default_rate_limit)
        )

    def _follow_choice(self, destination: Destination) -> None:
        """Another service or region: the base URL and rate follow unless the user set them."""
        v = self.view
        old, old_region = self._shown
        old_url = self._default_url(old, old_region)
        self._show_destination(destination, self._region())
        if v.base_url.text().strip() in ("", old_url):
            v.base_url.setText(self._default_url(*self._shown))
        if v.rate_limit.value() == old.default_rate_limit:
            v.rate_limit.setValue(destination.default_rate_limit)
        self._on_key_edited()

    def _has_key(self, connection: Connection) -> bool:
        return connection.key_stored or self.ui.vault.has_session_key(connection.name)

    def _typed_key(self) -> str:
        return self.view.key.text().strip()

    def _needs_new_key(self) -> bool:
        return bool(self._typed_key()) or self.editing is None or not self._has_key(self.editing)

    def _missing_key(self) -> bool:
        return not self._typed_key() and self._needs_new_key()

    def _checked_settings(self) -> Connection | None:
        """The form as a Connection, or None with the problems shown next to their fields."""
        v = self.view
        name_problems = [] if v.name.text().strip() else [_("Give the connection a name.")]
        v.name_problem.set_problems(name_problems)
        try:
            validate_base_url(v.base_url.text())
        except UsageError as exc:
            v.settings_problem.set_problems([user_message(exc)])
            v.advanced_toggle.setChecked(True)
            return None
        v.settings_problem.set_problems([])
        connection = self._form_connection()
        if name_problems:  # Connect works before a name is given; Save does not
            connection = replace(connection, name="unnamed")
        try:
            return validate_settings(connection)
        except AppError as exc:
            v.status.show_text(FAILED + user_message(exc), "problem")
            return None

    # -- slots ------------------------------------------------------------------------------

    def _on_show_key_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.view.key.setEchoMode(mode)
        self.view.show_key.setText(_("Hi&de") if shown else _("Sho&w"))

    def _on_advanced_toggled(self, shown: bool) -> None:
        self.view.advanced.setVisible(shown)
        arrow = Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        self.view.advanced_toggle.setArrowType(arrow)

    def _on_service_changed(self, *args: object) -> None:
        self._follow_choice(destination_for(self._service()))

    def _on_region_changed(self, *args: object) -> None:
        self._follow_choice(self._shown[0])

    def _on_key_edited(self, *args: object) -> None:
        if self.check.verified is not None:
            self.view.status.clear()
        self.update_buttons()

    def _on_connect_clicked(self) -> None:
        connection = self._checked_settings()
        if connection is None:
            return
        name = self._shown[0].name
        self.view.status.show_busy(_("Checking the key with {name}...").format(name=name))
        key = self._typed_key()
        if key:
            self.check.check_typed(connection, self.view.base_url.text().strip(), key)
        elif self.editing is not None:
            self.check.check_stored(connection, self.editing)
        self.update_buttons()

    def _on_check_succeeded(self, typed: bool) -> None:
        name = self._shown[0].name
        if typed:
            text = _("Connected: {name} accepted the key. Save the connection to keep it.").format(
                name=name
            )
        else:
            text = _("Connected: {name} accepted the saved key.").format(name=name)
        self.view.status.show_text(OK + text + self._fields_text(), "ok")
        self.update_buttons()

    def _fields_text(self) -> str:
        """How many custom fields the account has, where the destination lists them."""
        accepted = self.check.accepted
        if accepted is None or not accepted.fields:
            return ""
        count = len(accepted.fields)
        return " " + ngettext(
            "The account has {n} custom field.", "The account has {n} custom fields.", count
        ).format(n=count)

    def _on_check_failed(self, exc: Any) -> None:
        if not is_expected(exc):
            self.ui.errors.report(exc, _("Checking the key failed"))
        self.view.status.show_text(FAILED + connect_message(exc, self._shown[0]), "problem")
        self.update_buttons()

    def _on_save_clicked(self) -> None:
        connection = self._checked_settings()
        if connection is None or self.view.name_problem.problems:
            return
        self.view.status.show_busy(_("Saving..."))
        self.view.save_button.setEnabled(False)
        self.ui.vault.save(
            connection,
            self._typed_key() or None,
            self._on_saved,
            self._on_save_failed,
            original_name=self.editing.name if self.editing else None,
            custom_fields=self.check.fields_for(connection),
        )

    def _on_saved(self, saved: Any) -> None:
        assert isinstance(saved, Connection)
        self.load(saved)
        place = self.ui.vault.status.label if self.ui.vault.status else ""
        text = _("Saved. The API key is kept in {place}.").format(place=place)
        self.view.status.show_text(OK + text, "ok")
        self.saved.emit(saved)

    def _on_save_failed(self, exc: BaseException) -> None:
        if isinstance(exc, AlreadyExistsError):
            self.view.name_problem.set_problems([user_message(exc)])
            self.view.status.clear()
        elif is_expected(exc):
            self.view.status.show_text(FAILED + user_message(exc), "problem")
        else:
            self.view.status.clear()
            self.ui.errors.report(exc, _("Saving the connection failed"))
        self.update_buttons()
