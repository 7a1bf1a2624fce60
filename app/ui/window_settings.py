"""Window geometry, the last tab, the language and when the window was last closed, in an INI
file beside the program's other settings.

QSettings' default place is the user's home; the program keeps everything under one tree (which
``AUTOPILOT_EXPORTER_HOME`` moves), so the file lives in the config directory instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QTabWidget

from app.core.i18n import LANGUAGES, SYSTEM

FILE_NAME = "window.ini"
SYSTEM_LANGUAGE = SYSTEM
LANGUAGE_CHOICES = (SYSTEM, *LANGUAGES)


class WindowSettings:
    def __init__(self, config_dir: Path) -> None:
        self.path = config_dir / FILE_NAME

    def _open(self) -> QSettings:
        # A QSettings per use: one object is never shared between threads or kept open.
        return QSettings(str(self.path), QSettings.Format.IniFormat)

    def restore(self, window: QMainWindow, tabs: QTabWidget) -> bool:
        """Restore what was saved; False when nothing was (first start)."""
        settings = self._open()
        geometry = settings.value("window/geometry")
        restored = isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)
        tab = settings.value("window/tab", 0)
        try:
            index = int(str(tab))
        except ValueError:
            index = 0
        if 0 <= index < tabs.count():
            tabs.setCurrentIndex(index)
        return bool(restored)

    def save(self, window: QMainWindow, tabs: QTabWidget) -> None:
        settings = self._open()
        settings.setValue("window/geometry", window.saveGeometry())
        settings.setValue("window/tab", tabs.currentIndex())
        settings.sync()

    def save_closed(self, moment: datetime | None = None) -> None:
        """Remember when the window closed: runs that fail after it are shown at the next start."""
        settings = self._open()
        settings.setValue("notices/closed_at", (moment or datetime.now(UTC)).isoformat())
        settings.sync()

    def closed_at(self) -> datetime | None:
        """When the window was last closed; None before it ever was (or when unreadable)."""
        value = self._open().value("notices/closed_at")
        try:
            moment = datetime.fromisoformat(str(value)) if value else None
        except ValueError:
            return None
        if moment is not None and moment.tzinfo is None:
            return None
        return moment

    def language(self) -> str:
        """The saved language choice: ``system`` (the default), or a language code."""
        value = self._open().value("ui/language", SYSTEM_LANGUAGE)
        return str(value) if value in LANGUAGE_CHOICES else SYSTEM_LANGUAGE

    def set_language(self, choice: str) -> None:
        settings = self._open()
        settings.setValue("ui/language", choice if choice in LANGUAGE_CHOICES else SYSTEM_LANGUAGE)
        settings.sync()
