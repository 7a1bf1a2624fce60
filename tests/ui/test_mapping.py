"""Mapping: what is missing first, problems next to their controls, Run only when runnable."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.errors import BusyError
from app.core.mapping import EMAIL_TARGET, FieldMapping
from app.ui.main_window import CONNECTIONS, MAPPING, SEGMENTS, MainWindow
from tests.support.autopilot_sim import AutopilotSimulator
from tests.ui.conftest import SIM_KEY, ScriptedDialogs
from tests.ui.steps import add_connection, click, import_sample, new_export, settle

NORWAY = "Newsletter subscribers in Norway"


def ready_to_map(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator, **options: object
) -> None:
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url, **options)
    import_sample(qtbot, window)


def test_says_what_is_missing_and_goes_there(qtbot: QtBot, window: MainWindow) -> None:
    view = window.mapping.view
    window.tabs.setCurrentIndex(MAPPING)
    assert view.stack.currentWidget() is view.missing
    assert "Add a connection first" in view.missing.text.text()
    click(qtbot, view.missing.button)
    assert window.tabs.currentIndex() == CONNECTIONS


def test_asks_for_a_segment_once_a_connection_exists(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    add_connection(qtbot, window, "Marketing", SIM_KEY, sim.base_url)
    view = window.mapping.view
    assert "Define a segment first" in view.missing.text.text()
    click(qtbot, view.missing.button)
    assert window.tabs.currentIndex() == SEGMENTS


def test_fields_are_matched_and_the_total_and_preview_shown(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    ready_to_map(qtbot, window, sim)
    new_export(qtbot, window, "November", "Marketing", [NORWAY])
    view = window.mapping.view
    mapping = view.fields.mapping()
    assert FieldMapping(EMAIL_TARGET, "PrimaryEmail") in mapping.fields
    assert FieldMapping("FirstName", "FirstName") in mapping.fields
    plan = window.mapping.checker.plan
    assert plan is not None
    assert view.total.text() == f"{plan.unique_profiles:,} unique profiles"
    assert "of at most 100,000" in view.total_detail.text()
    assert view.preview.model().rowCount() > 0
    assert view.run_button.isEnabled() and view.dry_run_button.isEnabled()


def test_an_invalid_mapping_keeps_run_disabled_with_the_problem_beside_it(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    ready_to_map(qtbot, window, sim)
    new_export(qtbot, window, "November", "Marketing", [NORWAY])
    view = window.mapping.view
    view.fields.combo(EMAIL_TARGET).setCurrentIndex(0)  # "not sent"
    settle(qtbot, window)
    assert not view.run_button.isEnabled()
    assert not view.dry_run_button.isEnabled()
    assert view.mapping_problem.isVisible()
    assert "Email" in view.mapping_problem.text()
    view.fields.combo(EMAIL_TARGET).setCurrentText("PrimaryEmail")
    settle(qtbot, window)
    assert not view.mapping_problem.isVisible()
    assert view.run_button.isEnabled()


def test_over_the_cap_is_a_clear_stop_with_both_numbers(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    ready_to_map(qtbot, window, sim, profile_cap=20)
    new_export(qtbot, window, "November", "Marketing", [NORWAY])
    view = window.mapping.view
    assert not view.run_button.isEnabled()
    assert view.cap_problem.isVisible()
    assert re.search(r"has \d+ unique profiles, over the limit of 20 ", view.cap_problem.text())
    assert view.total.text() == "Too many profiles for one export"


def test_a_missing_name_is_shown_next_to_the_name(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    ready_to_map(qtbot, window, sim)
    new_export(qtbot, window, "", "Marketing", [NORWAY])
    view = window.mapping.view
    assert "Give the export a name." in view.name_problem.text()
    assert not view.run_button.isEnabled()
    assert not view.save_button.isEnabled()


def test_custom_field_save_duplicate_and_remove(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator, dialogs: ScriptedDialogs
) -> None:
    ready_to_map(qtbot, window, sim)
    new_export(qtbot, window, "November", "Marketing", [NORWAY])
    view = window.mapping.view
    dialogs.answers["ask_custom_field"] = ("Loyalty Points", "integer")
    view.fields.custom_field_requested.emit()
    view.fields.combo("custom:integer:Loyalty Points").setCurrentText("LoyaltyPoints")
    settle(qtbot, window)
    with qtbot.waitSignal(window.mapping.editor.saved, timeout=10_000):
        click(qtbot, view.save_button)
        assert not view.save_button.isEnabled(), "saving goes on off the GUI thread"
    assert view.status.text.text() == "\u2714 Saved."
    saved = window.ui.app.exports.get("November")
    assert FieldMapping("custom:integer:Loyalty Points", "LoyaltyPoints") in saved.mapping.fields
    assert saved.segments == (NORWAY,)
    with qtbot.waitSignal(window.mapping.changed, timeout=10_000):
        click(qtbot, view.duplicate_button)
    names = [e.name for e in window.mapping.model.records]
    assert names == ["Copy of November", "November"]
    with qtbot.waitSignal(window.mapping.changed, timeout=10_000):
        click(qtbot, view.remove_button)
    assert [e.name for e in window.mapping.model.records] == ["November"]


def test_a_column_whose_values_do_not_fit_the_custom_field_is_warned_about(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator, dialogs: ScriptedDialogs
) -> None:
    ready_to_map(qtbot, window, sim)
    new_export(qtbot, window, "November", "Marketing", [NORWAY])
    view = window.mapping.view
    dialogs.answers["ask_custom_field"] = ("Loyalty Points", "integer")
    view.fields.custom_field_requested.emit()
    view.fields.combo("custom:integer:Loyalty Points").setCurrentText("FirstName")
    settle(qtbot, window)
    warning = view.mapping_warning.text()
    assert view.mapping_warning.isVisible()
    assert (
        "The field 'Loyalty Points' (type integer) is mapped to the column 'FirstName'" in warning
    )
    assert "values do not convert (for example, '" in warning and "is not a whole number" in warning
    assert view.run_button.isEnabled(), "a warning, not a problem: the export may still run"
    view.fields.combo("custom:integer:Loyalty Points").setCurrentText("LoyaltyPoints")
    settle(qtbot, window)
    assert not view.mapping_warning.isVisible()


def test_segments_of_two_sources_cannot_be_mixed(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator, tmp_path: object
) -> None:
    from tests.ui.steps import define_segment, import_files
    from tests.ui.test_segments import write_customers

    ready_to_map(qtbot, window, sim)
    import_files(qtbot, window, [write_customers(tmp_path / "other.csv", 3)])  # type: ignore[operator]
    define_segment(qtbot, window, "Others", "other", [])
    new_export(qtbot, window, "Mixed", "Marketing", [NORWAY, "Others"])
    view = window.mapping.view
    assert "same profile source" in view.segments_problem.text()
    assert not view.run_button.isEnabled()
    checked = [
        view.segments.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(view.segments.count())
        if view.segments.item(i).checkState() == Qt.CheckState.Checked
    ]
    assert checked == [NORWAY, "Others"]


def test_renaming_keeps_the_counted_plan_and_run_stays_enabled(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator
) -> None:
    ready_to_map(qtbot, window, sim)
    new_export(qtbot, window, "November", "Marketing", [NORWAY])
    view = window.mapping.view
    counted = window.mapping.checker.plan
    assert counted is not None
    view.name.setText("November, second try")
    assert not window.ui.profiles.busy(), "no recount for a new name"
    assert view.run_button.isEnabled()
    plan = window.mapping.checker.plan
    assert plan is not None and plan.segments is counted.segments
    assert plan.export.name == "November, second try"
    view.name.setText("")
    assert not view.run_button.isEnabled()
    assert "Give the export a name." in view.name_problem.text()


def test_columns_that_cannot_be_read_are_explained_beside_the_mapping(
    qtbot: QtBot, window: MainWindow, sim: AutopilotSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready_to_map(qtbot, window, sim)
    profiles = window.ui.app.profiles
    reading = profiles.get_source

    def busy(name: str) -> object:
        raise BusyError("The profiles are being written by another program; try again soon.")

    monkeypatch.setattr(profiles, "get_source", busy)
    new_export(qtbot, window, "November", "Marketing", [NORWAY])
    view = window.mapping.view
    assert view.mapping_problem.isVisible()
    assert "could not be read" in view.mapping_problem.text()
    assert "another program" in view.mapping_problem.text()
    assert not view.run_button.isEnabled()

    monkeypatch.setattr(profiles, "get_source", reading)
    view.name.setText("November, again")  # the next change of the form reads them again
    settle(qtbot, window)
    assert not view.mapping_problem.isVisible()
    assert FieldMapping(EMAIL_TARGET, "PrimaryEmail") in view.fields.mapping().fields
    assert view.run_button.isEnabled()
