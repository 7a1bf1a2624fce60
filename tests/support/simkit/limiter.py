"""Per-key token buckets, independent of the client's own pacing code on purpose."""

from __future__ import annotations

import threading
import time

from tests.support.simkit.clock import Clock


class KeyLimiter:
    def __init__(self, rate: float | None, burst: int, clock: Clock = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._rate = rate
        self._burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, stamp)

    @property
    def rate(self) -> float | None:
        return self._rate

    @property
    def burst(self) -> int:
        return int(self._burst)

    def configure(self, rate: float | None, burst: int | None = None) -> None:
        with self._lock:
            self._rate = rate
            if burst is not None:
                self._burst = float(burst)
            self._buckets.clear()

    def allow(self, key: str) -> bool:
        """Take a token for ``key`` if one is there; no rate means no limit."""
        with self._lock:
            if not self._rate:
                return True
            now = self._clock()
            tokens, stamp = self._buckets.get(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - stamp) * self._rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            return allowed
