"""When to retry and how long to wait: full-jitter exponential backoff, Retry-After, cancel."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from app.core.cancel import Cancelled, CancelToken
from app.core.clock import Clock, SystemClock

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# A backoff sleep is cut into slices this long when the clock cannot wait on the token itself.
CANCEL_SLICE_S = 0.25


@dataclass(frozen=True)
class BackoffPolicy:
    base: float = 0.5
    cap: float = 30.0
    # A server asking for more than this is still obeyed, but only this long at a time.
    retry_after_cap: float = 120.0

    def ceiling(self, attempt: int) -> float:
        """The longest wait after failed attempt number ``attempt`` (1-based)."""
        return float(min(self.cap, self.base * 2 ** max(0, attempt - 1)))

    def delay(self, attempt: int, rng: random.Random, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(max(0.0, retry_after), self.retry_after_cap)
        # Full jitter: clients that failed together do not retry together.
        return rng.uniform(0.0, self.ceiling(attempt))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None if absent or bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def pause(clock: Clock, seconds: float, cancel: CancelToken | None) -> None:
    """Sleep through ``clock``; with a token, stop early and raise Cancelled when it is set."""
    if seconds <= 0:
        if cancel is not None:
            cancel.raise_if_cancelled()
        return
    if cancel is None:
        clock.sleep(seconds)
        return
    if isinstance(clock, SystemClock):
        if cancel.wait(seconds):
            raise Cancelled(cancel.reason)
        return
    deadline = clock.monotonic() + seconds
    while True:
        cancel.raise_if_cancelled()
        left = deadline - clock.monotonic()
        if left <= 0:
            return
        clock.sleep(min(CANCEL_SLICE_S, left))
