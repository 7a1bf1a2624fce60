"""The log of every API request the simulator answered (or deliberately did not)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

NO_ANSWER = 0  # the status recorded when the socket was closed without an answer


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # below /v1, e.g. "/contacts"
    status: int  # what the client got; NO_ANSWER for resets and commit-then-timeout
    body: object  # parsed JSON (None when not recorded or empty)
    time: float  # time.monotonic() when the request arrived
    fault: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "body": self.body,
            "time": self.time,
            "fault": self.fault,
        }


class Recorder:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._items: list[RecordedRequest] = []

    def add(self, item: RecordedRequest) -> None:
        with self._cond:
            self._items.append(item)
            self._cond.notify_all()

    def all(self) -> list[RecordedRequest]:
        with self._cond:
            return list(self._items)

    def count(self, status: int) -> int:
        with self._cond:
            return sum(1 for item in self._items if item.status == status)

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
