"""The abuse guard: too many bad requests from one IP in a window bans it for a while.

Ortto: 15 bad requests in 15 s, or 15 bad-credential requests in 15 s, ban the caller's IP for
15 s. Every window runs on the server's clock (injectable), so tests need not sleep.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from tests.support.ortto_sim.config import OrttoConfig
from tests.support.simkit.clock import Clock


@dataclass(frozen=True)
class Ban:
    host: str
    at: float  # the server clock when it began
    until: float
    reason: str  # "bad requests" or "bad credentials"


class AbuseGuard:
    def __init__(self, config: OrttoConfig, clock: Clock) -> None:
        self.config, self.clock = config, clock
        self._lock = threading.Lock()
        self._bad: dict[tuple[str, str], deque[float]] = {}  # (host, kind) -> times
        self._until: dict[str, float] = {}
        self._bans: list[Ban] = []

    @property
    def bans(self) -> list[Ban]:
        with self._lock:
            return list(self._bans)

    def banned_for(self, host: str) -> float:
        """Seconds left of ``host``'s ban, 0 when it is not banned."""
        with self._lock:
            return max(0.0, self._until.get(host, 0.0) - self.clock())

    def note(self, host: str, status: int) -> None:
        """Count an answer; a bad one may start a ban."""
        if not 400 <= status < 500 or status == 429 or self.config.ban_after <= 0:
            return
        credentials = status in (401, 403)
        kind = "bad credentials" if credentials else "bad requests"
        window = kind if self.config.ban_counting == "separate" else "bad requests"
        with self._lock:
            now = self.clock()
            if self._until.get(host, 0.0) > now:
                return
            times = self._bad.setdefault((host, window), deque())
            times.append(now)
            while times and times[0] <= now - self.config.ban_window_s:
                times.popleft()
            if len(times) >= self.config.ban_after:
                until = now + self.config.ban_for_s
                self._until[host] = until
                self._bans.append(Ban(host, now, until, window))
                self._bad = {k: v for k, v in self._bad.items() if k[0] != host}

    def reset(self) -> None:
        with self._lock:
            self._bad.clear()
            self._until.clear()
            self._bans.clear()
