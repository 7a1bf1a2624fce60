"""The export engine: synchronous, Qt-free, checkpointed per confirmed batch.

``run_export`` is one blocking call. Inside, a small pool keeps a few requests in flight so that
the destination's rate limit, not its latency, bounds the run. A batch is written to the history
only after the destination confirmed it, so a run interrupted in any way resumes without sending
a confirmed batch again. Cancel stops new requests at once and waits only for those in flight.
The engine talks to the destination only through its client (``app.core.destinations.Client``):
each segment's people go to an *audience* (an Autopilot list, an Ortto tag).
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from app.core.cancel import Cancelled, CancelToken
from app.core.clock import Clock, SystemClock
from app.core.destinations import Client
from app.core.destinations.errors import DestinationError
from app.core.destinations.models import BulkResult
from app.core.environment import environment_failure
from app.core.errors import AppError
from app.core.export.frozen import frozen_members
from app.core.export.health import DestinationHealth, Unhealthy, gave_up_on_destination
from app.core.export.ledger import contact_hash
from app.core.export.plan import ExportPlan, Services
from app.core.export.rows import Batch, batches
from app.core.history import (
    Lease,
    LedgerEntry,
    NewRun,
    RejectedContact,
    Run,
    RunStatus,
    RunStore,
)
from app.core.history.lifecycle import HEARTBEAT_INTERVAL_S
from app.core.history.store import RunTakenOverError
from app.core.i18n import N_, _, ngettext, number

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """A snapshot for the progress bar; small and immutable so it can cross threads."""

    run_id: int
    phase: str  # "lists" | "sending" | "removing" | "verifying" | "cancelling"
    segment: str
    total: int  # contacts to send in the whole run
    sent: int
    rejected: int
    contacts_per_s: float
    eta_s: float | None
    # With remove_departed: people to take off their segment's list or tag in this attempt,
    # and how many of them are done (removed, or could not be).
    to_remove: int = 0
    removals_done: int = 0
    # The destination's name while nothing has been answered for WAITING_AFTER_S (no estimate
    # then: "about 4 s left" would be a guess about a server that is not answering).
    waiting_for: str | None = None

    @property
    def done(self) -> int:
        return self.sent + self.rejected


ProgressCallback = Callable[[Progress], None]
# Nothing answered for this long: the progress says it is waiting for the destination.
WAITING_AFTER_S = 5.0
_ANSWERED_PHASES = ("lists", "sending", "removing")
# A request for the pool, and what records its answer.
_Record = Callable[[BulkResult], None]
_Work = tuple[Callable[[], BulkResult], _Record]
# How often, at most, the run's token asks the store whether this process still holds the run.
# A resume can take a run over only once its heartbeat is 30 s old, so a lapse this short
# always shows at the first request after the pause (SIGSTOP, a computer asleep).
LEASE_CHECK_S = 1.0
# Checking an audience failed: one whole sentence per kind of audience.
_CANNOT_CHECK = {
    "list": N_("Could not check the list '{name}': {reason}"),
    "tag": N_("Could not check the tag '{name}': {reason}"),
}


def default_in_flight(rate_limit: float) -> int:
    """Enough requests in flight to cover about three seconds of latency at the configured rate.

    The token bucket, not this number, sets the pace; extra slots only keep one slow answer
    from holding up the others.
    """
    return max(2, min(24, math.ceil(rate_limit * 3)))


class _Meter:
    """Contacts per second over the last few batches."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._events: deque[tuple[float, int]] = deque(maxlen=20)

    def add(self, contacts: int) -> None:
        self._events.append((self._clock.monotonic(), contacts))

    def rate(self) -> float:
        if len(self._events) < 2:
            return 0.0
        span = self._events[-1][0] - self._events[0][0]
        count = sum(c for _, c in list(self._events)[1:])
        return count / span if span > 0 else 0.0


