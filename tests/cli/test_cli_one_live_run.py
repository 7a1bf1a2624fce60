"""One export has at most one live run, across any number of command-line processes.

Two runs of one export at once would send every contact twice and share the rate limit. A second
start (or a resume of another run of the export) is refused with exit 2 naming the live run; a
dry run, which sends nothing, is not held back; after the live run ends, a run starts again.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.cli.test_cli_export import Cli, cli, setup_export, sim, upserts
from tests.integration.exporting import expected_emails
from tests.support.autopilot_sim import AutopilotSimulator

__all__ = ["cli", "sim"]  # the fixtures


def test_a_second_run_of_a_running_export_is_refused_naming_the_live_run(
    cli: Cli, sim: AutopilotSimulator, tmp_path: Path
) -> None:
    rows = 2000
    setup_export(cli, sim, tmp_path, rows=rows, rate="10")
    first = cli.start("export", "run", "Weekly", "--json")
    try:
        assert sim.wait_for_requests(3, timeout=60), "the first run never got going"
        second = cli("export", "run", "Weekly", "--json")
        dry = cli("export", "run", "Weekly", "--dry-run", "--json")
    finally:
        _out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 2 and second.stdout == ""
    [line] = second.stderr.strip().splitlines()
    assert "already running as run 1" in line and "Weekly" in line
    assert dry.returncode == 0, "a dry run sends nothing and may run beside it"

    sent = upserts(sim)
    assert set(sent) == expected_emails(rows)
    assert Counter(sent.values()) == Counter({1: len(expected_emails(rows))}), "nobody twice"
    runs = cli.json("history", "--json")
    assert sorted((r["dry_run"], r["status"]) for r in runs) == [
        (False, "failed"),  # the refused start, kept so a scheduled one is seen in History
        (False, "succeeded"),
        (True, "succeeded"),
    ]
    [refused] = [r for r in runs if r["status"] == "failed"]
    assert refused["planned"] == 0 and "already running as run 1" in refused["error"]
    again = cli("export", "run", "Weekly", "--json")
    assert again.returncode == 0, "after the live run ended a run starts again"
