"""One API request, in the order a real service would handle it.

Auth, then the per-key rate limit, then injected faults, then latency, then the API itself.
The answer is recorded before it is written, so a test that got an answer finds its record.
The HTTP plumbing lives in ``handler``; this module decides what to answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from tests.support.autopilot_sim import faults as f
from tests.support.autopilot_sim.api import Api
from tests.support.autopilot_sim.calls import Answer, error
from tests.support.autopilot_sim.config import KeyRing, SimConfig
from tests.support.autopilot_sim.faults import Fault, FaultPlan
from tests.support.autopilot_sim.limiter import KeyLimiter
from tests.support.autopilot_sim.recorder import NO_ANSWER, RecordedRequest, Recorder
from tests.support.autopilot_sim.store import SimStore

MISSING_KEY = "No autopilotapikey header provided."
BAD_KEY = "Provided autopilotapikey not valid."
HTML_503 = (
    "<html><head><title>503 Service Temporarily Unavailable</title></head><body>"
    "<center><h1>503 Service Temporarily Unavailable</h1></center></body></html>"
)


class Exchange(Protocol):
    """The wire side of one request, implemented by the HTTP handler."""

    def header(self, name: str) -> str | None: ...

    def respond(self, answer: Answer, headers: dict[str, str] | None = None) -> None: ...

    def respond_html(self, status: int, html: str) -> None: ...

    def reset(self) -> None: ...


@dataclass(frozen=True)
class Outcome:
    status: int  # NO_ANSWER: close the connection without a byte
    payload: object = None
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None
    stall: float = 0.0  # wait this long before delivering (commit-then-timeout)

    @classmethod
    def of(cls, answer: Answer, fault: str | None = None) -> Outcome:
        return cls(answer[0], answer[1], fault=fault)


class Dispatcher:
    def __init__(
        self,
        store: SimStore,
        config: SimConfig,
        keys: KeyRing,
        limiter: KeyLimiter,
        faults: FaultPlan,
        control: Callable[[str, str, object], Answer],
    ) -> None:
        self.store, self.config, self.keys = store, config, keys
        self.limiter, self.faults, self.control = limiter, faults, control
        self.api = Api(store, config, keys)
        self.recorder = Recorder()
        self.stopping = threading.Event()

    def serve(self, ex: Exchange, method: str, path: str, raw: bytes) -> None:
        started = time.monotonic()
        body, bad_json = _parse(raw)
        control_path = path.removeprefix("/v1")
        if control_path.startswith("/_sim/"):  # reachable beside and below the base URL
            ex.respond(self.control(method, control_path, body))
            return
        if path != "/v1" and not path.startswith("/v1/"):
            ex.respond(error(404, "Not found."))
            return
        api_path = path[3:] or "/"
        self._count("requests")
        outcome = self._answer(ex, method, api_path, body, bad_json)
        kept = body if self.config.record_bodies else None
        record = RecordedRequest(method, api_path, outcome.status, kept, started, outcome.fault)
        self.recorder.add(record)
        if outcome.stall:
            self._stall(outcome.stall)
        if outcome.status == NO_ANSWER:
            ex.reset()
        elif outcome.html is not None:
            ex.respond_html(outcome.status, outcome.html)
        else:
            ex.respond((outcome.status, outcome.payload), outcome.headers)

    def _answer(
        self, ex: Exchange, method: str, path: str, body: object, bad_json: bool
    ) -> Outcome:
        key = ex.header("autopilotapikey")
        if key is None:
            return Outcome.of(error(400, MISSING_KEY))
        if not self.keys.valid(key):
            return Outcome.of(error(401, BAD_KEY))
        if bad_json:
            return Outcome.of(error(400, "The body is not valid JSON."))
        if not self.limiter.allow(key):
            return self._throttled()
        fault = self.faults.draw(method, path)
        if not self._stall(self.config.latency):
            return Outcome(NO_ANSWER)
        if fault is None:
            return Outcome.of(self.api.route(method, path, body, key))
        self._count(f"fault_{fault.kind}")
        return self._faulty(fault, method, path, body, key)

    def _throttled(self) -> Outcome:
        self._count("throttled")
        rate = self.limiter.rate or 0
        status, payload = error(429, f"You have exceeded your request rate of {rate:g} r/s.")
        retry_after = self.config.retry_after
        return Outcome(status, payload, headers={"Retry-After": retry_after} if retry_after else {})

    def _faulty(self, fault: Fault, method: str, path: str, body: object, key: str) -> Outcome:
        kind = fault.kind
        if kind == f.ERROR_500:
            return Outcome.of(error(500, "An unexpected error occurred."), kind)
        if kind == f.HTML_503:
            return Outcome(503, html=HTML_503, fault=kind)
        if kind == f.STATUS:
            payload = fault.body if fault.body is not None else error(fault.status, "Injected.")[1]
            return Outcome(fault.status, payload, headers=fault.headers, fault=kind)
        if kind == f.RESET:
            return Outcome(NO_ANSWER, fault=kind)
        if kind == f.SLOW:
            if not self._stall(self.config.slow_seconds):
                return Outcome(NO_ANSWER, fault=kind)
            return Outcome.of(self.api.route(method, path, body, key), kind)
        # COMMIT_TIMEOUT: applied, but the client never hears about it.
        self.api.route(method, path, body, key)
        return Outcome(NO_ANSWER, fault=kind, stall=self.config.slow_seconds)

    def _stall(self, seconds: float) -> bool:
        """Wait ``seconds``; False when the simulator is stopping meanwhile."""
        return seconds <= 0 or not self.stopping.wait(seconds)

    def _count(self, name: str) -> None:
        with self.store.lock:
            self.store.counters[name] += 1


def _parse(raw: bytes) -> tuple[object, bool]:
    if not raw.strip():
        return None, False
    try:
        return json.loads(raw), False
    except ValueError:
        return None, True