class Heartbeat:
    """Tells the history this process is alive while a run goes on (a thread of its own)."""

    def __init__(
        self,
        runs: RunStore,
        lease: Lease,
        on_lost: Callable[[BaseException], None],
        on_beat: Callable[[], None] | None = None,
    ) -> None:
        self._runs, self._lease, self._on_lost = runs, lease, on_lost
        self._on_beat = on_beat  # also while a request blocks the run's own thread
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="run-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(HEARTBEAT_INTERVAL_S):
            try:
                self._runs.heartbeat(self._lease)
            except RunTakenOverError as exc:
                self._on_lost(exc)
                return
            except Exception:  # a busy store must not kill the run; the next beat retries
                log.warning("Heartbeat for run %s failed", self._lease.run_id, exc_info=True)
            if self._on_beat is not None:
                try:
                    self._on_beat()
                except Exception:
                    log.warning("Progress of run %s failed", self._lease.run_id, exc_info=True)


def start_run(plan: ExportPlan, runs: RunStore, *, dry_run: bool = False) -> Lease:
    """Record a new run (with its invalid rows); the lease lets this attempt write it."""
    return runs.create(
        NewRun(
            export=plan.export.name,
            export_id=None,
            dry_run=dry_run,
            snapshot=plan.snapshot(),
            planned=plan.planned,
            invalid=plan.invalid,
            duplicates=plan.duplicates,
            unique_profiles=plan.unique_profiles,
            unchanged=plan.unchanged,
        ),
        plan.invalid_rows,
    )


