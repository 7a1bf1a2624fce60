"""Switchable faults: "the next N requests to path X" and seeded per-request probabilities."""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import dataclass, field

ERROR_500 = "500"  # JSON 500, nothing applied
HTML_503 = "503_html"  # a load balancer's HTML page, nothing applied
RESET = "reset"  # the socket is closed without an answer, nothing applied
SLOW = "slow"  # stall past the client's read timeout, then apply and answer (late)
COMMIT_TIMEOUT = "commit_timeout"  # apply, then stall and close without an answer
STATUS = "status"  # any status, body and headers (e.g. 429 with Retry-After), nothing applied
TRICKLE = "trickle"  # apply, answer 200 and then send the body one byte per slow_seconds
HUGE = "huge"  # apply, answer 200 with a body of HUGE_BYTES that is not worth reading
KINDS = frozenset({ERROR_500, HTML_503, RESET, SLOW, COMMIT_TIMEOUT, STATUS, TRICKLE, HUGE})
HUGE_BYTES = 64 << 20


@dataclass(frozen=True)
class Fault:
    kind: str
    status: int = 0
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Queued:
    fault: Fault
    remaining: int
    path: str
    method: str | None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return fnmatch.fnmatchcase(path, self.path)


class FaultPlan:
    """Thread-safe; with one client thread the sequence of faults is fixed by the seed.

    ``fail_next`` without a path applies to ``default_path`` (each server's bulk upsert).
    """

    def __init__(self, seed: int, default_path: str = "*") -> None:
        self._lock = threading.Lock()
        self._default_path = default_path
        self._rng = random.Random(seed)
        self._rates: dict[str, float] = {}
        self._rate_path = "*"
        self._queue: list[_Queued] = []

    def set_rates(
        self, rates: dict[str, float], *, seed: int | None = None, path: str = "*"
    ) -> None:
        unknown = set(rates) - (KINDS - {STATUS})
        if unknown or sum(rates.values()) > 1:
            raise ValueError(f"bad fault rates {rates!r}")
        with self._lock:
            self._rates = dict(sorted(rates.items()))
            self._rate_path = path
            if seed is not None:
                self._rng = random.Random(seed)

    def fail_next(
        self,
        kind: str,
        count: int = 1,
        *,
        path: str | None = None,
        method: str | None = None,
        status: int = 0,
        body: object = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if kind not in KINDS or (kind == STATUS and not status):
            raise ValueError(f"unknown fault {kind!r} (a status fault needs a status)")
        fault = Fault(kind, status, body, dict(headers or {}))
        with self._lock:
            self._queue.append(_Queued(fault, count, path or self._default_path, method))

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rates = {}

    def draw(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for queued in self._queue:
                if queued.remaining > 0 and queued.matches(method, path):
                    queued.remaining -= 1
                    return queued.fault
            if not self._rates or not fnmatch.fnmatchcase(path, self._rate_path):
                return None
            roll = self._rng.random()
            for kind, rate in self._rates.items():
                if roll < rate:
                    return Fault(kind)
                roll -= rate
            return None
