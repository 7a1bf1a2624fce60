"""Staying clear of Ortto's abuse guard: 15 bad requests (or bad credentials) in 15 s ban the
caller's IP for 15 s (``ortto-api.md``, Basics).

A client keeps its own, smaller budget: at most ``limit`` bad answers (4xx other than 429) in any
``window`` seconds, counting every request in flight as one that may still come back bad. So a
request waits when ``bad answers in the window + requests in flight`` would reach the limit, and
even if every request in flight fails at once the count stays under the limit. In a healthy run
(no bad answers) this only caps the requests in flight at ``limit``.
"""

from __future__ import annotations

import threading
from collections import deque

from app.core.cancel import CancelToken
from app.core.clock import Clock
from app.core.destinations.http.retry import pause

BAD_ANSWERS = 10  # per window, in flight included; Ortto bans at 15
WINDOW_S = 16.0  # Ortto's window is 15 s; one second more covers clock skew
_MIN_WAIT_S = 0.001
_IN_FLIGHT_POLL_S = 0.25  # how often a request waiting for a free slot looks at its cancel


def is_bad(status: int | None) -> bool:
    """Whether Ortto's guard counts an answer: a 4xx other than 429."""
    return status is not None and 400 <= status < 500 and status != 429


class BadAnswerBudget:
    """Thread-safe; time comes from ``clock`` so tests need not sleep."""

    def __init__(self, clock: Clock, limit: int = BAD_ANSWERS, window: float = WINDOW_S) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._cond = threading.Condition()
        self._bad: deque[float] = deque()
        self._in_flight = 0
        self.waits = 0  # how often a request had to wait for the window (for tests and logs)

    def admit(self, cancel: CancelToken | None) -> None:
        """Wait until one more request may go, then count it as in flight."""
        waited = False
        while True:
            with self._cond:
                now = self._clock.monotonic()
                self._forget(now)
                if len(self._bad) + self._in_flight < self.limit:
                    self._in_flight += 1
                    if waited:
                        self.waits += 1
                    return
                if self._in_flight == 0:  # full of bad answers: wait for the oldest to age out
                    # (at least a millisecond: a float sum can stop moving a clock)
                    wait = max(_MIN_WAIT_S, self._bad[0] + self.window - now)
                else:
                    # A request in flight may end soon and free its slot: look again then.
                    self._cond.wait(_IN_FLIGHT_POLL_S)
                    wait = 0.0
            waited = True
            if cancel is not None:
                cancel.raise_if_cancelled()
            if wait > 0:
                pause(self._clock, wait, cancel)

    def done(self, status: int | None) -> None:
        """The request admitted last by this thread got an answer (or none: ``None``)."""
        with self._cond:
            self._in_flight = max(0, self._in_flight - 1)
            if is_bad(status):
                self._bad.append(self._clock.monotonic())
            self._cond.notify_all()

    def recent(self) -> int:
        """Bad answers in the current window."""
        with self._cond:
            self._forget(self._clock.monotonic())
            return len(self._bad)

    def _forget(self, now: float) -> None:
        while self._bad and self._bad[0] <= now - self.window:
            self._bad.popleft()
