"""What an API handler receives and returns, and Ortto's error shape."""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass

from tests.support.simkit.http import Answer as Answer  # re-exported for the handlers


@dataclass(frozen=True)
class Call:
    body: object  # parsed JSON, None when there was no body
    key: str  # the (valid) API key the request carried


class Ids:
    """Seeded request and person ids, so a run is repeatable."""

    def __init__(self, seed: int) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(f"ortto-ids-{seed}")

    def request_id(self) -> str:
        with self._lock:
            return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def person_id(self) -> str:
        """Like Ortto's: 24 hex digits starting 006."""
        with self._lock:
            return f"006{self._rng.getrandbits(84):021x}"


class Errors:
    def __init__(self, ids: Ids) -> None:
        self.ids = ids

    def __call__(self, status: int, message: str, details: list[object] | None = None) -> Answer:
        """``{"request_id": uuid, "code": status, "error": message[, "details": [...]]}``."""
        payload: dict[str, object] = {
            "request_id": self.ids.request_id(),
            "code": status,
            "error": message,
        }
        if details is not None:
            payload["details"] = details
        return status, payload


def rate_limited(try_in_seconds: int, message: str = "rate limit") -> dict[str, object]:
    """The 429 body, a shape of its own."""
    return {"error": {"code": "rate-limit", "message": message, "try-in-seconds": try_in_seconds}}
