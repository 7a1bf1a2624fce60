"""The window's language: chosen at start from the saved choice or the operating system.

The choice (``system``, ``en`` or ``nb``) is kept in the window settings and takes effect at the
next start: the window is built once, in one language. Qt's own dialogs and buttons (file
dialogs, standard buttons, context menus) use the ``qtbase`` catalog PySide6 ships.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.core import i18n
from app.ui.window_settings import WindowSettings

# PySide6 ships no qtbase_nb; Nynorsk's words for Qt's standard buttons and dialogs are the
# closest a Bokmål reader gets ("Avbryt", "Ja", "Nei").
QT_CATALOGS = {i18n.NORWEGIAN_BOKMAL: ("qtbase_nb", "qtbase_nn")}

_installed: list[QTranslator] = []  # kept alive: Qt does not own an installed translator
_english_locale: QLocale | None = None  # the default before a language was chosen


def start_language(config_dir: Path) -> str:
    """Activate the saved (or the system's) language for this run; returns the one in use."""
    choice = WindowSettings(config_dir).language()
    language = i18n.activate(i18n.resolve(choice))
    install_qt_catalog(language)
    return language


def install_qt_catalog(language: str) -> bool:
    """Load Qt's own translations for ``language``, and its number format for the widgets
    that format numbers themselves (spin boxes); False when there are none (English)."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    _use_number_format(language)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    for name in QT_CATALOGS.get(language, ()):
        for folder in _qt_translation_dirs():
            translator = QTranslator()
            if translator.load(name, str(folder)):
                app.installTranslator(translator)
                _installed.append(translator)
                return True
    return False


def _use_number_format(language: str) -> None:
    """Spin boxes show "5,0" and "100 000" in Norwegian; English keeps the locale it had."""
    global _english_locale
    if _english_locale is None:
        _english_locale = QLocale()
    if language == i18n.NORWEGIAN_BOKMAL:
        QLocale.setDefault(QLocale(QLocale.Language.NorwegianBokmal, QLocale.Country.Norway))
    else:
        QLocale.setDefault(_english_locale)


def _qt_translation_dirs() -> list[Path]:
    """Where Qt's catalogs are: Qt's own answer, then beside PySide6 (the frozen program)."""
    import PySide6

    package = Path(PySide6.__file__).parent
    return [
        Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
        package / "Qt" / "translations",
        package / "translations",
    ]
