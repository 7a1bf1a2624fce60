"""Cooperative cancellation shared by the engine, the client and their callers."""

from __future__ import annotations

import threading


class Cancelled(Exception):
    """Raised inside the core when work stops because a cancel was requested."""


class CancelToken:
    """Set once from any thread (a Cancel button, SIGINT); checked before every new request."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def cancel(self, reason: str = "Cancelled by the user.") -> None:
        if not self._event.is_set():
            self.reason = reason
        self._event.set()

    def is_cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled(self.reason)

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; returns True (early) when cancelled meanwhile."""
        return self._event.wait(max(0.0, seconds))
