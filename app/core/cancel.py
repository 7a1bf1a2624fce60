"""Cooperative cancellation shared by the engine, the client and their callers."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancelled(Exception):
    """Raised inside the core when work stops because a cancel was requested."""


class CancelToken:
    """Set once from any thread (a Cancel button, SIGINT); checked before every new request."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._children: list[CancelToken] = []
        self.reason = ""
        # Asked before every new request whether the work may go on (see :meth:`guard_with`).
        self._guard: Callable[[], None] | None = None

    def child(self) -> CancelToken:
        """A token cancelled with this one that can also be cancelled alone, leaving this one be.

        A run stops itself on a fatal error through its child of the caller's token, so the
        caller never sees a cancel it did not ask for. No lock: a signal handler may cancel the
        parent while this thread is here, and either the loop in :meth:`cancel` sees the child or
        the check below sees the parent cancelled.
        """
        child = CancelToken()
        self._children.append(child)
        if self._event.is_set():
            child.cancel(self.reason)
        return child

    def cancel(self, reason: str = "Cancelled by the user.") -> None:
        if not self._event.is_set():
            self.reason = reason
        self._event.set()
        for child in list(self._children):
            child.cancel(self.reason)

    def is_cancelled(self) -> bool:
        return self._event.is_set()

    def guard_with(self, guard: Callable[[], None]) -> None:
        """Have ``guard`` asked at every :meth:`raise_if_cancelled`; it cancels this token when
        the work must stop (a run whose lease another process took over). It is called often,
        from any thread: it must be cheap or pace itself."""
        self._guard = guard

    def raise_if_cancelled(self) -> None:
        if self._guard is not None and not self._event.is_set():
            self._guard()
        if self._event.is_set():
            raise Cancelled(self.reason)

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; returns True (early) when cancelled meanwhile."""
        return self._event.wait(max(0.0, seconds))
