"""The window in Norwegian Bokmål: every tab and the problem screens rendered at 1280x800, no text
cut off, no English shown, Alt keys unique.

Set AUTOPILOT_EXPORTER_SHOTS=DIR to keep the rendered tabs there (to look at them).
"""

from __future__ import annotations

import functools
import os
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.core.secrets import SecretStore
from app.ui.main_window import CONNECTIONS, HISTORY, MAPPING, SEGMENTS, MainWindow
from tests.support.screens.demo import demo_context, seed
from tests.support.screens.problem_shots import problem_shots
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


CATALOG = (
    Path(__file__).resolve().parents[2] / "resources/locale/nb/LC_MESSAGES/autopilot_exporter.po"
)
# Pieces of English that read the same in Norwegian, or are names (of products, menus of
# other programs) that stay English in the Norwegian text too.
SAME_IN_BOTH = re.compile(r"^[\W\d_]*$|Autopilot|Ortto|Excel|CSV|UTF-8|Customer Insights")


@functools.cache
def english_pieces() -> tuple[str, ...]:
    """The English texts of the catalog that a Norwegian window must never show: the literal
    runs of every message (between its placeholders) that have at least three words and are
    not kept as they are in the translation."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    pieces = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = " ".join(
            message.string if isinstance(message.string, tuple) else [message.string]
        )
        for text in ids:
            for literal, *_rest in string.Formatter().parse(text):
                piece = literal.replace("&", "").strip(" .,:;()\n")
                kept = piece in translated or SAME_IN_BOTH.search(piece)
                if len(piece.split()) >= 3 and not kept:
                    pieces.add(piece)
    return tuple(sorted(pieces))


def _texts(window: QWidget) -> Iterator[tuple[str, str]]:
    """(what, text) for every text the user sees on the window now."""
    for button in window.findChildren(QAbstractButton):
        if _shown(button):
            yield "button", button.text()
    for label in window.findChildren(QLabel):
        if _shown(label):
            yield "label", label.text()
    for box in window.findChildren(QGroupBox):
        if _shown(box):
            yield "group", box.title()
    for field in window.findChildren(QLineEdit):
        if _shown(field):
            yield "placeholder", field.placeholderText()
    tabs = getattr(window, "tabs", None)
    if tabs is not None:
        for index in range(tabs.count()):
            yield "tab", tabs.tabText(index)


def shown_in_english(window: QWidget) -> list[str]:
    """Every text shown on the window that holds a piece of an English message."""
    found = []
    for what, text in _texts(window):
        plain = text.replace("&", "")
        found += [f"{what} {text!r}: {piece!r}" for piece in english_pieces() if piece in plain]
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
        if found := clipped(window) + shown_in_english(window):
            problems[name] = found
    assert problems == {}


def test_the_problem_screens_in_norwegian_show_their_words_whole_and_in_norwegian(
    qtbot: QtBot,
    make_window: WindowFactory,
    norwegian: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refused key, too many profiles, a broken file and no keyring, as the screenshots show
    them: every message in Norwegian (the core's ones too), none cut off."""
    outdir = Path(os.environ.get("AUTOPILOT_EXPORTER_SHOTS") or tmp_path)
    outdir.mkdir(parents=True, exist_ok=True)

    def new_context(home: Path, store: SecretStore | None) -> AppContext:
        monkeypatch.setenv("AUTOPILOT_EXPORTER_HOME", str(home))
        return demo_context(store)

    def open_window(context: AppContext) -> MainWindow:
        window = make_window(context)
        window.resize(1280, 800)
        return window

    problems: dict[str, list[str]] = {}
    shot: list[str] = []

    def shoot(window: MainWindow, name: str) -> None:
        settle(qtbot, window)
        window.grab().save(str(outdir / f"{name}.nb.png"))
        shot.append(name)
        if found := clipped(window) + shown_in_english(window):
            problems[name] = found

    problem_shots(new_context, open_window, shoot)
    assert len(shot) == 4
    assert problems == {}


def test_the_scan_finds_english_on_a_norwegian_window(
    qtbot: QtBot, make_window: WindowFactory, norwegian: str
) -> None:
    window = norwegian_window(qtbot, make_window)
    window.connections.view.name.setPlaceholderText("A name you will recognise it by")
    assert shown_in_english(window) == []  # not a catalog text: not a finding
    english = next(p for p in english_pieces() if "profile" in p)
    window.connections.view.name.setPlaceholderText(english)
    assert any(repr(english) in line for line in shown_in_english(window))


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
