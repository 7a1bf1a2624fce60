"""What the menu bar's File, Settings and Help menus hold (the frame makes the menus)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from app import __version__
from app.core.connections import PRIVACY_NOTICE
from app.core.i18n import LANGUAGE_NAMES, LANGUAGES, SYSTEM, _

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def fill_menus(window: MainWindow) -> None:
    file_menu = window.file_menu
    import_action = QAction(_("&Import profiles..."), window)
    import_action.setShortcut(QKeySequence.StandardKey.Open)
    import_action.triggered.connect(window.import_profiles)
    sample_action = QAction(_("Try it with &sample data"), window)
    sample_action.triggered.connect(window.import_sample)
    quit_action = QAction(_("&Quit"), window)
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.triggered.connect(window.close)
    erase_action = QAction(_("&Delete all data..."), window)
    erase_action.triggered.connect(window.erase_all_data)
    rebuild_action = QAction(_("&Rebuild profile data..."), window)
    rebuild_action.triggered.connect(window.rebuild_profiles)
    file_menu.addAction(import_action)
    file_menu.addAction(sample_action)
    file_menu.addSeparator()
    file_menu.addAction(rebuild_action)
    file_menu.addAction(erase_action)
    file_menu.addSeparator()
    file_menu.addAction(quit_action)
    window.import_action = import_action

    fill_language_menu(window)

    help_menu = window.help_menu
    dialogs, paths = window.ui.dialogs, window.ui.app.paths
    entries = (
        (_("&About"), lambda: dialogs.information(_("About"), about_text(window))),
        (
            _("&Privacy notice"),
            lambda: dialogs.information(_("Data privacy and compliance"), _(PRIVACY_NOTICE)),
        ),
        (_("Open &data folder"), lambda: dialogs.open_path(paths.data_dir)),
        (_("Open &log"), lambda: dialogs.open_path(paths.log_file)),
    )
    for caption, slot in entries:
        action = QAction(caption, window)
        action.triggered.connect(slot)
        help_menu.addAction(action)


def about_text(window: MainWindow) -> str:
    return _(
        "Autopilot Segment Exporter {version}\n\nExports segments of your customer profiles to "
        "lists in Autopilot, from your desktop. Your data stays on this computer until you run "
        "an export.\n\nData folder: {data}\nLog file: {log}"
    ).format(
        version=__version__,
        data=window.ui.app.paths.data_dir,
        log=window.ui.app.paths.log_file,
    )


def fill_language_menu(window: MainWindow) -> None:
    """Settings > Language: follow the system, or one language; used from the next start."""
    menu = window.settings_menu.addMenu(_("&Language"))
    group = QActionGroup(menu)
    saved = window.settings.language()
    choices = [(SYSTEM, _("&Follow the system"))]
    choices += [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
    for code, caption in choices:
        action = QAction(caption, menu)
        action.setCheckable(True)
        action.setChecked(code == saved)
        action.setData(code)
        action.triggered.connect(lambda _checked=False, c=code: choose_language(window, c))
        group.addAction(action)
        menu.addAction(action)
    window.language_actions = group


def choose_language(window: MainWindow, choice: str) -> None:
    if choice == window.settings.language():
        return
    window.settings.set_language(choice)
    window.ui.dialogs.information(
        _("Language"),
        _(
            "The new language is used the next time you start Autopilot Segment Exporter. "
            "Close the program and open it again to see it."
        ),
    )
