"""Whether the destination is healthy enough to go on sending: the run's circuit breaker.

Each request already retries on its own (app/core/destinations/http/session.py). This looks at
the run as a whole: when the destination keeps failing, a run that presses on only hammers a
service that is down and fills the history with failed batches. It then stops as
``interrupted`` (resumable, nothing confirmed is lost) with one line that says so.

The rules, and why these numbers:

- **Most requests of the last minute failed.** Of the attempts that ended within the last
  ``WINDOW_S`` seconds, at least ``MIN_ATTEMPTS`` and more than ``FAILED_SHARE`` of them failed,
  and the oldest of those failures is at least ``FAILING_FOR_S`` old. At a 20% fault rate (which
  retries absorb) a window of 20 attempts has more than half failed with a chance of about 1 in
  2,000, and a minute at 5 requests/s holds 300 attempts, where it never happens; the 20 s keep a
  burst of errors at the very start of a run from counting as "most of the last minute".
- **Nothing succeeded for a while.** No attempt succeeded for ``SILENT_S`` seconds while at least
  ``MIN_SILENT_FAILURES`` failed. A storm that starts in the middle of a run shows here first:
  the minute still holds the good answers from before it. At a 20% fault rate 20 s without one
  success is out of reach (about 100 attempts at 5 requests/s), and 20 s of errors is longer
  than a restart or a deployment at the destination usually takes.
- **Several batches in a row exhausted their retries.** ``EXHAUSTED_IN_A_ROW`` sends (or
  removals) gave up on a server or network failure with no confirmed one in between. This
  catches a destination that answers too slowly to make many attempts at all.

What counts as a failed attempt: a 5xx or 408, a timeout, a dropped or refused connection. A
429 is pacing, handled by the client; a refusal (4xx) is an answer about the request; an answer
that is not the API's (a proxy's page, a wrong base URL) or a certificate problem is a setting to
fix, which the failing request's own message names. None of those count either way, and a send
that fails on one of them still fails the run at once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from app.core.clock import Clock
from app.core.destinations.errors import NetworkError, ServerError
from app.core.destinations.models import ClientStats
from app.core.i18n import _, ngettext, number

WINDOW_S = 60.0
MIN_ATTEMPTS = 20
FAILED_SHARE = 0.5
FAILING_FOR_S = 20.0
SILENT_S = 20.0
MIN_SILENT_FAILURES = 10
EXHAUSTED_IN_A_ROW = 3

# The kinds of failed attempts in ClientStats.errors that say the destination is unwell.
FAILED_KINDS = frozenset({"server", "timeout", "reset", "connect"})
_GAVE_UP_FAILURES = frozenset({"connect", "timeout", "reset"})


def gave_up_on_destination(exc: BaseException) -> bool:
    """A send or removal that failed after its retries because the destination or the network
    kept failing (not because the request or the key was refused): the run may go on without
    it, and a resume sends it again."""
    if isinstance(exc, ServerError):
        return exc.status is not None and (exc.status >= 500 or exc.status == 408)
    return isinstance(exc, NetworkError) and exc.failure in _GAVE_UP_FAILURES


@dataclass(frozen=True)
class Unhealthy:
    """Why the run stopped: a whole sentence, after the line that says what to do."""

    detail: str

    def message(self, destination: str) -> str:
        return _("{name} is not answering; resume the run later. {detail}").format(
            name=destination, detail=self.detail
        )


@dataclass(frozen=True)
class _Tally:
    at: float
    ok: int
    failed: int


class DestinationHealth:
    """Fed with the client's counters and the outcome of each batch; thread-safe."""

    def __init__(self, clock: Clock, stats: ClientStats | None = None) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._window: deque[_Tally] = deque()
        self._seen_ok, self._seen_failed = _counts(stats or ClientStats())
        self._last_success = clock.monotonic()
        self._failed_since_success = 0
        self._exhausted_in_a_row = 0
        self.verdict: Unhealthy | None = None

    # -- what happened ---------------------------------------------------------------------

    def observe(self, stats: ClientStats) -> Unhealthy | None:
        """Take in the client's counters (as they are now); returns the verdict once tripped."""
        ok_total, failed_total = _counts(stats)
        with self._lock:
            ok, failed = ok_total - self._seen_ok, failed_total - self._seen_failed
            self._seen_ok, self._seen_failed = ok_total, failed_total
            now = self._clock.monotonic()
            if ok or failed:
                self._window.append(_Tally(now, ok, failed))
            if ok:
                # Which came first within one look is unknown: a success clears the streak.
                self._last_success = now
                self._failed_since_success = 0
            else:
                self._failed_since_success += failed
            return self._judge(now)

    def batch_confirmed(self) -> None:
        with self._lock:
            self._exhausted_in_a_row = 0

    def batch_gave_up(self) -> Unhealthy | None:
        with self._lock:
            self._exhausted_in_a_row += 1
            return self._judge(self._clock.monotonic())

    # -- the rules -------------------------------------------------------------------------

    def _judge(self, now: float) -> Unhealthy | None:
        if self.verdict is None:
            self.verdict = self._rule_broken(now)
        return self.verdict

    def _rule_broken(self, now: float) -> Unhealthy | None:
        while self._window and now - self._window[0].at > WINDOW_S:
            self._window.popleft()
        if self._exhausted_in_a_row >= EXHAUSTED_IN_A_ROW:
            count = self._exhausted_in_a_row
            return Unhealthy(
                ngettext(
                    "{count} batch in a row failed after every retry.",
                    "{count} batches in a row failed after every retry.",
                    count,
                ).format(count=number(count))
            )
        silent = now - self._last_success
        if silent >= SILENT_S and self._failed_since_success >= MIN_SILENT_FAILURES:
            # Always at least SILENT_S seconds and MIN_SILENT_FAILURES requests: plurals both.
            failures = self._failed_since_success
            return Unhealthy(
                ngettext(
                    "No request has succeeded for {seconds} seconds; {count} failed in that time.",
                    "No request has succeeded for {seconds} seconds; {count} failed in that time.",
                    failures,
                ).format(seconds=number(round(silent)), count=number(failures))
            )
        failed = sum(t.failed for t in self._window)
        total = failed + sum(t.ok for t in self._window)
        if total < MIN_ATTEMPTS or failed <= FAILED_SHARE * total:
            return None
        first_failure = next(t.at for t in self._window if t.failed)
        if now - first_failure < FAILING_FOR_S:
            return None
        return Unhealthy(
            ngettext(
                "{failed} of the {count} request of the last minute failed.",
                "{failed} of the {count} requests of the last minute failed.",
                total,
            ).format(failed=number(failed), count=number(total))
        )


def _counts(stats: ClientStats) -> tuple[int, int]:
    """(succeeded, failed) attempts so far; neutral ones are in neither."""
    errors: Mapping[str, int] = stats.errors
    failed = sum(n for kind, n in errors.items() if kind in FAILED_KINDS)
    ok = stats.requests - sum(errors.values())
    return ok, failed
