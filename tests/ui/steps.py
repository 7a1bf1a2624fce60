"""What a user does in the window, one step per function, driven through the real widgets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from app.core.history import Run
from app.core.segments import Rule
from app.ui.main_window import CONNECTIONS, MAPPING, SEGMENTS, MainWindow

SETTLE_MS = 15_000


def settle(qtbot: QtBot, window: MainWindow, timeout: int = SETTLE_MS) -> None:
    qtbot.waitUntil(window.is_settled, timeout=timeout)


def drop_files(window: MainWindow, paths: Sequence[Path]) -> bool:
    """Drop files on the window as a file manager does; True: the window took them."""
    return _offer_files(window, paths, drop=True)


def drag_files_over(window: MainWindow, paths: Sequence[Path]) -> bool:
    """Drag files from a file manager over the window; True: it would take them."""
    return _offer_files(window, paths, drop=False)


def _offer_files(window: MainWindow, paths: Sequence[Path], *, drop: bool) -> bool:
    data = QMimeData()  # the event only points at it: it must outlive the event
    data.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    event = (QDropEvent if drop else QDragEnterEvent)(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    if drop:
        window.dropEvent(event)
    else:
        window.dragEnterEvent(event)  # type: ignore[arg-type]
    return event.isAccepted()


def click(qtbot: QtBot, button: object) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"  # type: ignore[attr-defined]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def fill_connection(
    qtbot: QtBot,
    window: MainWindow,
    name: str,
    key: str,
    base_url: str,
    *,
    rate_limit: float = 50.0,
    profile_cap: int | None = None,
    agree: bool = True,
    service: str | None = None,
    region: str | None = None,
) -> None:
    window.tabs.setCurrentIndex(CONNECTIONS)
    view = window.connections.view
    click(qtbot, view.new_button)
    view.name.setText(name)
    if service is not None:
        choose(view.service, service)
    if region is not None:
        choose(view.region, region)
    view.key.setText(key)
    view.advanced_toggle.setChecked(True)
    view.base_url.setText(base_url)
    view.rate_limit.setValue(rate_limit)
    if profile_cap is not None:
        view.profile_cap.setValue(profile_cap)
    view.agree.setChecked(agree)


def choose(combo: QComboBox, data: str) -> None:
    """Pick the item of a combo box whose data is ``data``, as a user would by its text."""
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    combo.setCurrentIndex(index)


def connect(qtbot: QtBot, window: MainWindow) -> str:
    """Click Connect and wait for Autopilot's answer; returns the status text."""
    view = window.connections.view
    click(qtbot, view.connect_button)
    qtbot.waitUntil(lambda: not view.status.busy.isVisible(), timeout=SETTLE_MS)
    return view.status.text.text()


def save_connection(qtbot: QtBot, window: MainWindow) -> None:
    view = window.connections.view
    with qtbot.waitSignal(window.connections.changed, timeout=SETTLE_MS):
        click(qtbot, view.save_button)
    settle(qtbot, window)


def add_connection(
    qtbot: QtBot, window: MainWindow, name: str, key: str, base_url: str, **options: object
) -> None:
    fill_connection(qtbot, window, name, key, base_url, **options)  # type: ignore[arg-type]
    status = connect(qtbot, window)
    assert status.startswith("\u2714"), status  # ✔: the service accepted the key
    save_connection(qtbot, window)


def import_sample(qtbot: QtBot, window: MainWindow) -> None:
    window.tabs.setCurrentIndex(SEGMENTS)
    click(qtbot, window.segments.view.sample_button)
    qtbot.waitUntil(lambda: len(window.segments.segment_names()) >= 2, timeout=SETTLE_MS)
    settle(qtbot, window)


def import_files(qtbot: QtBot, window: MainWindow, paths: Sequence[Path]) -> None:
    window.tabs.setCurrentIndex(SEGMENTS)
    with qtbot.waitSignal(window.segments.sources.changed, timeout=60_000):
        window.segments.import_files(list(paths))
    settle(qtbot, window)


def define_segment(
    qtbot: QtBot, window: MainWindow, name: str, source: str, rules: Sequence[Rule]
) -> None:
    window.tabs.setCurrentIndex(SEGMENTS)
    view = window.segments.view
    click(qtbot, view.new_segment_button)
    view.name.setText(name)
    view.source.setCurrentText(source)
    for rule in rules:
        click(qtbot, view.rules.add_button)
        view.rules.rows[-1].set_rule(rule)
    settle(qtbot, window)
    with qtbot.waitSignal(window.segments.changed, timeout=SETTLE_MS):
        click(qtbot, view.save_button)
    settle(qtbot, window)


def new_export(
    qtbot: QtBot, window: MainWindow, name: str, connection: str, segments: Sequence[str]
) -> None:
    window.tabs.setCurrentIndex(MAPPING)
    view = window.mapping.view
    click(qtbot, view.new_button)
    view.name.setText(name)
    view.connection.setCurrentText(connection)
    for row in range(view.segments.count()):
        item = view.segments.item(row)
        if item.data(Qt.ItemDataRole.UserRole) in segments:
            item.setCheckState(Qt.CheckState.Checked)
    settle(qtbot, window)


def run_now(qtbot: QtBot, window: MainWindow, *, timeout: int = 60_000) -> Run:
    with qtbot.waitSignal(window.ui.export.finished, timeout=timeout) as finished:
        click(qtbot, window.mapping.view.run_button)
    settle(qtbot, window)
    run = finished.args[0]
    assert isinstance(run, Run)
    return run
