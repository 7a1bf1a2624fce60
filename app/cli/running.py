"""Running an export from the terminal: progress on stderr, SIGINT/SIGTERM cancel."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from app.cli.output import Console
from app.core.cancel import CancelToken
from app.core.destinations import destination_for
from app.core.export import ExportPlan, Progress
from app.core.export.runner import without_resume_offer
from app.core.history import Run


@contextmanager
def cancel_on_signals(cancel: CancelToken, console: Console) -> Iterator[None]:
    """SIGINT or SIGTERM cancels the run (status cancelled, resumable) instead of killing it."""

    def handler(signum: int, frame: FrameType | None) -> None:
        first = not cancel.is_cancelled()
        cancel.cancel("Cancelled by a signal (Ctrl+C or SIGTERM).")
        if first:  # os.write: print() from a signal handler can collide with the main thread's
            os.write(2, b"Cancelling: waiting for the requests in flight...\n")

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class ProgressPrinter:
    """At most one progress line a second on stderr."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._last = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        removing = progress.phase == "removing"
        done, total = (
            (progress.removals_done, progress.to_remove)
            if removing
            else (progress.done, progress.total)
        )
        if now - self._last < 1.0 and done < total:
            return
        self._last = now
        eta = f", about {_duration(progress.eta_s)} left" if progress.eta_s else ""
        if progress.waiting_for:
            eta = f", waiting for {progress.waiting_for} to answer"
        rate = f", {progress.contacts_per_s:,.0f} contacts/s" if progress.contacts_per_s else ""
        what = "people who left, removed" if removing else "contacts"
        self._console.say(f"[{progress.phase}] {done:,} of {total:,} {what}{rate}{eta}")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    if seconds < 90:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60} s"


def run_with_signals(
    console: Console, plan: ExportPlan, api_key: str, *, run_id: int | None, as_json: bool
) -> int:
    ctx = console.context
    cancel = CancelToken()
    console.say(
        f"Sending {plan.valid:,} contacts in {len(plan.segments)} segment(s) to "
        f"{plan.connection.name} (about {_duration(plan.estimated_seconds)} at "
        f"{plan.connection.rate_limit:g} requests/s)."
    )
    if plan.export.remove_departed and plan.departed:
        noun = plan.destination.audience_noun
        console.say(f"Then removing {plan.departed:,} people who left from their {noun}s.")
    with cancel_on_signals(cancel, console):
        run = ctx.runner.run(
            plan, api_key, run_id=run_id, on_progress=ProgressPrinter(console), cancel=cancel
        )
    return print_run(console, run, as_json=as_json)


def print_run(console: Console, run: Run, *, as_json: bool) -> int:
    if as_json:
        console.json(run.to_json())
    for warning in run.warnings:
        console.warn(warning)
    counts = (
        f"{run.sent:,} sent, {run.unchanged:,} unchanged, {run.rejected:,} rejected, "
        f"{run.invalid:,} invalid, {run.duplicates:,} duplicates, {run.not_sent:,} not sent"
    )
    if run.removed or run.snapshot.get("remove_departed"):
        counts += f"; {run.removed:,} removed"
    if run.status.finished:
        console.say(f"Run {run.run_id} {run.status}: {counts} in {run.duration_s:.1f} s.")
        note = None if run.dry_run else destination_for(run.service).audience_note(run.lists)
        if note:
            console.say(note)
        if run.rejected or run.invalid:
            console.say(
                f"Save the rejected and invalid rows with: autopilot-exporter run rejected "
                f"{run.run_id} --output rejected.csv"
            )
        return 0
    reason = run.error or "Cancelled."
    refusal = console.context.runner.resume_refusal(run)
    if refusal is None:
        then = f"Continue it with: autopilot-exporter run resume {run.run_id}"
    else:  # never offer a resume that would be refused (say, the source was imported again)
        reason = without_resume_offer(reason)
        then = f"It cannot be resumed: {refusal}"
    console.error(f"Run {run.run_id} {run.status}: {reason} ({counts}). {then}")
    sys.stderr.flush()
    return 1
