"""The run's circuit breaker on an injected clock: what trips it and what must not."""

from __future__ import annotations

import random

from app.core.clock import FakeClock
from app.core.destinations.errors import NetworkError, ServerError
from app.core.destinations.models import ClientStats
from app.core.export.health import DestinationHealth, gave_up_on_destination

SEED = 20240613
RATE = 5.0  # attempts per second, Autopilot's published limit


class Attempts:
    """A client's counters, fed one attempt at a time as the clock moves at RATE."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.requests = 0
        self.errors: dict[str, int] = {}

    def stats(self) -> ClientStats:
        return ClientStats(self.requests, self.errors.get("throttled", 0), 0, dict(self.errors))

    def one(self, failure: str | None) -> None:
        self.clock.advance(1 / RATE)
        self.requests += 1
        if failure is not None:
            self.errors[failure] = self.errors.get(failure, 0) + 1


def seconds_until_tripped(
    health: DestinationHealth, attempts: Attempts, failure_rate: float, seconds: float
) -> float | None:
    rng = random.Random(SEED)
    started = attempts.clock.monotonic()
    for _ in range(int(seconds * RATE)):
        attempts.one("server" if rng.random() < failure_rate else None)
        if health.observe(attempts.stats()) is not None:
            return attempts.clock.monotonic() - started
    return None


def test_a_20_percent_fault_rate_never_trips_it_in_an_hour() -> None:
    clock = FakeClock()
    attempts = Attempts(clock)
    health = DestinationHealth(clock)

    print(f"seed {SEED}")
    assert seconds_until_tripped(health, attempts, 0.2, 3600) is None


def test_a_503_storm_in_the_middle_of_a_run_trips_it_within_half_a_minute() -> None:
    clock = FakeClock()
    attempts = Attempts(clock)
    health = DestinationHealth(clock)
    assert seconds_until_tripped(health, attempts, 0.0, 300) is None

    tripped = seconds_until_tripped(health, attempts, 1.0, 120)

    assert tripped is not None and 20 <= tripped <= 30
    assert health.verdict is not None
    assert health.verdict.message("Autopilot").startswith(
        "Autopilot is not answering; resume the run later. No request has succeeded for 20"
    )


def test_a_storm_from_the_start_trips_it_after_twenty_seconds_not_at_once() -> None:
    clock = FakeClock()
    health = DestinationHealth(clock)

    tripped = seconds_until_tripped(health, Attempts(clock), 1.0, 120)

    assert tripped is not None and 20 <= tripped <= 21


def test_a_ten_second_blip_is_left_to_the_retries() -> None:
    clock = FakeClock()
    attempts = Attempts(clock)
    health = DestinationHealth(clock)
    assert seconds_until_tripped(health, attempts, 0.0, 60) is None
    assert seconds_until_tripped(health, attempts, 1.0, 10) is None

    assert seconds_until_tripped(health, attempts, 0.0, 120) is None


def test_most_requests_of_the_last_minute_failing_trips_it_though_some_succeed() -> None:
    clock = FakeClock()
    attempts = Attempts(clock)
    health = DestinationHealth(clock)

    tripped = seconds_until_tripped(health, attempts, 0.7, 120)

    assert tripped is not None and tripped <= 25
    assert health.verdict is not None and "of the last minute failed" in health.verdict.detail


def test_throttling_and_refusals_say_nothing_about_health() -> None:
    clock = FakeClock()
    attempts = Attempts(clock)
    health = DestinationHealth(clock)
    for _ in range(600):
        attempts.one("throttled")
        attempts.one("refused")
        assert health.observe(attempts.stats()) is None


def test_three_batches_in_a_row_given_up_on_trip_it_unless_one_got_through() -> None:
    clock = FakeClock()
    health = DestinationHealth(clock)
    assert health.batch_gave_up() is None
    assert health.batch_gave_up() is None
    health.batch_confirmed()
    assert health.batch_gave_up() is None
    assert health.batch_gave_up() is None

    verdict = health.batch_gave_up()

    assert verdict is not None and verdict.detail == (
        "3 batches in a row failed after every retry."
    )


def test_only_a_destination_or_network_failure_is_given_up_on_and_the_run_goes_on() -> None:
    assert gave_up_on_destination(ServerError("down", status=503))
    assert gave_up_on_destination(NetworkError("no answer", failure="timeout"))
    assert gave_up_on_destination(NetworkError("refused", failure="connect"))
    assert not gave_up_on_destination(NetworkError("certificate", failure="tls"))
    assert not gave_up_on_destination(ServerError("not the API's answer", status=200))
    assert not gave_up_on_destination(ServerError("unknown shape"))