class _Run:
    """The state of one run while it goes on; see :func:`run_export`."""

    def __init__(
        self,
        plan: ExportPlan,
        services: Services,
        client: Client,
        runs: RunStore,
        lease: Lease,
        on_progress: ProgressCallback,
        cancel: CancelToken,
        clock: Clock,
    ) -> None:
        self.plan, self.services, self.client, self.runs = plan, services, client, runs
        self.segments = services.segments  # the run's own copy of the source once it sends
        self.lease, self.run_id = lease, lease.run_id
        self.on_progress, self.clock = on_progress, clock
        # The run's own token, given to every client call: cancelled with the caller's (Cancel,
        # SIGINT), or by the run itself on a fatal error, which records the error first.
        self.cancel = cancel
        self.cancelling = False  # the caller's cancel was reported
        self.meter = _Meter(clock)
        self.phase = "lists"
        self.last_answer = clock.monotonic()  # when the destination last answered
        self.last_report = 0.0
        self._report_lock = threading.Lock()
        previous = runs.get(lease.run_id)
        self.sent, self.rejected = previous.sent, previous.rejected
        self.lists: dict[str, str | None] = dict(previous.lists)
        self.confirmed = runs.confirmed_batches(lease.run_id)
        self.warnings: list[str] = []
        self.error: str | None = None
        self.segment_name = ""
        # Removals of this attempt: how many, how many settled, and who could not be removed.
        self.to_remove = plan.departed if plan.export.remove_departed else 0
        self.removals_done = 0
        self.not_removed: dict[str, list[str]] = {}  # segment -> reasons
        # Whether the destination is fit to go on with (see health.py); once it is not, why.
        self.health = DestinationHealth(clock, client.stats)
        self.unhealthy: Unhealthy | None = None
        # The last send or removal given up on because the destination or network kept
        # failing: the run goes on without it, ends failed, and a resume sends it again.
        self.gave_up: DestinationError | None = None
        self._lease_lock = threading.Lock()
        self._lease_checked = clock.monotonic()

    # -- the lease and the destination's health ---------------------------------------------

    def check_lease(self) -> None:
        """RunTakenOverError when a resume in another process took this run over: checked before
        each batch and each removal, so a process that was paused does not send any more."""
        with self._lease_lock:
            self._lease_checked = self.clock.monotonic()
        self.runs.check_lease(self.lease)

    def guard_lease(self) -> None:
        """Asked by the run's token before every request, the retries and the requests that
        waited for the rate limit included; checks the store at most every LEASE_CHECK_S."""
        now = self.clock.monotonic()
        with self._lease_lock:
            if now - self._lease_checked < LEASE_CHECK_S:
                return
            self._lease_checked = now
        try:
            self.runs.check_lease(self.lease)
        except RunTakenOverError as exc:
            self.fail(exc)
        except Exception:  # a busy store: the check before the next batch tries again
            log.warning("Could not check the lease of run %s", self.run_id, exc_info=True)

    def watch_health(self) -> None:
        self._stop_if_unhealthy(self.health.observe(self.client.stats))

    def _stop_if_unhealthy(self, verdict: Unhealthy | None) -> None:
        if verdict is None or self.unhealthy is not None or self.error is not None:
            return
        if self.cancel.is_cancelled():  # the user's cancel came first: the run is cancelled
            return
        self.unhealthy = verdict
        log.warning("Run %s stopped: %s", self.run_id, verdict.message(self.plan.destination.name))
        self.cancel.cancel("Stopping the run: the destination is not answering.")

    # -- progress ---------------------------------------------------------------------------

    def heard(self) -> None:
        """The destination answered (a list found, a batch or a removal confirmed)."""
        self.last_answer = self.clock.monotonic()

    def tick(self) -> None:
        """Called now and then while nothing happens: says when the destination is silent."""
        now = self.clock.monotonic()
        silent = now - self.last_answer >= WAITING_AFTER_S
        if silent and self.phase in _ANSWERED_PHASES and now - self.last_report >= 1.0:
            self.report(self.phase)

    def report(self, phase: str) -> None:
        with self._report_lock:
            self._report(phase)

    def _report(self, phase: str) -> None:
        self.phase = phase
        self.last_report = self.clock.monotonic()
        waiting = phase in _ANSWERED_PHASES and (
            self.last_report - self.last_answer >= WAITING_AFTER_S
        )
        rate = self.meter.rate()
        if phase == "removing":
            remaining = self.to_remove - self.removals_done
            per_request = self.plan.destination.max_removals
        else:
            remaining = self.plan.valid - self.sent - self.rejected
            per_request = self.plan.destination.max_batch
        if waiting:
            eta: float | None = None
        elif rate > 0:
            eta = remaining / rate
        else:
            eta = math.ceil(remaining / per_request) / max(0.1, self.plan.connection.rate_limit)
        self.on_progress(
            Progress(
                self.run_id,
                phase,
                self.segment_name,
                self.plan.valid,
                self.sent,
                self.rejected,
                rate,
                eta,
                self.to_remove,
                self.removals_done,
                self.plan.destination.name if waiting else None,
            )
        )

    # -- lists ------------------------------------------------------------------------------

    def resolve_lists(self) -> None:
        """Each segment's audience (a list, a tag), found or created once and recorded."""
        for seg in self.plan.segments:
            name = seg.segment.name
            if self.lists.get(name) or (seg.valid == 0 and not (self.to_remove and seg.departed)):
                continue
            self.cancel.raise_if_cancelled()
            self.segment_name = name
            self.report("lists")
            audience = self.client.resolve_audience(name, cancel=self.cancel)
            self.heard()
            if audience.warning:
                self.warnings.append(audience.warning)
            self.lists[name] = audience.key
            self.runs.set_lists(self.lease, self.lists)

    # -- sending ----------------------------------------------------------------------------

    def check_source(self) -> None:
        """The members must come from the very import the plan counted (a run reading its own
        copy has nothing to check: the copy was taken from that import)."""
        if self.segments is self.services.segments:
            self.services.segments.ensure_unchanged(self.plan.source)

    def pending_batches(self) -> Iterator[Batch]:
        for index, seg in enumerate(self.plan.segments):
            self.check_source()
            self.segment_name = seg.segment.name
            for batch in batches(
                self.segments,
                seg.segment,
                index,
                self.plan.export.mapping,
                self.plan.destination.max_batch,
                self.plan.emails,
                seg.known,
                day=self.plan.day,
            ):
                if (batch.segment_index, batch.batch_no) not in self.confirmed:
                    yield batch

    def send(self, batch: Batch) -> BulkResult:
        self.check_lease()
        audience = self.lists[self.plan.segments[batch.segment_index].segment.name]
        assert audience is not None, "resolve_lists ran first"
        contacts = [row.contact for row in batch.rows]
        return self.client.send(contacts, audience, cancel=self.cancel)

    def record(self, batch: Batch, result: BulkResult) -> None:
        rows = {row.email_key: row for row in batch.rows}
        rejected: list[RejectedContact] = []
        for key, reason in result.rejected.items():
            row = rows.get(key)
            if row is not None:
                rejected.append(RejectedContact(row.row_number, row.contact.email, reason))
        # A contact neither confirmed nor rejected by the answer is counted as rejected too:
        # the destination did not say it stored it.
        answered = set(result.confirmed) | set(result.rejected)
        for key, row in rows.items():
            if key not in answered:
                rejected.append(
                    RejectedContact(
                        row.row_number,
                        row.contact.email,
                        _("{name} did not confirm this contact").format(
                            name=self.plan.destination.name
                        ),
                    )
                )
        sent = len(batch.rows) - len(rejected)
        segment = self.plan.segments[batch.segment_index].segment.name
        refused = set(result.rejected)
        confirmed = [
            LedgerEntry(segment, key, contact_hash(row.contact, segment))
            for key, row in rows.items()
            if key in result.confirmed and key not in refused
        ]
        self.runs.record_batch(
            self.lease, batch.segment_index, batch.batch_no, sent, rejected, confirmed
        )
        self.sent += sent
        self.rejected += len(rejected)
        self.health.batch_confirmed()
        self.meter.add(len(batch.rows))
        self.heard()
        self.report("sending")

    def fail(self, exc: BaseException) -> None:
        if self.error is None and not isinstance(exc, Cancelled):
            failure = environment_failure(exc, self.runs.folder)
            if isinstance(exc, AppError):
                self.error = str(exc)
            elif failure is not None:  # a full disk, say: resumable once there is room
                log.warning("Run %s stopped: %s (%s)", self.run_id, failure, exc)
                self.error = str(failure)
            else:
                log.error("Unexpected error in run %s", self.run_id, exc_info=exc)
                self.error = _(
                    "An unexpected error stopped the run; the details are in the log file. "
                    "Resume the run to continue."
                )
        self.cancel.cancel("Stopping the run.")

    def send_all(self, in_flight: int) -> None:
        self._in_pool(
            (
                (functools.partial(self.send, batch), functools.partial(self.record, batch))
                for batch in self.pending_batches()
            ),
            in_flight,
        )

    def _in_pool(self, source: Iterator[_Work], in_flight: int) -> None:
        """Each piece of work's request in a small pool, each answer recorded as it comes."""
        pending: dict[Future[BulkResult], _Record] = {}
        with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="export-send") as pool:
            try:
                self._pump(source, pending, pool, in_flight)
            except BaseException as exc:
                # Whatever stopped the loop, the requests already in flight may be confirmed by
                # the destination: wait for them and record them, so a resume does not send them
                # again.
                self.fail(exc)
                self._drain(pending)
                raise

    def _pump(
        self,
        source: Iterator[_Work],
        pending: dict[Future[BulkResult], _Record],
        pool: ThreadPoolExecutor,
        in_flight: int,
    ) -> None:
        while True:
            self.watch_health()
            stopping = self.error is None and self.unhealthy is None
            if self.cancel.is_cancelled() and stopping and not self.cancelling:
                self.cancelling = True
                self.report("cancelling")
            while not self.cancel.is_cancelled() and len(pending) < in_flight:
                work = next(source, None)
                if work is None:
                    break
                request, record = work
                pending[pool.submit(request)] = record
            if not pending:
                return
            done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            for future in done:
                self._settle(future, pending.pop(future))
            if not done:
                self.tick()

    def _settle(self, future: Future[BulkResult], record: _Record) -> None:
        exc = future.exception()
        if exc is None:
            record(future.result())
        elif gave_up_on_destination(exc):
            assert isinstance(exc, DestinationError)
            self.gave_up = exc
            self._stop_if_unhealthy(self.health.batch_gave_up())
        else:
            self.fail(exc)

    def _drain(self, pending: dict[Future[BulkResult], _Record]) -> None:
        for future in list(pending):
            record = pending.pop(future)
            try:
                self._settle(future, record)
            except Exception:  # the store itself is failing: nothing more can be recorded
                log.exception("Could not record an answer of run %s", self.run_id)

    # -- removing who left ------------------------------------------------------------------

    def remove_all(self, in_flight: int) -> None:
        """Take the people who left each segment off its audience, a checkpoint per call."""
        self.report("removing")
        self._in_pool(self.pending_removals(), in_flight)
        self._warn_not_removed()

    def pending_removals(self) -> Iterator[_Work]:
        size = self.plan.destination.max_removals
        export = self.plan.export.name
        for index, seg in enumerate(self.plan.segments):
            if not seg.departed:
                continue
            name = seg.segment.name
            self.segment_name = name
            audience = self.lists.get(name)
            assert audience is not None, "resolve_lists ran first"
            # Only those the ledger still holds: a removal recorded before is not made again.
            still = self.services.ledger.emails(export, name)
            gone = [key for key in seg.departed if key not in still]
            self.removals_done += len(gone)
            keys = [key for key in seg.departed if key in still]
            for start in range(0, len(keys), size):
                chunk = keys[start : start + size]
                yield (
                    functools.partial(self.remove, audience, chunk),
                    functools.partial(self.record_removals, index, chunk),
                )

    def remove(self, audience: str, email_keys: list[str]) -> BulkResult:
        self.check_lease()
        return self.client.remove_from_audience(audience, email_keys, cancel=self.cancel)

    def record_removals(self, segment_index: int, chunk: list[str], result: BulkResult) -> None:
        refused = {key: result.rejected[key] for key in chunk if key in result.rejected}
        removed = [key for key in chunk if key in result.confirmed and key not in refused]
        name = self.plan.destination.name
        for key in chunk:
            if key not in refused and key not in result.confirmed:
                refused[key] = _("{name} did not confirm the removal").format(name=name)
        segment = self.plan.segments[segment_index].segment.name
        self.runs.record_removals(self.lease, segment_index, segment, removed, refused)
        self.health.batch_confirmed()
        if refused:
            self.not_removed.setdefault(segment, []).extend(refused.values())
        self.removals_done += len(chunk)
        self.meter.add(len(chunk))
        self.heard()
        self.report("removing")

    def _warn_not_removed(self) -> None:
        tag = self.plan.destination.audience_noun == "tag"
        for segment, reasons in self.not_removed.items():
            if tag:
                text = ngettext(
                    "{count} person who left '{segment}' could not be taken off its tag (for "
                    "example: {reason}); the next run tries again.",
                    "{count} people who left '{segment}' could not be taken off its tag (for "
                    "example: {reason}); the next run tries again.",
                    len(reasons),
                )
            else:
                text = ngettext(
                    "{count} person who left '{segment}' could not be taken off its list (for "
                    "example: {reason}); the next run tries again.",
                    "{count} people who left '{segment}' could not be taken off its list (for "
                    "example: {reason}); the next run tries again.",
                    len(reasons),
                )
            self.warnings.append(
                text.format(count=number(len(reasons)), segment=segment, reason=reasons[0])
            )

    @property
    def removals_unfinished(self) -> bool:
        return self.removals_done < self.to_remove

    # -- checking ---------------------------------------------------------------------------

    def verify_lists(self) -> None:
        """Warn when an audience holds fewer people than the destination confirmed for it."""
        self.report("verifying")
        cannot_check = _CANNOT_CHECK[self.plan.destination.audience_noun]
        for index, seg in enumerate(self.plan.segments):
            name = seg.segment.name
            audience = self.lists.get(name)
            confirmed = self.confirmed_for(index)
            if not audience or confirmed == 0:
                continue
            try:
                warning = self.client.verify_audience(name, audience, confirmed, cancel=self.cancel)
            except Cancelled:
                return
            except DestinationError as exc:
                self.warnings.append(_(cannot_check).format(name=name, reason=exc))
                continue
            if warning:
                self.warnings.append(warning)

    def confirmed_for(self, segment_index: int) -> int:
        return self.runs.sent_by_segment(self.run_id).get(segment_index, 0)


