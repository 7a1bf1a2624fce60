"""The Autopilot HTTP client: paced, retrying, thread-safe.

One client serves one connection. Every thread that calls it gets its own HTTP session, but all
of them share one token bucket, so the connection's rate limit holds however many requests the
export engine keeps in flight.
"""

from __future__ import annotations

import logging
import random
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from app.core.autopilot import answers, bulk
from app.core.autopilot.errors import RequestError
from app.core.autopilot.failures import Context, Verdict, error_for, judge, may_have_applied
from app.core.autopilot.models import AutopilotList, BulkResult, ClientStats, ListResolution
from app.core.autopilot.ratelimit import AdaptiveRate, TokenBucket
from app.core.autopilot.retry import BackoffPolicy, parse_retry_after, pause
from app.core.autopilot.stats import StatsRecorder
from app.core.autopilot.transport import Reply, Transport
from app.core.autopilot.urls import is_loopback_host, validate_base_url
from app.core.cancel import CancelToken
from app.core.clock import Clock, SystemClock
from app.core.errors import UsageError
from app.core.logging_setup import register_secret

log = logging.getLogger(__name__)

_KEY_CHARS = re.compile(r"[\x21-\x7e]+")
# A key check should answer quickly when Autopilot is unreachable.
_CHECK_ATTEMPTS = 3


class _Tally:
    """Requests made by one public call (BulkResult.requests)."""

    def __init__(self) -> None:
        self.requests = 0


class AutopilotClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        rate_limit: float = 5.0,
        burst: int | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_attempts: int = 8,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
    ) -> None:
        key = api_key.strip()
        register_secret(key)
        if not _KEY_CHARS.fullmatch(key):
            raise UsageError(
                "The API key is empty or contains spaces or characters an Autopilot key never "
                "has; copy it again from Autopilot (Settings > Autopilot API)."
            )
        if rate_limit <= 0 or max_attempts < 1:
            raise ValueError("rate_limit must be positive and max_attempts at least 1")
        self._base = validate_base_url(base_url)
        host = urlsplit(self._base).hostname or ""
        self._host = host
        self._clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._max_attempts = max_attempts
        self._read_timeout = read_timeout
        self._policy = BackoffPolicy(base=backoff_base, cap=backoff_cap)
        burst = burst if burst is not None else max(1, round(rate_limit))
        # Start with one token, not a full bucket: the server's own burst allowance then stays
        # free to absorb network jitter instead of being spent in the first second.
        self._bucket = TokenBucket(rate_limit, burst, self._clock, initial=1.0)
        self._adaptive = AdaptiveRate(self._bucket, rate_limit)
        self._transport = Transport(
            key, (connect_timeout, read_timeout), bypass_proxy=is_loopback_host(host)
        )
        self._stats = StatsRecorder()
        self._list_lock = threading.Lock()

    # -- public API -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._base

    @property
    def current_rate(self) -> float:
        return self._adaptive.rate

    @property
    def stats(self) -> ClientStats:
        return self._stats.snapshot()

    def check_key(self) -> dict[str, object]:
        """The account as Autopilot describes it; typed errors when the key or network fail."""
        what = "checking the API key"
        attempts = min(self._max_attempts, _CHECK_ATTEMPTS)
        try:
            reply = self._request("GET", "/account", what=what, attempts=attempts)
        except RequestError as err:
            if err.status != 404:
                raise
            reply = self._request("GET", "/lists", what=what, attempts=attempts)
        return dict(reply.payload) if isinstance(reply.payload, dict) else {}

    def get_lists(self, *, cancel: CancelToken | None = None) -> list[AutopilotList]:
        reply = self._request("GET", "/lists", what="reading the lists", cancel=cancel)
        return answers.parse_lists(reply.payload)

    def find_list(
        self, title: str, *, cancel: CancelToken | None = None
    ) -> tuple[AutopilotList | None, str | None]:
        return answers.match_title(self.get_lists(cancel=cancel), title)

    def find_or_create_list(
        self, title: str, *, cancel: CancelToken | None = None
    ) -> ListResolution:
        with self._list_lock:  # two threads must not both create the same list
            found, warning = self.find_list(title, cancel=cancel)
            if found is not None:
                return ListResolution(found.list_id, False, warning)
            return self._create_list(title.strip(), cancel)

    def upsert_contacts(
        self, contacts: Sequence[Mapping[str, object]], *, cancel: CancelToken | None = None
    ) -> BulkResult:
        bulk.check_batch(contacts)
        tally = _Tally()
        confirmed: dict[str, str] = {}
        rejected: dict[str, str] = {}

        def post(batch: bulk.Contacts) -> object:
            body = {"contacts": [dict(c) for c in batch]}
            what = "sending contacts"
            return self._request(
                "POST", "/contacts", body, what=what, cancel=cancel, tally=tally
            ).payload

        if contacts:
            bulk.upsert(contacts, post, confirmed, rejected)
        return BulkResult(confirmed, rejected, tally.requests)

    def list_contact_count(self, list_id: str, *, cancel: CancelToken | None = None) -> int:
        path = f"/list/{quote(list_id, safe='')}/contacts"
        reply = self._request("GET", path, what="counting the list's contacts", cancel=cancel)
        return answers.parse_total(reply.payload)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> AutopilotClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ---------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        body: object | None = None,
        *,
        what: str,
        cancel: CancelToken | None = None,
        tally: _Tally | None = None,
        attempts: int | None = None,
    ) -> Reply:
        limit = attempts or self._max_attempts
        for attempt in range(1, limit + 1):
            reply = self._attempt(method, path, body, cancel, tally)
            verdict = judge(reply)
            if verdict is Verdict.OK:
                return reply
            if verdict is Verdict.FAIL or attempt == limit:
                raise error_for(reply, self._context(what, attempt))
            self._wait_before_retry(reply, attempt, limit, what, cancel)
        raise AssertionError("the loop returns or raises")

    def _create_list(self, title: str, cancel: CancelToken | None = None) -> ListResolution:
        """POST /list is not idempotent: after an attempt that may have landed, look first."""
        what = "creating the list"
        for attempt in range(1, self._max_attempts + 1):
            reply = self._attempt("POST", "/list", {"name": title}, cancel, None)
            verdict = judge(reply)
            if verdict is Verdict.OK:
                return ListResolution(answers.parse_list_id(reply.payload), True, None)
            # 409 is the blueprint's answer to a duplicate title: look the list up below.
            conflict = reply.status == 409
            if not conflict and (verdict is Verdict.FAIL or attempt == self._max_attempts):
                raise error_for(reply, self._context(what, attempt))
            self._wait_before_retry(reply, attempt, self._max_attempts, what, cancel)
            if may_have_applied(reply):
                found, warning = self.find_list(title, cancel=cancel)
                if found is not None:
                    return ListResolution(found.list_id, not conflict, warning)
        raise error_for(reply, self._context(what, self._max_attempts))

    def _attempt(
        self,
        method: str,
        path: str,
        body: object | None,
        cancel: CancelToken | None,
        tally: _Tally | None,
    ) -> Reply:
        if cancel is not None:
            cancel.raise_if_cancelled()
        pause(self._clock, self._bucket.reserve(), cancel)
        if cancel is not None:  # a cancel during the wait for a token sends nothing more
            cancel.raise_if_cancelled()
        generation = self._adaptive.generation
        if tally is not None:
            tally.requests += 1
        reply = self._transport.send(method, self._base + path, body)
        self._stats.attempt(reply)
        if reply.status == 429:
            if self._adaptive.on_throttled(generation):
                log.info("Autopilot throttled; pacing down to %.2f requests/s", self.current_rate)
        elif reply.ok:
            self._adaptive.on_success()
        return reply

    def _wait_before_retry(
        self, reply: Reply, attempt: int, limit: int, what: str, cancel: CancelToken | None
    ) -> None:
        retry_after = parse_retry_after(reply.retry_after, datetime.now(UTC))
        delay = self._policy.delay(attempt, self._rng, retry_after)
        if retry_after is not None:
            self._bucket.hold(delay)  # the server asked every thread of this key to wait
        self._stats.retry()
        log.info(
            "Autopilot %s while %s; retry %d of %d in %.2f s",
            reply.failure or reply.status,
            what,
            attempt + 1,
            limit,
            delay,
        )
        pause(self._clock, delay, cancel)

    def _context(self, what: str, attempts: int) -> Context:
        return Context(self._host, what, attempts, self._read_timeout)
