"""A segment that moves with the calendar: a run counts from the day it started, even when it is
resumed on a later day."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta, timezone
from pathlib import Path
from typing import Any

from app.context import build_context
from app.core.cancel import CancelToken
from app.core.clock import FixedCalendar
from app.core.connections import Connection
from app.core.export import Export, Progress
from app.core.mapping import FieldMapping, Mapping
from app.core.secrets import MemorySecretStore
from app.core.segments import Rule, Segment
from app.core.store import utc_now
from tests.integration.conftest import SIM_KEY, SimFactory
from tests.integration.exporting import World

TODAY = date(2026, 3, 10)
ROWS = 610
WINDOW = 30


def ordered_days_ago(i: int) -> int:
    """Row i last ordered this many days ago: -1 (tomorrow) to 59."""
    return i % 61 - 1


def expected_emails(today: date) -> set[str]:
    """Who ordered within the window counted from ``today``."""
    return {
        f"buyer{i}@example.com"
        for i in range(1, ROWS + 1)
        if 0 <= (today - (TODAY - timedelta(days=ordered_days_ago(i)))).days <= WINDOW
    }


def make_world(tmp_path: Path, sim: Any, calendar: FixedCalendar) -> World:
    ctx = build_context(secret_store=MemorySecretStore(), calendar=calendar)
    lines = ["Email,LastOrder"] + [
        f"buyer{i}@example.com,{TODAY - timedelta(days=ordered_days_ago(i))}"
        for i in range(1, ROWS + 1)
    ]
    path = tmp_path / "buyers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ctx.profiles.import_file(path, "Buyers")
    rule = Rule("LastOrder", "within-days", str(WINDOW))
    ctx.segments.add(Segment("Recent buyers", "Buyers", "all", (rule,)))
    connection = Connection("Sim", base_url=sim.base_url, rate_limit=20.0, consent_at=utc_now())
    ctx.keys.save(connection, SIM_KEY)
    mapping = Mapping(fields=(FieldMapping("Email", "Email"),))
    export = ctx.exports.save(Export("Weekly", "Sim", ("Recent buyers",), mapping))
    return World(ctx, sim, export)


def upserts(sim: Any) -> Counter[str]:
    seen: Counter[str] = Counter()
    for request in sim.requests("/contacts"):
        if request.method == "POST" and request.status == 200:
            seen.update(c["Email"].lower() for c in request.body["contacts"])
    return seen


def conserved(run: Any) -> bool:
    states = run.sent + run.rejected + run.invalid + run.duplicates + run.unchanged + run.not_sent
    return bool(run.planned == states)


def test_a_run_resumed_the_next_day_keeps_the_members_of_its_first_day(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    calendar = FixedCalendar(TODAY, timezone(timedelta(hours=1)))
    sim = make_sim(rate=40.0, burst=2)
    world = make_world(tmp_path, sim, calendar)
    runner = world.runner()
    members = expected_emails(TODAY)
    assert members != expected_emails(TODAY + timedelta(days=1))  # the window does move
    cancel = CancelToken()

    def on_progress(progress: Progress) -> None:
        if progress.sent >= 100:
            cancel.cancel()

    run = runner.run(runner.plan(world.export), SIM_KEY, on_progress=on_progress, cancel=cancel)
    assert run.status == "cancelled"
    assert run.planned == len(members) and conserved(run)
    assert 100 <= run.sent < len(members)
    assert run.snapshot["day"] == "2026-03-10"

    calendar.advance(1)
    assert runner.plan(world.export).planned == len(expected_emails(calendar.today()))
    resumed = runner.run(runner.plan_resume(run.run_id), SIM_KEY, run_id=run.run_id)
    assert resumed.run_id == run.run_id
    assert resumed.status == "succeeded"
    assert (resumed.planned, resumed.sent) == (len(members), len(members))
    assert conserved(resumed)
    assert set(sim.contacts()) == members
    assert max(upserts(sim).values()) == 1  # nothing confirmed was sent twice
