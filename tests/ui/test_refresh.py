"""Refreshing profiles in the window: the Refresh button, the notice that a file changed on the
Segments and Mapping tabs, the refusal in a dialog with the data intact, and naming an import."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.core.segments import Rule
from app.ui.main_window import MAPPING, SEGMENTS, MainWindow
from tests.ui.conftest import ScriptedDialogs
from tests.ui.steps import click, define_segment, import_files, settle
from tests.ui.test_segments import write_customers
from tests.ui.test_window import visible_mnemonics


def _touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def _refresh(qtbot: QtBot, window: MainWindow) -> None:
    """Click Refresh and wait for the background work to end (refused or not)."""
    click(qtbot, window.segments.view.refresh_source_button)
    settle(qtbot, window)


def test_a_changed_file_is_noticed_and_refreshed(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = write_customers(tmp_path / "people.csv", 9)
    import_files(qtbot, window, [path])
    define_segment(qtbot, window, "Sweden", "people", [Rule("Country", "eq", "Sweden")])
    notice = window.segments.view.file_notice
    assert not notice.isVisible()

    write_customers(path, 12)
    _touch_later(path)
    window.tabs.setCurrentIndex(MAPPING)
    window.tabs.setCurrentIndex(SEGMENTS)

    assert notice.isVisible()
    assert notice.text.text().startswith("people.csv changed on ")
    assert window.mapping.view.file_notice.text.text() == notice.text.text()
    with qtbot.waitSignal(window.segments.sources.changed, timeout=60_000):
        click(qtbot, notice.action("Refresh no&w"))
    settle(qtbot, window)

    assert not notice.isVisible()
    assert [s.rows for s in window.segments.sources.sources] == [12]
    assert window.segments.member_count("Sweden") == 4
    status = window.segments.view.import_status.text.text()
    assert 'Refreshed "people": 12 rows (9 before)' in status


def test_a_refused_refresh_says_why_and_keeps_the_profiles(
    qtbot: QtBot, window: MainWindow, dialogs: ScriptedDialogs, tmp_path: Path
) -> None:
    path = write_customers(tmp_path / "people.csv", 6)
    import_files(qtbot, window, [path])
    define_segment(qtbot, window, "Sweden", "people", [Rule("Country", "eq", "Sweden")])
    before = window.context.profiles.get_source("people")
    path.write_text("Id;Email\n1;a@example.com\n", encoding="utf-8")
    window.segments.view.sources.selectRow(0)

    _refresh(qtbot, window)

    ((title, message),) = dialogs.asked("warning")
    assert title == "Profiles not refreshed"
    assert 'segment "Sweden" uses "Country"' in message
    assert window.context.profiles.get_source("people") == before
    assert window.segments.member_count("Sweden") == 2


def test_a_missing_file_is_said_without_a_refresh_button(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = write_customers(tmp_path / "people.csv", 3)
    import_files(qtbot, window, [path])
    path.unlink()

    window.tabs.setCurrentIndex(MAPPING)
    window.tabs.setCurrentIndex(SEGMENTS)

    notice = window.segments.view.file_notice
    assert notice.isVisible()
    assert "is no longer at" in notice.text.text()
    _refresh(qtbot, window)
    assert "its file" in window.segments.view.import_status.text.text()
    assert [s.rows for s in window.segments.sources.sources] == [3]


def test_the_import_asks_for_a_name_and_before_replacing(
    qtbot: QtBot, window: MainWindow, dialogs: ScriptedDialogs, tmp_path: Path
) -> None:
    dialogs.answers["ask_source_name"] = lambda file, suggested: "Customers " + suggested
    import_files(qtbot, window, [write_customers(tmp_path / "people.csv", 3)])
    assert dialogs.asked("ask_source_name") == [("people.csv", "people")]
    assert [s.name for s in window.segments.sources.sources] == ["Customers people"]

    dialogs.answers["confirm"] = False
    window.segments.import_files([write_customers(tmp_path / "people.csv", 5)])
    settle(qtbot, window)
    (question,) = dialogs.asked("confirm")
    assert "'Customers people' were imported before" in question[1]
    assert [s.rows for s in window.segments.sources.sources] == [3]

    dialogs.answers["ask_source_name"] = None  # cancelled: nothing is imported
    window.segments.import_files([write_customers(tmp_path / "other.csv", 5)])
    settle(qtbot, window)
    assert [s.name for s in window.segments.sources.sources] == ["Customers people"]


def test_alt_keys_stay_unique_with_the_notice_shown(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = write_customers(tmp_path / "people.csv", 3)
    import_files(qtbot, window, [path])
    define_segment(qtbot, window, "All", "people", [])
    _touch_later(path)
    for tab in (MAPPING, SEGMENTS):
        window.tabs.setCurrentIndex(tab)
        settle(qtbot, window)
        assert window.segments.view.file_notice.isVisible() or tab == MAPPING
        found = visible_mnemonics(window)
        assert ("o" in found and "d" in found) or tab == MAPPING
        clashes = {key: texts for key, texts in found.items() if len(texts) > 1}
        assert not clashes, (tab, clashes)
