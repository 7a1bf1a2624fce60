"""Stepping in at a chosen request: "on the Nth request to path P, at this moment, call this".

A crash test kills the client process the moment the server receives a batch, after it applied
it but before answering, or just after answering, without any test code in the client. The
moments are those of the request pipeline (``simkit.dispatch``):

- ``BEFORE``: the request arrived; nothing is applied yet.
- ``AFTER``: the server handled it (applied, unless it was refused or a fault said otherwise);
  its answer is not written yet.
- ``ANSWERED``: the answer was written to the socket (the client may be reading it).

The action runs on the thread that serves the request, so the answer waits for it at
``BEFORE`` and ``AFTER``; an action that sleeps at ``ANSWERED`` delays nothing but itself.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

BEFORE = "before"
AFTER = "after"
ANSWERED = "answered"
MOMENTS = (BEFORE, AFTER, ANSWERED)

Action = Callable[[], None]


@dataclass
class Hook:
    """One armed hook; ``fired`` is set once its action has run (or raised)."""

    path: str  # a glob on the path below the base URL, e.g. "/contacts" or "/list/*/contact/*"
    nth: int  # 1 = the first matching request after the hook was added
    moment: str
    action: Action
    method: str | None = None
    fired: threading.Event = field(default_factory=threading.Event)
    seen: int = 0  # matching requests so far

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return fnmatch.fnmatchcase(path, self.path)

    def fire(self) -> None:
        try:
            self.action()
        finally:
            self.fired.set()


class Hooks:
    """Thread-safe; each request is matched once, when it arrives, so the count is exact."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hooks: list[Hook] = []

    def add(
        self, path: str, nth: int, moment: str, action: Action, *, method: str | None = None
    ) -> Hook:
        if moment not in MOMENTS or nth < 1:
            raise ValueError(f"a hook needs nth >= 1 and a moment of {MOMENTS}")
        hook = Hook(path, nth, moment, action, method)
        with self._lock:
            self._hooks.append(hook)
        return hook

    def clear(self) -> None:
        with self._lock:
            self._hooks.clear()

    def due(self, method: str, path: str) -> list[Hook]:
        """Count this request against every hook; the hooks it is the Nth request of."""
        due: list[Hook] = []
        with self._lock:
            for hook in self._hooks:
                if hook.seen < hook.nth and hook.matches(method, path):
                    hook.seen += 1
                    if hook.seen == hook.nth:
                        due.append(hook)
        return due


def fire(hooks: list[Hook], moment: str) -> None:
    for hook in hooks:
        if hook.moment == moment:
            hook.fire()
