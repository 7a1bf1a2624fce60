"""Segments: importing profiles in the background, live counts, preview, saving and removing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.context import build_context
from app.core.clock import FixedCalendar
from app.core.errors import BusyError
from app.core.segments import Rule
from app.ui.kit.layout import MEASURED_ROWS, fit_preview, table
from app.ui.kit.table_models import RowsModel
from app.ui.main_window import SEGMENTS, MainWindow
from app.ui.segments.sample_data import SAMPLE_SOURCE
from tests.support.cdm import SAMPLE, Part, Table, write_cdm
from tests.ui.conftest import ScriptedDialogs, WindowFactory
from tests.ui.steps import (
    choose,
    click,
    define_segment,
    drag_files_over,
    drop_files,
    import_files,
    import_sample,
    settle,
)


def write_customers(path: Path, rows: int) -> Path:
    lines = ["Id;Email;Country;Points"]
    lines += [
        f"{i};person{i}@example.com;{'Norway' if i % 3 else 'Sweden'};{i * 10}"
        for i in range(1, rows + 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_first_run_says_what_to_do(window: MainWindow) -> None:
    window.tabs.setCurrentIndex(SEGMENTS)
    view = window.segments.view
    assert view.pages.currentWidget() is view.no_sources
    assert "Import profiles to define segments" in view.no_sources.text()


def test_sample_data_imports_in_one_click_with_example_segments(
    qtbot: QtBot, window: MainWindow
) -> None:
    import_sample(qtbot, window)
    sources = window.segments.sources.sources
    assert [(s.name, s.rows) for s in sources] == [(SAMPLE_SOURCE, 300)]
    assert "300 rows" in window.segments.view.import_status.text.text()
    assert window.segments.segment_names() == [
        "Loyal customers",
        "Newsletter subscribers in Norway",
    ]
    norway = window.segments.member_count("Newsletter subscribers in Norway")
    assert norway is not None and 0 < norway < 300
    assert window.segments.view.preview.model().rowCount() == min(norway, 100)


def test_rules_update_the_count_and_preview_without_blocking(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    import_files(qtbot, window, [write_customers(tmp_path / "people.csv", 30)])
    view = window.segments.view
    click(qtbot, view.new_segment_button)
    settle(qtbot, window)
    assert window.segments.editor.current_count == 30
    click(qtbot, view.rules.add_button)
    row = view.rules.rows[-1]
    row.set_rule(Rule("Country", "eq", "Sweden"))
    # Typing fires many changes; only the newest count is shown.
    for text in ("S", "Sw", "Swe", "Swed", "Swede", "Sweden"):
        row.value.setText(text)
    settle(qtbot, window)
    assert window.segments.editor.current_count == 10
    assert view.count.text() == "10 members"
    model = view.preview.model()
    assert model.rowCount() == 10
    assert model.index(0, 0).data() == "3"  # source row numbers, in source order


def test_a_rule_problem_is_shown_next_to_the_rules(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    import_files(qtbot, window, [write_customers(tmp_path / "people.csv", 5)])
    view = window.segments.view
    click(qtbot, view.new_segment_button)
    click(qtbot, view.rules.add_button)
    view.rules.rows[-1].set_rule(Rule("Points", "gt", ""))
    settle(qtbot, window)
    assert view.problems.isVisible()
    assert "'is greater than' needs a value" in view.problems.text()
    assert window.segments.editor.current_count is None


def test_saving_and_removing_a_segment(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, dialogs: ScriptedDialogs
) -> None:
    import_files(qtbot, window, [write_customers(tmp_path / "people.csv", 9)])
    define_segment(qtbot, window, "Swedes", "people", [Rule("Country", "eq", "sweden")])
    assert window.segments.segment_names() == ["Swedes"]
    assert window.segments.member_count("Swedes") == 3
    assert window.ui.app.segments.get("Swedes").rules == (Rule("Country", "eq", "sweden"),)
    with qtbot.waitSignal(window.segments.changed, timeout=10_000):
        click(qtbot, window.segments.view.remove_segment_button)
    assert dialogs.asked("confirm")
    assert window.segments.segment_names() == []


def test_a_broken_file_is_explained_and_changes_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("Email;Name\n", encoding="utf-8")  # a header and no rows
    window.segments.import_files([broken])
    status = window.segments.view.import_status.text
    qtbot.waitUntil(lambda: status.text().startswith("\u2716"), timeout=10_000)
    assert "no data rows" in status.text()
    assert window.segments.sources.sources == []


def test_dropping_a_file_on_the_window_imports_it(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = write_customers(tmp_path / "dropped.csv", 4)
    assert drag_files_over(window, [path])
    with qtbot.waitSignal(window.segments.sources.changed, timeout=10_000):
        assert drop_files(window, [path])
    assert [s.name for s in window.segments.sources.sources] == ["dropped"]
    assert window.tabs.currentIndex() == SEGMENTS


def test_reimporting_a_name_asks_before_replacing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, dialogs: ScriptedDialogs
) -> None:
    path = write_customers(tmp_path / "people.csv", 4)
    import_files(qtbot, window, [path])
    dialogs.answers["confirm"] = False
    window.segments.import_files([write_customers(path, 8)])
    settle(qtbot, window)
    assert dialogs.asked("confirm")
    assert window.segments.sources.sources[0].rows == 4


def test_tab_moves_through_added_rule_rows_in_order(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    import_files(qtbot, window, [write_customers(tmp_path / "people.csv", 3)])
    rules = window.segments.view.rules
    click(qtbot, window.segments.view.new_segment_button)
    click(qtbot, rules.add_button)
    click(qtbot, rules.add_button)
    first, second = rules.rows
    assert first.value.nextInFocusChain() is first.days  # shown instead for day rules
    assert first.remove.nextInFocusChain() is second.field
    assert second.remove.nextInFocusChain() is rules.add_button
    settle(qtbot, window)


def test_a_preview_is_measured_from_its_first_rows_and_only_when_its_columns_change(
    qtbot: QtBot,
) -> None:
    view = table()
    qtbot.addWidget(view)
    model = RowsModel()
    view.setModel(model)
    headers = ["Row", "Email", "Country"]
    model.set_rows(headers, [[str(i), f"person{i}@example.com", "Norway"] for i in range(100)])
    fit_preview(view, headers)
    assert view.horizontalHeader().resizeContentsPrecision() == MEASURED_ROWS
    measured = view.columnWidth(1)
    assert measured > view.horizontalHeader().sectionSizeFromContents(1).width()
    view.setColumnWidth(1, measured + 40)  # the user widened it
    model.set_rows(headers, [["1", "a-much-longer-address-than-before@example.com", "Sweden"]])
    fit_preview(view, headers)
    assert view.columnWidth(1) == measured + 40, "new rows under the same columns: no remeasure"
    wider = [*headers, "LoyaltyPoints"]
    model.set_rows(wider, [["1", "a@example.com", "Norway", "120"]])
    fit_preview(view, wider)
    assert view.columnWidth(1) < measured, "other columns: measured again"


def test_a_list_count_that_fails_says_so_and_is_tried_again_on_the_next_change(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_files(qtbot, window, [write_customers(tmp_path / "people.csv", 9)])
    define_segment(qtbot, window, "Swedes", "people", [Rule("Country", "eq", "sweden")])
    service = window.ui.app.segments
    counting = service.count

    def busy(segment: object) -> int:
        raise BusyError("The profiles are being written by another program; try again soon.")

    monkeypatch.setattr(service, "count", busy)
    window.segments.refresh()
    settle(qtbot, window)
    problem = window.segments.view.list_problem
    assert problem.isVisible()
    assert "being written by another program" in problem.text()
    assert window.segments.model.index(0, 1).data() == "?", "no count that never comes"

    monkeypatch.setattr(service, "count", counting)
    click(qtbot, window.segments.view.new_segment_button)  # any change of the form
    settle(qtbot, window)
    assert not problem.isVisible()
    assert window.segments.member_count("Swedes") == 3
    assert window.segments.model.index(0, 1).data() == "3"


def test_a_rule_counted_back_from_today_takes_a_number_of_days(
    qtbot: QtBot, make_window: WindowFactory, keyring_backend: str, tmp_path: Path
) -> None:
    today = date(2026, 3, 10)
    window = make_window(build_context(calendar=FixedCalendar(today)))
    days_ago = (0, 0, 1, 7, 8, 30, -1)
    lines = [f"{n};{today - timedelta(days=n)}" for n in days_ago]
    path = tmp_path / "signups.csv"
    path.write_text("\n".join(["Ago;Signed up", *lines, "x;", "y;soon"]) + "\n", "utf-8")
    import_files(qtbot, window, [path])
    window.tabs.setCurrentIndex(SEGMENTS)
    view = window.segments.view
    click(qtbot, view.new_segment_button)
    click(qtbot, view.rules.add_button)
    row = view.rules.rows[-1]
    row.field.setCurrentText("Signed up")
    choose(row.op, "within-days")
    settle(qtbot, window)
    assert row.op.currentText() == "is in the last \u2026 days"
    assert row.days.isVisible() and not row.value.isVisible()
    # Tab goes from the operator to the number of days, then to the row's remove button.
    window.activateWindow()
    row.op.setFocus()
    qtbot.keyClick(row.op, Qt.Key.Key_Tab)
    assert row.days.hasFocus()
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    assert row.remove.hasFocus()
    row.days.setValue(7)
    settle(qtbot, window)
    assert (row.days.text(), view.count.text()) == ("7 days", "4 members")
    assert view.preview.model().rowCount() == 4
    # The number field steps with the keyboard.
    row.days.setFocus()
    qtbot.keyClick(row.days, Qt.Key.Key_Up)
    settle(qtbot, window)
    assert (row.days.text(), view.count.text()) == ("8 days", "5 members")
    row.days.setValue(0)
    settle(qtbot, window)
    assert view.count.text() == "2 members"
    choose(row.op, "older-than-days")
    row.days.setValue(1)
    settle(qtbot, window)
    assert (row.days.text(), view.count.text()) == ("1 day ago", "3 members")
    view.name.setText("Lapsed")
    with qtbot.waitSignal(window.segments.changed, timeout=10_000):
        click(qtbot, view.save_button)
    saved = window.ui.app.segments.get("Lapsed")
    assert saved.rules == (Rule("Signed up", "older-than-days", "1"),)
    # Loaded again, the rule shows its number of days.
    window.segments.editor.load(saved)
    row = view.rules.rows[-1]
    assert (row.op.currentData(), row.days.value(), row.value.isHidden()) == (
        "older-than-days",
        1,
        True,
    )
    settle(qtbot, window)


def test_a_customer_insights_folder_asks_which_entity_and_imports_it(
    qtbot: QtBot, window: MainWindow, dialogs: ScriptedDialogs
) -> None:
    dialogs.answers["open_cdm_folder"] = SAMPLE
    dialogs.answers["choose_entity"] = "Customer"
    window.tabs.setCurrentIndex(SEGMENTS)

    with qtbot.waitSignal(window.segments.sources.changed, timeout=60_000):
        click(qtbot, window.segments.view.folder_button)
    settle(qtbot, window)

    assert dialogs.asked("choose_entity") == [
        ("cdm_sample", [("Customer", 9), ("HighValueCustomers", 2)])
    ]
    (source,) = window.segments.sources.sources
    assert (source.name, source.rows, source.file_format) == ("Customer", 4, "cdm")
    assert 'entity "Customer" of a Customer Insights folder, in 2 partition files' in (
        window.segments.view.import_status.text.text()
    )


def test_a_customer_insights_folder_with_a_missing_file_says_which(
    qtbot: QtBot, window: MainWindow, dialogs: ScriptedDialogs, tmp_path: Path
) -> None:
    folder = write_cdm(
        tmp_path / "export",
        Table("Contact", ["Email"], [Part("Contact/a.csv", "a@x.no\n"), Part(None, "")]),
    )
    assert drop_files(window, [folder / "model.json"])
    status = window.segments.view.import_status.text
    qtbot.waitUntil(lambda: status.text().startswith("\u2716"), timeout=10_000)

    assert 'Partition "Contact_2" of entity "Contact"' in status.text()
    assert "missing" in status.text()
    assert not dialogs.asked("choose_entity")
    assert window.segments.sources.sources == []


def test_choosing_no_entity_imports_nothing(
    qtbot: QtBot, window: MainWindow, dialogs: ScriptedDialogs
) -> None:
    dialogs.answers["choose_entity"] = None
    window.segments.import_files([SAMPLE / "model.json"])
    status = window.segments.view.import_status.text
    qtbot.waitUntil(lambda: bool(dialogs.asked("choose_entity")), timeout=10_000)
    settle(qtbot, window)

    assert status.text() == "Nothing was imported."
    assert window.segments.sources.sources == []
