"""The log of every API request a test server answered (or deliberately did not)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

NO_ANSWER = 0  # the status recorded when the socket was closed without an answer


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # below /v1, e.g. "/contacts"
    status: int  # what the client got; NO_ANSWER for resets and commit-then-timeout
    body: object  # parsed JSON (None when not recorded or empty)
    time: float  # time.monotonic() when the request arrived
    fault: str | None = None
    # Request headers by lower-cased name, for servers that record them (empty otherwise).
    headers: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "body": self.body,
            "time": self.time,
            "fault": self.fault,
            "headers": dict(self.headers),
        }


class Recorder:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._items: list[RecordedRequest] = []

    def add(self, item: RecordedRequest) -> None:
        with self._cond:
            self._items.append(item)
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._items.clear()

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    def all(self) -> list[RecordedRequest]:
        with self._cond:
            return list(self._items)

    def count(self, status: int) -> int:
        with self._cond:
            return sum(1 for item in self._items if item.status == status)

    def path_counts(self) -> Counter[str]:
        """How many requests arrived per path (whatever they were answered)."""
        with self._cond:
            return Counter(item.path for item in self._items)

    def wait_for(self, count: int, timeout: float) -> bool:
        """Block until ``count`` requests were recorded; False on timeout (no polling)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._items) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True
