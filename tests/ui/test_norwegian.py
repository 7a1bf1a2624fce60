"""The window in Norwegian Bokmål: every tab rendered at 1280x800, no text cut off, Alt keys unique.

Set AUTOPILOT_EXPORTER_SHOTS=DIR to keep the rendered tabs there (to look at them).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.ui.main_window import CONNECTIONS, HISTORY, MAPPING, SEGMENTS, MainWindow
from tests.support.screens.demo import demo_context, seed
from tests.ui.conftest import WindowFactory
from tests.ui.steps import settle
from tests.ui.test_window import visible_mnemonics

TABS = {
    CONNECTIONS: "1-connections",
    SEGMENTS: "2-segments",
    MAPPING: "3-mapping",
    HISTORY: "4-history",
}


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.visibleRegion().isEmpty() is False


def clipped(window: MainWindow) -> list[str]:
    """Buttons and one-line labels whose text is wider than the widget shows."""
    found = []
    for button in window.findChildren(QAbstractButton):
        text = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        if not text or not _shown(button):
            continue
        needed = button.fontMetrics().horizontalAdvance(text)
        if not button.icon().isNull():
            needed += button.iconSize().width()
        if needed > button.contentsRect().width():
            found.append(f"button {text!r}: {needed} > {button.contentsRect().width()}")
    for label in window.findChildren(QLabel):
        if label.wordWrap() or not _shown(label) or label.textFormat() == Qt.TextFormat.RichText:
            continue
        text = label.text().replace("&", "")
        if not text or "\n" in text or (label.pixmap() is not None and not label.pixmap().isNull()):
            continue
        needed = label.fontMetrics().horizontalAdvance(text)
        if needed > label.contentsRect().width():
            found.append(f"label {text!r}: {needed} > {label.contentsRect().width()}")
    return found


def norwegian_window(qtbot: QtBot, make_window: WindowFactory) -> MainWindow:
    context = demo_context()  # nothing leaves the machine
    seed(context)  # a connection, profiles, segments, exports and runs, as in the screenshots
    window = make_window(context)
    window.resize(1280, 800)
    window.connections.view.table.selectRow(0)
    window.segments.view.segments.selectRow(0)
    window.mapping.view.exports.selectRow(0)
    window.history.view.runs.selectRow(0)
    return window


def test_every_tab_in_norwegian_shows_its_words_whole(
    qtbot: QtBot, make_window: WindowFactory, norwegian: str, tmp_path: Path
) -> None:
    window = norwegian_window(qtbot, make_window)
    outdir = Path(os.environ.get("AUTOPILOT_EXPORTER_SHOTS") or tmp_path)
    outdir.mkdir(parents=True, exist_ok=True)
    problems = {}
    for tab, name in TABS.items():
        window.tabs.setCurrentIndex(tab)
        settle(qtbot, window)
        image = window.grab()
        assert (image.width(), image.height()) == (1280, 800)
        image.save(str(outdir / f"{name}.nb.png"))
        if found := clipped(window):
            problems[name] = found
    assert problems == {}


def test_every_alt_key_is_unique_in_norwegian_too(
    qtbot: QtBot, make_window: WindowFactory, norwegian: str
) -> None:
    window = norwegian_window(qtbot, make_window)
    window.panel.start("Sender 'Nyhetsbrev Norge, november' til Autopilot")
    window.connections.view.advanced_toggle.setChecked(True)
    for tab in TABS:
        window.tabs.setCurrentIndex(tab)
        settle(qtbot, window)
        found = visible_mnemonics(window)
        clashes = {key: texts for key, texts in found.items() if len(texts) > 1}
        assert not clashes, (window.tabs.tabText(tab), clashes)
