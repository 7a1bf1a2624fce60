"""Backoff, Retry-After, cancellable pauses and the meaning of each answer; no real sleeping."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
import urllib3.connection
import urllib3.exceptions

from app.core.cancel import Cancelled, CancelToken
from app.core.clock import FakeClock, SystemClock
from app.core.destinations.autopilot.answers import SENDING_CONTACTS
from app.core.destinations.autopilot.client import WORDS
from app.core.destinations.errors import (
    AuthError,
    NetworkError,
    RateLimitedError,
    RequestError,
    ServerError,
)
from app.core.destinations.http.failures import Context, Verdict, error_for, judge, may_have_applied
from app.core.destinations.http.retry import BackoffPolicy, parse_retry_after, pause
from app.core.destinations.http.transport import CONNECT, RESET, TIMEOUT, TLS, Reply, failure_kind

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
CTX = Context("api2.autopilothq.com", SENDING_CONTACTS, 8, 60.0, WORDS)


def test_the_backoff_ceiling_doubles_up_to_the_cap() -> None:
    policy = BackoffPolicy(base=0.5, cap=30.0)

    assert [policy.ceiling(n) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]


def test_full_jitter_stays_under_the_ceiling_and_follows_the_seed() -> None:
    policy = BackoffPolicy()
    first = [policy.delay(n, random.Random(42)) for n in range(1, 8)]
    again = [policy.delay(n, random.Random(42)) for n in range(1, 8)]

    assert first == again
    assert all(0 <= d <= policy.ceiling(n) for n, d in enumerate(first, start=1))
    spread = {round(policy.delay(3, random.Random(seed)), 3) for seed in range(50)}
    assert len(spread) > 40  # jittered, not a fixed delay


def test_retry_after_replaces_the_jitter_within_its_cap() -> None:
    policy = BackoffPolicy(retry_after_cap=120.0)
    rng = random.Random(1)

    assert policy.delay(1, rng, retry_after=7.0) == 7.0
    assert policy.delay(1, rng, retry_after=3600.0) == 120.0
    assert policy.delay(1, rng, retry_after=-5.0) == 0.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("5", 5.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        (format_datetime(NOW - timedelta(seconds=90), usegmt=True), 0.0),
        (None, None),
        ("", None),
        ("soon", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(
    header: str | None, seconds: float | None
) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_pause_without_a_token_is_one_sleep() -> None:
    clock = FakeClock()
    pause(clock, 1.7, None)

    assert clock.sleeps == [1.7]


def test_pause_with_a_token_sleeps_in_short_slices() -> None:
    clock = FakeClock()
    pause(clock, 1.1, CancelToken())

    assert max(clock.sleeps) <= 0.25
    assert sum(clock.sleeps) == pytest.approx(1.1)


class CancellingClock(FakeClock):
    """Cancels the token after a number of sleeps, as a Cancel button pressed mid-wait."""

    def __init__(self, token: CancelToken, after: int) -> None:
        super().__init__()
        self.token, self.after = token, after

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        if len(self.sleeps) == self.after:
            self.token.cancel()


def test_a_cancel_stops_a_long_pause_within_one_slice() -> None:
    token = CancelToken()
    clock = CancellingClock(token, after=2)
    start = clock.monotonic()

    with pytest.raises(Cancelled):
        pause(clock, 30.0, token)

    assert clock.monotonic() - start <= 0.5


def test_a_cancelled_token_stops_the_system_clock_pause_at_once() -> None:
    token = CancelToken()
    token.cancel("Stopping the run.")

    with pytest.raises(Cancelled, match=r"Stopping the run\."):
        pause(SystemClock(), 3600.0, token)
    with pytest.raises(Cancelled):
        pause(SystemClock(), 0.0, token)


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        (Reply(200, {}, True), Verdict.OK),
        (Reply(204, None, True), Verdict.OK),
        (Reply(200, None, False, "<html>"), Verdict.RETRY),
        (Reply(None, failure=TIMEOUT), Verdict.RETRY),
        (Reply(None, failure=RESET), Verdict.RETRY),
        (Reply(None, failure=CONNECT), Verdict.RETRY),
        (Reply(None, failure=TLS), Verdict.FAIL),
    ]
    + [(Reply(s, {}, True), Verdict.RETRY) for s in (408, 429, 500, 502, 503, 504)]
    + [(Reply(s, {}, True), Verdict.FAIL) for s in (400, 401, 403, 404, 409, 501)],
)
def test_what_each_answer_means(reply: Reply, verdict: Verdict) -> None:
    assert judge(reply) is verdict


def test_only_answers_that_may_have_landed_count_as_uncertain() -> None:
    assert may_have_applied(Reply(None, failure=TIMEOUT))
    assert may_have_applied(Reply(500, {}, True))
    assert not may_have_applied(Reply(None, failure=CONNECT))
    assert not may_have_applied(Reply(429, {}, True))


def test_errors_carry_the_right_type_exit_code_and_autopilots_message() -> None:
    body = {"error": "Not Found", "message": "Route not found."}
    cases = [
        (Reply(401, {}, True), AuthError, 2),
        (Reply(403, {}, True), AuthError, 2),
        (Reply(404, body, True), RequestError, 2),
        (Reply(429, {}, True), RateLimitedError, 1),
        (Reply(503, None, False, "<html>"), ServerError, 1),
        (Reply(None, failure=TIMEOUT), NetworkError, 1),
    ]
    for reply, kind, exit_code in cases:
        err = error_for(reply, CTX)
        assert type(err) is kind
        assert err.exit_code == exit_code
    assert "(404 Not Found: Route not found.)" in str(error_for(Reply(404, body, True), CTX))
    assert "within 60 s (8 attempts). This happened while sending contacts." in str(
        error_for(Reply(None, failure=TIMEOUT), CTX)
    )


def test_requests_exceptions_map_to_failure_kinds() -> None:
    pool = urllib3.HTTPConnectionPool("localhost")
    connection = urllib3.connection.HTTPConnection("localhost")
    refused = urllib3.exceptions.MaxRetryError(
        pool, "/", urllib3.exceptions.NewConnectionError(connection, "refused")
    )
    dropped = urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError())

    assert failure_kind(requests.exceptions.SSLError("bad certificate")) == TLS
    assert failure_kind(requests.exceptions.ConnectTimeout("slow")) == CONNECT
    assert failure_kind(requests.exceptions.ReadTimeout("slow")) == TIMEOUT
    assert failure_kind(requests.exceptions.ConnectionError(refused)) == CONNECT
    assert failure_kind(requests.exceptions.ConnectionError(dropped)) == RESET
    assert failure_kind(requests.exceptions.ChunkedEncodingError("cut")) == RESET
