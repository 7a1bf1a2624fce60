"""Pacing: a token bucket shared by every thread of one client, and a rate that adapts to 429s.

The bucket hands out *reservations*: a caller takes a token at once (the count may go negative)
and is told how long to wait before using it. Waiters are therefore served in arrival order and
no thread spins on the lock.

A process that was paused (SIGSTOP, a computer put to sleep) must not fire the budget it "saved
up" meanwhile: after a jump of the clock longer than ``PAUSE_GAP_S`` the bucket holds at most one
token, and a reservation made before the pause is not honoured as if no time had passed
(:meth:`TokenBucket.take`).
"""

from __future__ import annotations

import threading

from app.core.cancel import CancelToken
from app.core.clock import Clock
from app.core.destinations.http.retry import pause

# A gap in time longer than this (between two looks at the bucket, or past the moment a waiting
# request was due) is a pause of the process, not idleness of a run; a few seconds, well below
# the 30 s after which a resume may take a run over.
PAUSE_GAP_S = 5.0


class TokenBucket:
    """``rate`` tokens per second up to ``burst``; thread-safe; time comes from ``clock``."""

    def __init__(
        self, rate: float, burst: int, clock: Clock, *, initial: float | None = None
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self._rate = float(rate)
        self._burst = float(burst)
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = float(burst if initial is None else min(initial, burst))
        # Tokens are counted as of ``_stamp``; a hold moves it into the future.
        self._stamp = clock.monotonic()

    @property
    def rate(self) -> float:
        with self._lock:
            return self._rate

    def reserve(self) -> float:
        """Take one token; returns the seconds to wait before the request may go (0 = now)."""
        with self._lock:
            now = self._clock.monotonic()
            self._refill(now)
            self._tokens -= 1.0
            wait = max(0.0, self._stamp - now)
            if self._tokens < 0:
                wait += -self._tokens / self._rate
            return wait

    def take(self, cancel: CancelToken | None = None) -> None:
        """Wait for a token (Cancelled when ``cancel`` is set meanwhile). A wait that ended far
        later than it was due, because the process was paused, does not count: the request
        takes a new place in line instead of going out with every other one that waited."""
        while True:
            wait = self.reserve()
            due = self._clock.monotonic() + wait
            pause(self._clock, wait, cancel)
            if self._clock.monotonic() - due <= PAUSE_GAP_S:
                return

    def set_rate(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        with self._lock:
            self._refill(self._clock.monotonic())
            self._rate = float(rate)

    def hold(self, seconds: float) -> None:
        """Nobody gets a token for ``seconds`` (a server's Retry-After applies to every thread)."""
        with self._lock:
            now = self._clock.monotonic()
            self._refill(now)
            self._stamp = max(self._stamp, now + max(0.0, seconds))
            self._tokens = min(self._tokens, 1.0)

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            # After a pause, one token: not a burst of everything the pause "earned".
            cap = 1.0 if now - self._stamp > PAUSE_GAP_S else self._burst
            self._tokens = min(cap, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now


class AdaptiveRate:
    """Lowers the bucket's rate on 429 and creeps back up after a run of successes.

    Several requests in flight often get 429 together; counting each would crush the rate.
    A 429 lowers the rate only if no decrease happened since its request was sent
    (``generation`` is taken before sending).
    """

    def __init__(
        self,
        bucket: TokenBucket,
        ceiling: float,
        *,
        floor: float = 0.5,
        factor: float = 0.8,
        recover_after: int = 10,
        step: float = 1.05,
    ) -> None:
        self._bucket = bucket
        self._ceiling = float(ceiling)
        self._floor = min(floor, self._ceiling)
        self._factor = factor
        self._recover_after = recover_after
        self._step = step
        self._lock = threading.Lock()
        self._rate = float(ceiling)
        self._generation = 0
        self._successes = 0

    @property
    def rate(self) -> float:
        with self._lock:
            return self._rate

    @property
    def generation(self) -> int:
        with self._lock:
            return self._generation

    def on_throttled(self, generation: int) -> bool:
        """A 429 for a request sent at ``generation``; True when the rate was lowered."""
        with self._lock:
            self._successes = 0
            if generation != self._generation or self._rate <= self._floor:
                return False
            self._rate = max(self._floor, self._rate * self._factor)
            self._generation += 1
            self._bucket.set_rate(self._rate)
            return True

    def on_success(self) -> None:
        with self._lock:
            if self._rate >= self._ceiling:
                return
            self._successes += 1
            if self._successes >= self._recover_after:
                self._successes = 0
                self._rate = min(self._ceiling, self._rate * self._step)
                self._bucket.set_rate(self._rate)
