"""Options > Language: saved for the next start, applied before the window is built."""

from __future__ import annotations

from pathlib import Path

from app.core import i18n
from app.ui.language import install_qt_catalog, start_language
from app.ui.main_window import MainWindow
from app.ui.window_settings import WindowSettings
from tests.ui.conftest import ScriptedDialogs


def test_choosing_a_language_saves_it_for_the_next_start(
    window: MainWindow, dialogs: ScriptedDialogs
) -> None:
    assert window.language_actions is not None
    actions = window.language_actions.actions()
    assert [a.text() for a in actions] == ["&Follow the system", "English", "Norsk bokmål"]
    assert [a.isChecked() for a in actions] == [True, False, False]
    actions[2].trigger()
    assert window.settings.language() == "nb"
    assert "next time you start" in dialogs.asked("information")[0][1]
    assert window.tabs.tabText(0) == "&1  Connections", "the window stays as it was built"


def test_the_saved_language_is_used_at_start(tmp_path: Path) -> None:
    WindowSettings(tmp_path).set_language("nb")
    assert start_language(tmp_path) == "nb"
    assert i18n._("&Quit") == "&Avslutt"
    WindowSettings(tmp_path).set_language("en")
    assert start_language(tmp_path) == "en"
    assert i18n._("&Quit") == "&Quit"
    install_qt_catalog("en")


def test_qt_dialogs_speak_norwegian_too(norwegian: str) -> None:
    from PySide6.QtCore import QCoreApplication

    try:
        assert install_qt_catalog("nb")
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Avbryt"
    finally:
        install_qt_catalog("en")
