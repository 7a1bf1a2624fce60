"""A failed run's last line offers `run resume` only when the resume would be accepted."""

from __future__ import annotations

import errno
import io
from pathlib import Path

import pytest

from app.cli.output import Console
from app.cli.running import print_run
from app.context import AppContext
from app.core.destinations.autopilot import auth_rejected
from app.core.destinations.autopilot.answers import SENDING_CONTACTS
from app.core.destinations.autopilot.client import WORDS
from app.core.destinations.errors import DestinationError
from app.core.destinations.http.failures import Context, error_for
from app.core.destinations.http.transport import RESET, TIMEOUT, TOO_LARGE, Reply
from app.core.destinations.ortto import auth_rejected as ortto_auth_rejected
from app.core.environment import environment_failure
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
        # As messages stored by earlier versions put the offers.
        "Autopilot rejected the API key (it may have been regenerated). Enter the current key "
        "in the connection and resume.",
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


SENDING = Context("api2.autopilothq.com", SENDING_CONTACTS, 8, 20.0, WORDS)


def _offers() -> list[str]:
    errors: list[DestinationError] = [
        error_for(reply, SENDING)
        for reply in (
            Reply(401),
            Reply(429),
            Reply(503),
            Reply(None, failure=TIMEOUT),
            Reply(None, failure=RESET),
            Reply(None, failure=TOO_LARGE),
        )
    ]
    assert all(error.offers_resume for error in errors)
    full = environment_failure(OSError(errno.ENOSPC, "No space left on device"), Path("/data"))
    assert full is not None and full.offers_resume
    return [auth_rejected(), ortto_auth_rejected(), str(full)] + [str(e) for e in errors]


@pytest.mark.parametrize("message", _offers())
def test_an_offer_to_resume_is_a_sentence_that_can_be_taken_out(message: str) -> None:
    assert "resum" in message
    instead = without_resume_offer(message)
    assert "resum" not in instead, instead
    assert instead.endswith(".") and "  " not in instead