def run_export(
    plan: ExportPlan,
    services: Services,
    client: Client,
    runs: RunStore,
    *,
    run_id: int | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    clock: Clock | None = None,
    in_flight: int | None = None,
    warnings: Sequence[str] = (),
) -> Run:
    """Send the plan to its destination; returns the finished run. ``run_id`` resumes that run.

    Resuming claims the run atomically (UsageError when another process holds it live). The
    client is prepared by the caller (see ExportRunner.run); ``warnings`` from that go into the
    run's.
    """
    clock = clock or SystemClock()
    token = cancel.child() if cancel is not None else CancelToken()
    lease = start_run(plan, runs) if run_id is None else runs.claim_for_resume(run_id)
    state = _Run(plan, services, client, runs, lease, on_progress or (lambda p: None), token, clock)
    token.guard_with(state.guard_lease)
    state.warnings += warnings
    started = clock.monotonic()
    with Heartbeat(runs, lease, state.fail, state.tick):
        try:
            slots = in_flight or default_in_flight(plan.connection.rate_limit)
            nothing_valid = plan.all_invalid()
            if nothing_valid is not None:
                raise AppError(nothing_valid)
            state.resolve_lists()
            with frozen_members(
                plan.source, services.segments, services.profiles, runs.folder
            ) as segments:
                state.segments = segments
                state.send_all(slots)
            # Only after every contact was sent: a run cut short removes nobody.
            if state.to_remove and not token.is_cancelled() and state.gave_up is None:
                state.remove_all(slots)
            if not token.is_cancelled():
                state.verify_lists()
        except BaseException as exc:
            state.fail(exc)
            if not isinstance(exc, Exception | Cancelled):
                raise
    status, error = _outcome(state)
    return runs.finish(
        lease,
        status,
        active_seconds=clock.monotonic() - started,
        warnings=state.warnings,
        error=error,
    )


def _outcome(state: _Run) -> tuple[RunStatus, str | None]:
    """The run's final status and the error it reports."""
    unfinished = state.sent + state.rejected < state.plan.valid or state.removals_unfinished
    if state.unhealthy is not None and unfinished:
        # Written as interrupted, not failed: nothing is wrong with the export, the destination
        # is down for now, and the run resumes like one cut off by a crash. A batch that failed
        # meanwhile failed because of it.
        return RunStatus.INTERRUPTED, state.unhealthy.message(state.plan.destination.name)
    if state.error is not None:
        return RunStatus.FAILED, state.error
    # The run cancels its own token only after recording an error or a verdict on the
    # destination: without either, the caller cancelled.
    if state.cancel.is_cancelled() and unfinished and state.unhealthy is None:
        return RunStatus.CANCELLED, None
    if state.gave_up is not None:
        return RunStatus.FAILED, str(state.gave_up)
    if state.rejected:
        return RunStatus.SUCCEEDED_WITH_REJECTIONS, None
    return RunStatus.SUCCEEDED, None
