"""One connection's HTTP machinery, shared by every destination's client.

Paced (one token bucket for all threads, adapting down when the server throttles), retrying
with jittered backoff (honouring the server's wait when it gives one), and failing with typed
errors whose messages name the service. Every thread that calls it gets its own HTTP session.
A client adds only what its API means: paths, bodies and how to read the answers.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Self
from urllib.parse import urlsplit

from app.core.cancel import CancelToken
from app.core.clock import Clock, SystemClock
from app.core.destinations.http.failures import (
    Context,
    Doing,
    ServiceWords,
    Verdict,
    error_for,
    judge,
)
from app.core.destinations.http.ratelimit import AdaptiveRate, TokenBucket
from app.core.destinations.http.retry import BackoffPolicy, parse_retry_after, pause
from app.core.destinations.http.stats import StatsRecorder
from app.core.destinations.http.transport import CANCELLED, Reply, Transport
from app.core.destinations.http.urls import is_loopback_host, validate_base_url
from app.core.destinations.models import ClientStats
from app.core.errors import UsageError
from app.core.i18n import _
from app.core.logging_setup import register_secret

log = logging.getLogger(__name__)

_KEY_CHARS = re.compile(r"[\x21-\x7e]+")

# How long the server asks to be left alone, in seconds, from one of its answers (or None).
RetryHint = Callable[[Reply], float | None]


def retry_after_header(reply: Reply) -> float | None:
    return parse_retry_after(reply.retry_after, datetime.now(UTC))


@dataclass(frozen=True)
class SessionOptions:
    """Pacing, timeouts and retries; the defaults suit a run, a key check asks for less."""

    rate_limit: float = 5.0
    burst: int | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 8
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    # A server that gives no answer at all for this long (attempts and waits together) is
    # taken to be down: the request fails then, whatever attempts are left.
    give_up_s: float = 60.0


class Tally:
    """Requests made by one public call of a client (``BulkResult.requests``)."""

    def __init__(self) -> None:
        self.requests = 0


class ApiSession:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        words: ServiceWords,
        options: SessionOptions,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        retry_hint: RetryHint = retry_after_header,
    ) -> None:
        key = api_key.strip()
        register_secret(key)
        if not _KEY_CHARS.fullmatch(key):
            raise UsageError(_(words.bad_key))
        if options.rate_limit <= 0 or options.max_attempts < 1:
            raise ValueError("rate_limit must be positive and max_attempts at least 1")
        self.words = words
        self.base_url = validate_base_url(base_url)
        self.host = urlsplit(self.base_url).hostname or ""
        self.max_attempts = options.max_attempts
        self.read_timeout = options.read_timeout
        self._give_up_s = options.give_up_s
        self._clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._policy = BackoffPolicy(base=options.backoff_base, cap=options.backoff_cap)
        self._retry_hint = retry_hint
        rate = options.rate_limit
        burst = options.burst if options.burst is not None else max(1, round(rate))
        # Start with one token, not a full bucket: the server's own burst allowance then stays
        # free to absorb network jitter instead of being spent in the first second.
        self._bucket = TokenBucket(rate, burst, self._clock, initial=1.0)
        self._adaptive = AdaptiveRate(self._bucket, rate)
        self._transport = Transport(
            words.key_header,
            key,
            (options.connect_timeout, options.read_timeout),
            bypass_proxy=is_loopback_host(self.host),
        )
        self._stats = StatsRecorder()

    @property
    def current_rate(self) -> float:
        return self._adaptive.rate

    @property
    def stats(self) -> ClientStats:
        return self._stats.snapshot()

    def close(self) -> None:
        self._transport.close()

    def request(
        self,
        method: str,
        path: str,
        body: object | None = None,
        *,
        what: Doing,
        cancel: CancelToken | None = None,
        tally: Tally | None = None,
        attempts: int | None = None,
        judge_reply: Callable[[Reply], Verdict] = judge,
    ) -> Reply:
        """The first answer judged OK, after as many attempts as allowed; else a typed error."""
        limit = attempts or self.max_attempts
        started = self._clock.monotonic()
        for attempt in range(1, limit + 1):
            reply = self.attempt(method, path, body, cancel, tally)
            verdict = judge_reply(reply)
            if verdict is Verdict.OK:
                return reply
            silent = reply.status is None and self._clock.monotonic() - started >= self._give_up_s
            if verdict is Verdict.FAIL or attempt == limit or silent:
                raise error_for(reply, self.context(what, attempt))
            self.wait_before_retry(reply, attempt, limit, what, cancel)
        raise AssertionError("the loop returns or raises")

    def attempt(
        self,
        method: str,
        path: str,
        body: object | None,
        cancel: CancelToken | None,
        tally: Tally | None,
    ) -> Reply:
        """One paced attempt; never raises for what the network or server did."""
        if cancel is not None:
            cancel.raise_if_cancelled()
        self._bucket.take(cancel)
        if cancel is not None:  # a cancel during the wait for a token sends nothing more
            cancel.raise_if_cancelled()
        generation = self._adaptive.generation
        if tally is not None:
            tally.requests += 1
        reply = self._transport.send(method, self.base_url + path, body, cancel)
        if reply.failure == CANCELLED and cancel is not None:
            # Cut off mid-request: a write's outcome is unknown, so it is not counted as sent
            # and a resume sends it again (every write here is an idempotent upsert).
            cancel.raise_if_cancelled()
        self._stats.attempt(reply)
        if reply.status == 429:
            if self._adaptive.on_throttled(generation):
                log.info(
                    "%s throttled; pacing down to %.2f requests/s",
                    self.words.name,
                    self.current_rate,
                )
        elif reply.ok:
            self._adaptive.on_success()
        return reply

    def wait_before_retry(
        self, reply: Reply, attempt: int, limit: int, what: Doing, cancel: CancelToken | None
    ) -> None:
        asked = self._retry_hint(reply)
        delay = self._policy.delay(attempt, self._rng, asked)
        if asked is not None:
            self._bucket.hold(delay)  # the server asked every thread of this key to wait
        self._stats.retry()
        log.info(
            "%s %s; retry %d of %d in %.2f s. %s",
            self.words.name,
            reply.failure or reply.status,
            attempt + 1,
            limit,
            delay,
            what.english,
        )
        pause(self._clock, delay, cancel)

    def context(self, what: Doing, attempts: int) -> Context:
        return Context(self.host, what, attempts, self.read_timeout, self.words)


class SessionClient:
    """What every destination's client says about its session, the same way.

    A client sets ``self._http`` in its constructor; the rest of it is its API.
    """

    _http: ApiSession

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def current_rate(self) -> float:
        return self._http.current_rate

    @property
    def stats(self) -> ClientStats:
        return self._http.stats

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
