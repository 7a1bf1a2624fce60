"""Token bucket and adaptive rate, on a fake clock: nothing here sleeps for real."""

from __future__ import annotations

import threading

import pytest

from app.core.clock import FakeClock
from app.core.destinations.http.ratelimit import PAUSE_GAP_S, AdaptiveRate, TokenBucket


def test_a_full_bucket_lets_a_burst_through_then_spaces_requests() -> None:
    bucket = TokenBucket(5.0, 3, FakeClock())

    waits = [bucket.reserve() for _ in range(6)]

    assert waits == pytest.approx([0, 0, 0, 0.2, 0.4, 0.6])


def test_reservations_are_served_in_order_as_time_passes() -> None:
    clock = FakeClock()
    bucket = TokenBucket(5.0, 1, clock, initial=1.0)

    assert bucket.reserve() == 0
    assert bucket.reserve() == pytest.approx(0.2)
    clock.advance(0.2)
    assert bucket.reserve() == pytest.approx(0.2)  # the previous reservation used the refill
    clock.advance(0.4)
    assert bucket.reserve() == pytest.approx(0.0)


def test_an_idle_bucket_never_holds_more_than_its_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10.0, 4, clock, initial=0.0)
    clock.advance(PAUSE_GAP_S - 0.5)  # worth 45 tokens

    waits = [bucket.reserve() for _ in range(5)]

    assert waits == pytest.approx([0, 0, 0, 0, 0.1])


def test_after_a_pause_of_the_process_the_bucket_hands_out_one_token_not_a_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(5.0, 5, clock, initial=1.0)
    assert [bucket.reserve() for _ in range(6)] == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    clock.advance(120)  # SIGSTOP, or a computer asleep, with six requests waiting

    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0, 0.2, 0.4])


def test_a_request_whose_wait_ran_long_past_its_turn_takes_a_new_turn() -> None:
    class StoppedDuringTheFirstWait(FakeClock):
        def sleep(self, seconds: float) -> None:
            super().sleep(seconds + (120.0 if not self.sleeps else 0.0))

    class CountingBucket(TokenBucket):
        turns = 0

        def reserve(self) -> float:
            self.turns += 1
            return super().reserve()

    clock = StoppedDuringTheFirstWait()
    bucket = CountingBucket(5.0, 5, clock, initial=0.0)

    bucket.take()

    assert bucket.turns == 2, "the turn that ended two minutes late was not used"
    assert bucket.reserve() == pytest.approx(0.2), "and the pause earned no burst"


def test_starting_with_one_token_keeps_the_first_second_at_the_rate() -> None:
    bucket = TokenBucket(5.0, 5, FakeClock(), initial=1.0)

    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0, 0.2, 0.4])


def test_set_rate_changes_the_spacing_from_now_on() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10.0, 1, clock, initial=0.0)
    bucket.set_rate(2.0)

    assert bucket.reserve() == pytest.approx(0.5)
    assert bucket.rate == 2.0


def test_hold_keeps_every_caller_waiting_for_the_retry_after() -> None:
    clock = FakeClock()
    bucket = TokenBucket(5.0, 5, clock)
    bucket.hold(3.0)

    assert bucket.reserve() == pytest.approx(3.0)
    assert bucket.reserve() == pytest.approx(3.2)
    clock.advance(3.0)
    assert bucket.reserve() == pytest.approx(0.4)


def test_concurrent_reservations_never_share_a_slot() -> None:
    bucket = TokenBucket(10.0, 1, FakeClock(), initial=0.0)
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(50):
            wait = bucket.reserve()
            with lock:
                waits.append(round(wait, 6))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(waits) == [round((n + 1) / 10, 6) for n in range(400)]


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_nonsense_settings_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate, burst, FakeClock())


def adaptive(ceiling: float = 5.0) -> tuple[AdaptiveRate, TokenBucket]:
    bucket = TokenBucket(ceiling, 1, FakeClock())
    return AdaptiveRate(bucket, ceiling), bucket


def test_a_429_lowers_the_rate_of_the_bucket() -> None:
    rate, bucket = adaptive()

    assert rate.on_throttled(rate.generation)
    assert rate.rate == pytest.approx(4.0)
    assert bucket.rate == pytest.approx(4.0)


def test_429s_for_requests_sent_before_a_decrease_do_not_lower_it_again() -> None:
    rate, _ = adaptive()
    sent_at = rate.generation  # several requests in flight together

    assert rate.on_throttled(sent_at)
    assert not rate.on_throttled(sent_at)
    assert not rate.on_throttled(sent_at)
    assert rate.rate == pytest.approx(4.0)
    assert rate.on_throttled(rate.generation)
    assert rate.rate == pytest.approx(3.2)


def test_the_rate_never_falls_below_the_floor() -> None:
    rate, _ = adaptive()
    for _ in range(50):
        rate.on_throttled(rate.generation)

    assert rate.rate == 0.5


def test_a_configured_rate_below_the_floor_is_kept() -> None:
    rate, _ = adaptive(ceiling=0.2)
    rate.on_throttled(rate.generation)

    assert rate.rate == pytest.approx(0.2)


def test_the_rate_recovers_five_percent_per_ten_successes_up_to_the_ceiling() -> None:
    rate, bucket = adaptive()
    rate.on_throttled(rate.generation)  # 4.0

    for _ in range(9):
        rate.on_success()
    assert rate.rate == pytest.approx(4.0)
    rate.on_success()
    assert rate.rate == pytest.approx(4.2)
    for _ in range(1000):
        rate.on_success()
    assert rate.rate == 5.0
    assert bucket.rate == 5.0


def test_a_429_restarts_the_count_of_successes() -> None:
    rate, _ = adaptive()
    rate.on_throttled(rate.generation)
    for _ in range(9):
        rate.on_success()
    rate.on_throttled(rate.generation)  # 3.2
    for _ in range(9):
        rate.on_success()

    assert rate.rate == pytest.approx(3.2)
