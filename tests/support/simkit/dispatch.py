"""One API request, in the order a real service would handle it.

Admission (the server's auth and whatever else it checks first), then the body's JSON, the
per-key rate limit, injected faults, latency, and the API itself. The answer is recorded before
it is written, so a test that got an answer finds its record. Hooks (``simkit.hooks``) let a test
step in before, after or once a chosen request is answered. Each server subclasses
``Dispatcher`` with its contract's error shape, auth and routes.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from tests.support.simkit import faults as f
from tests.support.simkit import hooks as h
from tests.support.simkit.faults import Fault, FaultPlan
from tests.support.simkit.http import Answer
from tests.support.simkit.limiter import KeyLimiter
from tests.support.simkit.recorder import NO_ANSWER, RecordedRequest, Recorder

HTML_503 = (
    "<html><head><title>503 Service Temporarily Unavailable</title></head><body>"
    "<center><h1>503 Service Temporarily Unavailable</h1></center></body></html>"
)


class Exchange(Protocol):
    """The wire side of one request, implemented by the HTTP handler."""

    def header(self, name: str) -> str | None: ...

    def all_headers(self) -> dict[str, str]: ...

    def client_host(self) -> str: ...

    def respond(self, answer: Answer, headers: dict[str, str] | None = None) -> None: ...

    def respond_html(self, status: int, html: str) -> None: ...

    def reset(self) -> None: ...

    def respond_slowly(self, answer: Answer, every: float, stopping: threading.Event) -> None: ...

    def respond_huge(self, status: int, size: int) -> None: ...


class Timing(Protocol):
    """The switches the pipeline reads (each server's config has them)."""

    latency: float
    slow_seconds: float
    record_bodies: bool


@dataclass(frozen=True)
class Outcome:
    status: int  # NO_ANSWER: close the connection without a byte
    payload: object = None
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None
    stall: float = 0.0  # wait this long before delivering (commit-then-timeout)
    trickle: float = 0.0  # send the body one byte per this many seconds
    size: int = 0  # send a body of this many bytes instead of the payload

    @classmethod
    def of(cls, answer: Answer, fault: str | None = None) -> Outcome:
        return cls(answer[0], answer[1], fault=fault)


Control = Callable[[str, str, object], Answer]


class Dispatcher:
    prefix = "/v1"
    bad_json = "The body is not valid JSON."

    def __init__(
        self,
        config: Timing,
        limiter: KeyLimiter,
        faults: FaultPlan,
        control: Control,
        counters: Counter[str],
        lock: threading.RLock,
    ) -> None:
        self.config, self.limiter, self.faults, self.control = config, limiter, faults, control
        self.counters, self.lock = counters, lock
        self.recorder = Recorder()
        self.hooks = h.Hooks()
        self.stopping = threading.Event()

    # -- what each server supplies --------------------------------------------------------

    def error(self, status: int, message: str) -> Answer:
        raise NotImplementedError

    def admit(self, ex: Exchange, method: str, path: str, raw: bytes) -> Outcome | str:
        """The refusal, or the API key the request may go on with."""
        raise NotImplementedError

    def throttled(self, key: str) -> Outcome:
        raise NotImplementedError

    def route(self, method: str, path: str, body: object, key: str) -> Answer:
        raise NotImplementedError

    def headers_to_record(self, ex: Exchange) -> dict[str, str]:
        return {}

    def answered(self, ex: Exchange, outcome: Outcome) -> None:
        """Called with every API answer, before it is written."""

    # -- the pipeline ---------------------------------------------------------------------------

    def serve(self, ex: Exchange, method: str, path: str, raw: bytes) -> None:
        started = time.monotonic()
        body, bad_json = _parse(raw)
        control_path = path.removeprefix(self.prefix)
        if control_path.startswith("/_sim/"):  # reachable beside and below the base URL
            ex.respond(self.control(method, control_path, body))
            return
        if path != self.prefix and not path.startswith(self.prefix + "/"):
            ex.respond(self.error(404, "Not found."))
            return
        api_path = path[len(self.prefix) :] or "/"
        self.count("requests")
        due = self.hooks.due(method, api_path)
        h.fire(due, h.BEFORE)
        outcome = self._answer(ex, method, api_path, raw, body, bad_json)
        self.answered(ex, outcome)
        kept = body if self.config.record_bodies else None
        headers = self.headers_to_record(ex)
        record = RecordedRequest(
            method, api_path, outcome.status, kept, started, outcome.fault, headers
        )
        self.recorder.add(record)
        if outcome.stall:
            self.stall(outcome.stall)
        h.fire(due, h.AFTER)
        self._deliver(ex, outcome)
        h.fire(due, h.ANSWERED)

    def _deliver(self, ex: Exchange, outcome: Outcome) -> None:
        if outcome.status == NO_ANSWER:
            ex.reset()
        elif outcome.trickle:
            ex.respond_slowly((outcome.status, outcome.payload), outcome.trickle, self.stopping)
        elif outcome.size:
            ex.respond_huge(outcome.status, outcome.size)
        elif outcome.html is not None:
            ex.respond_html(outcome.status, outcome.html)
        else:
            ex.respond((outcome.status, outcome.payload), outcome.headers)

    def _answer(
        self, ex: Exchange, method: str, path: str, raw: bytes, body: object, bad_json: bool
    ) -> Outcome:
        admitted = self.admit(ex, method, path, raw)
        if isinstance(admitted, Outcome):
            return admitted
        key = admitted
        if bad_json:
            return Outcome.of(self.error(400, self.bad_json))
        if not self.limiter.allow(key):
            self.count("throttled")
            return self.throttled(key)
        fault = self.faults.draw(method, path)
        if not self.stall(self.config.latency):
            return Outcome(NO_ANSWER)
        if fault is None:
            return Outcome.of(self.route(method, path, body, key))
        self.count(f"fault_{fault.kind}")
        return self._faulty(fault, method, path, body, key)

    def _faulty(self, fault: Fault, method: str, path: str, body: object, key: str) -> Outcome:
        kind = fault.kind
        if kind == f.ERROR_500:
            return Outcome.of(self.error(500, "An unexpected error occurred."), kind)
        if kind == f.HTML_503:
            return Outcome(503, html=HTML_503, fault=kind)
        if kind == f.STATUS:
            payload = fault.body
            if payload is None:
                payload = self.error(fault.status, "Injected.")[1]
            return Outcome(fault.status, payload, headers=fault.headers, fault=kind)
        if kind == f.RESET:
            return Outcome(NO_ANSWER, fault=kind)
        if kind == f.SLOW:
            if not self.stall(self.config.slow_seconds):
                return Outcome(NO_ANSWER, fault=kind)
            return Outcome.of(self.route(method, path, body, key), kind)
        if kind == f.TRICKLE:
            answer = self.route(method, path, body, key)
            return Outcome(answer[0], answer[1], fault=kind, trickle=self.config.slow_seconds)
        if kind == f.HUGE:
            self.route(method, path, body, key)
            return Outcome(200, fault=kind, size=f.HUGE_BYTES)
        # COMMIT_TIMEOUT: applied, but the client never hears about it.
        self.route(method, path, body, key)
        return Outcome(NO_ANSWER, fault=kind, stall=self.config.slow_seconds)

    def stall(self, seconds: float) -> bool:
        """Wait ``seconds``; False when the server is stopping meanwhile."""
        return seconds <= 0 or not self.stopping.wait(seconds)

    def count(self, name: str) -> None:
        with self.lock:
            self.counters[name] += 1


def _parse(raw: bytes) -> tuple[object, bool]:
    if not raw.strip():
        return None, False
    try:
        return json.loads(raw), False
    except ValueError:
        return None, True
