"""A failed run's last line offers `run resume` only when the resume would be accepted."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.cli.output import Console
from app.cli.running import print_run
from app.context import AppContext
from app.core.destinations.autopilot import AUTH_REJECTED
from app.core.destinations.ortto import AUTH_REJECTED as ORTTO_AUTH_REJECTED
from app.core.export.runner import without_resume_offer
from app.core.history import Run
from tests.integration.conftest import SIM_KEY
from tests.integration.exporting import make_world
from tests.support.autopilot_sim import AutopilotSimulator


def last_line(context: AppContext, run: Run) -> str:
    err = io.StringIO()
    assert print_run(Console(context, io.StringIO(), err), run, as_json=False) == 1
    return err.getvalue().strip().splitlines()[-1]


def test_the_resume_is_offered_only_while_it_would_be_accepted(tmp_path: Path) -> None:
    with AutopilotSimulator(keys={SIM_KEY}, rate=200.0, burst=40, seed=3) as sim:
        sim.revoke_after_upserts(SIM_KEY, 1)
        world = make_world(tmp_path, sim, rows=300)
        runner = world.runner()
        run = runner.run(runner.plan(world.export), SIM_KEY)
    assert run.status == "failed" and "resume" in (run.error or "")
    offered = last_line(world.ctx, run)
    assert offered.endswith(f"Continue it with: autopilot-exporter run resume {run.run_id}")

    changed = tmp_path / "changed.csv"
    changed.write_text("CustomerId;PrimaryEmail;FirstName;Points\n1;a@example.com;A;1\n")
    world.ctx.profiles.import_file(changed, "Customers")
    refused = last_line(world.ctx, run)
    before, _, after = refused.partition("It cannot be resumed: ")
    assert "resum" not in before, refused
    assert "changed since run" in after and "Start a new run instead." in after


@pytest.mark.parametrize(
    "message",
    [
        AUTH_REJECTED,
        ORTTO_AUTH_REJECTED,
        "Autopilot had a server problem (500) while sending, after 8 attempts. Try again later; "
        "an interrupted run can be resumed.",
        "The disk that holds the data folder is full. Nothing already saved was lost; free some "
        "space on that disk, then try again (a run stopped by this can be resumed).",
        "Autopilot kept refusing requests as too frequent (429) while sending, after 8 attempts. "
        "Lower the connection's rate limit or wait a while, then resume.",
    ],
)
def test_a_failure_that_cannot_be_resumed_offers_no_resume(message: str) -> None:
    assert "resum" in message
    assert "resum" not in without_resume_offer(message)
    assert without_resume_offer(message).endswith(".")
