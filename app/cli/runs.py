"""`run resume | rejected | purge` and `history`."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.output import Console
from app.cli.running import run_with_signals
from app.core.history import STATUS_WORDS, write_rejected_csv
from app.core.store import to_iso


def register(nouns: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = nouns.add_parser("run", help="runs: resume, rejected rows, delete details")
    verbs = parser.add_subparsers(dest="verb", metavar="ACTION", required=True)

    resume = verbs.add_parser("resume", help="continue an interrupted, cancelled or failed run")
    resume.add_argument("run_id", type=int)
    resume.add_argument("--json", action="store_true")
    resume.set_defaults(handler=_resume)

    rejected = verbs.add_parser("rejected", help="save a run's rejected and invalid rows as CSV")
    rejected.add_argument("run_id", type=int)
    rejected.add_argument("--output", type=Path, required=True, metavar="FILE.csv")
    rejected.set_defaults(handler=_rejected)

    purge = verbs.add_parser("purge", help="delete a run's row details (emails); counts stay")
    purge.add_argument("run_id", type=int)
    purge.set_defaults(handler=_purge)

    history = nouns.add_parser("history", help="list runs, newest first")
    history.add_argument("--export", metavar="NAME")
    history.add_argument("--json", action="store_true")
    history.set_defaults(handler=_history)


def _resume(args: argparse.Namespace, console: Console) -> int:
    ctx = console.context
    plan = ctx.runner.plan_resume(args.run_id)
    key = ctx.keys.read(plan.connection.name)
    console.say(f"Resuming run {args.run_id} of '{plan.export.name}'...")
    return run_with_signals(console, plan, key, run_id=args.run_id, as_json=args.json)


def _rejected(args: argparse.Namespace, console: Console) -> int:
    runs = console.context.runs
    run = runs.get(args.run_id)
    count = write_rejected_csv(runs.row_details(run.run_id), args.output)
    note = " (row details were deleted after the retention period)" if run.details_purged else ""
    console.say(
        f"Wrote {count:,} rejected and invalid rows of run {run.run_id} to {args.output}{note}."
    )
    return 0


def _purge(args: argparse.Namespace, console: Console) -> int:
    console.context.runs.purge_details(args.run_id)
    console.say(f"Deleted the row details of run {args.run_id}; its counts stay in the history.")
    return 0


def _history(args: argparse.Namespace, console: Console) -> int:
    runs = console.context.runs.all(export=args.export)
    if args.json:
        console.json([r.to_json() for r in runs])
        return 0
    console.table(
        [
            "RUN",
            "EXPORT",
            "STATUS",
            "STARTED",
            "SECONDS",
            "SENT",
            "REJECTED",
            "INVALID",
            "DUPL.",
            "REMOVED",
        ],
        [
            (
                r.run_id,
                r.export + (" (dry run)" if r.dry_run else ""),
                STATUS_WORDS[r.status],
                to_iso(r.started_at),
                f"{r.duration_s:.1f}",
                r.sent,
                r.rejected,
                r.invalid,
                r.duplicates,
                r.removed,
            )
            for r in runs
        ],
    )
    return 0
