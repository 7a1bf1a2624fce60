"""Thread-safe counters behind a client's ``stats``."""

from __future__ import annotations

import threading
from collections import Counter

from app.core.destinations.http.failures import error_kind
from app.core.destinations.http.transport import Reply
from app.core.destinations.models import ClientStats


class StatsRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._throttled = 0
        self._retries = 0
        self._errors: Counter[str] = Counter()

    def attempt(self, reply: Reply) -> None:
        kind = error_kind(reply)
        with self._lock:
            self._requests += 1
            if reply.status == 429:
                self._throttled += 1
            if kind is not None:
                self._errors[kind] += 1

    def retry(self) -> None:
        with self._lock:
            self._retries += 1

    def snapshot(self) -> ClientStats:
        with self._lock:
            return ClientStats(self._requests, self._throttled, self._retries, dict(self._errors))
