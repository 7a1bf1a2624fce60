"""Screenshots of what goes wrong: a refused key, no keyring, too many profiles, a bad file.

Each state is reached through the same code the window runs; only Autopilot's answer to a wrong
key is handed to the form directly, because no Autopilot is reachable from here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from keyring.backends import fail

from app.context import AppContext
from app.core.destinations.autopilot import AuthError, auth_rejected
from app.core.secrets import KeyringSecretStore, SecretStore
from app.ui.main_window import CONNECTIONS, MAPPING, SEGMENTS, MainWindow
from tests.support.screens.demo import CONNECTION, EXPORT, seed

Shoot = Callable[[MainWindow, str], object]
OpenWindow = Callable[[AppContext], MainWindow]
NewContext = Callable[[Path, SecretStore | None], AppContext]


def problem_shots(new_context: NewContext, open_window: OpenWindow, shoot: Shoot) -> None:
    with tempfile.TemporaryDirectory() as home:
        context = new_context(Path(home), None)
        seed(context)
        saved = context.connections.get(CONNECTION)
        context.connections.save(replace(saved, profile_cap=50))
        window = open_window(context)
        _wrong_key(window)
        shoot(window, "6-problem-wrong-key")
        _over_cap(window)
        shoot(window, "7-problem-over-the-cap")
        _broken_file(window, Path(home))
        shoot(window, "8-problem-broken-file")
        window.close()
    with tempfile.TemporaryDirectory() as home:
        no_keyring = KeyringSecretStore(fail.Keyring())  # type: ignore[no-untyped-call]
        context = new_context(Path(home), no_keyring)
        window = open_window(context)
        window.connections.view.name.setText("Autopilot (marketing)")
        shoot(window, "9-problem-no-keyring")
        window.close()


def _wrong_key(window: MainWindow) -> None:
    window.tabs.setCurrentIndex(CONNECTIONS)
    view = window.connections.view
    view.new_button.click()
    view.name.setText("Autopilot (sales)")
    view.key.setText("0f9a7c2e51d84b3a")
    view.agree.setChecked(True)
    window.connections.editor.check.failed.emit(AuthError(auth_rejected()))


def _over_cap(window: MainWindow) -> None:
    window.tabs.setCurrentIndex(MAPPING)
    row = window.mapping.model.find(lambda e: e.name == EXPORT)
    window.mapping.view.exports.selectRow(row)


def _broken_file(window: MainWindow, home: Path) -> None:
    broken = home / "customers-export.csv"
    broken.write_text("CustomerId;PrimaryEmail;Country\n", encoding="utf-8")
    window.tabs.setCurrentIndex(SEGMENTS)
    window.segments.sources.import_files([broken], names=["customers-export"])
