"""A run goes on while other work holds the profile store (an import in another window).

DuckDB lets one process write the profile store at a time, and nobody else reads it meanwhile.
Here another process takes the store for writing (as a long import does) just after the run
started sending, and keeps it for longer than any reader waits; the run must finish anyway,
with every contact sent once, because it reads its members from its own copy of the source.
A refresh of the source during the run does not change what the run sends either.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from app.core.export import Progress
from app.core.export.frozen import FOLDER
from tests.integration.conftest import SIM_KEY, SimFactory
from tests.integration.exporting import expected_emails, make_world

ROWS = 25_000  # more than one read of members (10,000 rows each)

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # for writing, as an import does
print("holding", flush=True)
sys.stdin.readline()
"""


def test_a_run_finishes_while_another_process_holds_the_profile_store(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim(rate=1000.0, burst=200)
    world = make_world(tmp_path, sim, rows=ROWS, rate_limit=400.0)
    runner = world.runner()
    store = world.ctx.paths.profiles_db
    holder: subprocess.Popen[str] | None = None
    lock = threading.Lock()

    def on_progress(progress: Progress) -> None:
        nonlocal holder
        with lock:
            if progress.phase != "sending" or holder is not None:
                return
            holder = subprocess.Popen(
                [sys.executable, "-c", HOLD, str(store)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"

    try:
        run = runner.run(runner.plan(world.export), SIM_KEY, on_progress=on_progress)
    finally:
        if holder is not None:
            holder.communicate("done\n", timeout=30)
    assert holder is not None, "the store was taken while the run was sending"
    assert run.status == "succeeded", run.error
    assert run.sent == len(expected_emails(ROWS))
    sent: Counter[str] = Counter()
    for request in sim.requests("/contacts"):
        if request.method == "POST" and request.status == 200:
            sent.update(c["Email"].lower() for c in request.body["contacts"])
    assert set(sent) == expected_emails(ROWS) and max(sent.values()) == 1
    assert list((world.ctx.paths.data_dir / FOLDER).glob("*")) == [], "the copy is gone"


def test_a_refresh_during_the_run_does_not_change_what_it_sends(
    tmp_path: Path, make_sim: SimFactory
) -> None:
    sim = make_sim(rate=1000.0, burst=200)
    world = make_world(tmp_path, sim, rows=ROWS, rate_limit=400.0)
    runner = world.runner()
    file = tmp_path / "customers.csv"
    refreshed = False

    def on_progress(progress: Progress) -> None:
        nonlocal refreshed
        if progress.phase == "sending" and not refreshed:
            refreshed = True
            lines = file.read_text(encoding="utf-8").splitlines()
            file.write_text("\n".join(lines[:101]) + "\n", encoding="utf-8")  # 100 rows left
            world.ctx.profiles.refresh_source("Customers")

    run = runner.run(runner.plan(world.export), SIM_KEY, on_progress=on_progress)
    assert refreshed and run.status == "succeeded", run.error
    assert run.sent == len(expected_emails(ROWS)), "the rows the plan counted"
    assert world.ctx.profiles.get_source("Customers").rows == 100
