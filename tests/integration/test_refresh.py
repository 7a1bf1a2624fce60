"""Refreshing the source of an export: exports keep working on the new rows, a mapping column
that would go refuses the refresh, a run keeps which import it used (resume refuses after a
refresh), and a run that could not start is in the history."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.errors import UsageError
from app.core.history import RunStatus, can_resume
from app.core.profiles import RefreshRefused
from tests.integration.conftest import SIM_KEY, SimFactory
from tests.integration.exporting import HEADER, customer_rows, expected_emails, make_world


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_an_export_runs_on_the_refreshed_rows(tmp_path: Path, make_sim: SimFactory) -> None:
    sim = make_sim()
    world = make_world(tmp_path, sim, rows=120)
    runner = world.runner()
    first = runner.run(runner.plan(world.export), SIM_KEY)
    assert first.status == "succeeded"
    _write(tmp_path / "customers.csv", [HEADER, *customer_rows(150)])

    (result,) = runner.refresh_sources(world.export)
    second = runner.run(runner.plan(world.export), SIM_KEY)

    assert result.refreshed and result.source.rows == 150
    assert set(sim.contacts()) == expected_emails(150)
    assert second.sent == len(expected_emails(150) - expected_emails(120))
    assert second.snapshot["source"]["sha256"] == result.source.sha256
    assert second.snapshot["source"]["table_name"] == result.source.table_name
    assert not runner.refresh_sources(world.export)[0].refreshed, "the file did not change"


def test_a_mapped_column_that_would_go_refuses_the_refresh(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    world = make_world(tmp_path, make_sim(), rows=20)
    before = world.ctx.profiles.get_source("Customers")
    _write(
        tmp_path / "customers.csv",
        ["CustomerId;FirstName;LastName;PrimaryEmail;Country", "1;A;B;a@example.com;NO"],
    )

    with pytest.raises(RefreshRefused) as refused:
        world.runner().refresh_sources(world.export)

    assert '(the export "Weekly" uses "Points")' in str(refused.value)
    assert world.ctx.profiles.get_source("Customers") == before
    assert world.ctx.segments.count(world.ctx.segments.get("Everyone")) == 20


def test_resume_is_refused_after_a_refresh(tmp_path: Path, make_sim: SimFactory) -> None:
    sim = make_sim()
    sim.revoke_after_upserts(SIM_KEY, 1)
    world = make_world(tmp_path, sim, rows=300)
    runner = world.runner()
    run = runner.run(runner.plan(world.export), SIM_KEY)
    assert run.status == "failed"
    source = world.ctx.profiles.get_source("Customers")
    assert run.snapshot["source"]["sha256"] == source.sha256
    _write(tmp_path / "customers.csv", [HEADER, *customer_rows(301)])

    runner.refresh_sources(world.export)

    with pytest.raises(UsageError, match="changed since run"):
        runner.plan_resume(run.run_id)


def test_resume_is_refused_after_a_refresh_of_the_same_bytes(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim()
    sim.revoke_after_upserts(SIM_KEY, 1)
    world = make_world(tmp_path, sim, rows=300)
    runner = world.runner()
    run = runner.run(runner.plan(world.export), SIM_KEY)
    runner.plan_resume(run.run_id)  # resumable before the refresh

    world.ctx.profiles.refresh_source("Customers")  # read again: a new import, same content

    with pytest.raises(UsageError, match="changed since run"):
        runner.plan_resume(run.run_id)


def test_a_run_that_could_not_start_is_a_failed_run_in_the_history(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    world = make_world(tmp_path, make_sim(), rows=10)
    runner = world.runner()

    run = runner.record_not_started(world.export, "The keyring is locked; unlock it.")

    (listed,) = world.ctx.runs.all(export="Weekly")
    assert listed.run_id == run.run_id
    assert listed.status is RunStatus.FAILED
    assert listed.error == "The keyring is locked; unlock it."
    assert (listed.planned, listed.sent, listed.not_sent) == (0, 0, 0)
    assert listed.finished_at is not None
    assert listed.service == "autopilot"
    assert listed.snapshot["segments"][0]["name"] == "Everyone"
    refusal = can_resume(listed)
    assert refusal is not None and refusal.why == "not started"
    with pytest.raises(UsageError, match="failed before it sent anything"):
        runner.plan_resume(run.run_id)
