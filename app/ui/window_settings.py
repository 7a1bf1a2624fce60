"""Window geometry and the last tab, in an INI file beside the program's other settings.

QSettings' default place is the user's home; the program keeps everything under one tree (which
``AUTOPILOT_EXPORTER_HOME`` moves), so the file lives in the config directory instead.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QTabWidget

FILE_NAME = "window.ini"


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
