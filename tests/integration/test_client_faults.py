"""Every fault the simulator can inject ends in exactly the stored state the answer reports."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from app.core.cancel import Cancelled, CancelToken
from app.core.clock import FakeClock
from app.core.destinations.autopilot import (
    AuthError,
    AutopilotClient,
    NetworkError,
    RateLimitedError,
    RequestError,
    ServerError,
    auth_rejected,
)
from tests.integration.conftest import SIM_KEY, ClientFactory, SimFactory
from tests.support.autopilot_sim import (
    COMMIT_TIMEOUT,
    ERROR_500,
    HTML_503,
    NO_ANSWER,
    RESET,
    SLOW,
    STATUS,
    AutopilotSimulator,
)


def people(count: int, start: int = 0) -> list[dict[str, object]]:
    return [
        {"Email": f"p{i}@example.no", "FirstName": f"P{i}"} for i in range(start, start + count)
    ]


def assert_stored_exactly(sim: AutopilotSimulator, contacts: list[dict[str, object]]) -> None:
    stored = sim.contacts()
    assert {k: v["fields"] for k, v in stored.items()} == {
        str(c["Email"]).lower(): c for c in contacts
    }


@pytest.mark.parametrize("kind", [ERROR_500, HTML_503, RESET])
def test_a_transient_fault_is_retried_until_confirmed(
    client: AutopilotClient, sim: AutopilotSimulator, kind: str
) -> None:
    batch = people(20)
    sim.fail_next(kind, 2)

    result = client.upsert_contacts(batch)

    assert set(result.confirmed) == {f"p{i}@example.no" for i in range(20)}
    assert result.rejected == {}
    assert result.requests == 3
    assert client.stats.retries == 2
    assert [r.fault for r in sim.requests()] == [kind, kind, None]
    assert_stored_exactly(sim, batch)
    assert sim.counters()["upserts_applied"] == 1


def test_a_slow_answer_times_out_and_the_retry_is_confirmed(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    sim.configure(slow_seconds=2.0)
    sim.fail_next(SLOW)
    client = make_client(read_timeout=0.3)
    batch = people(10)

    result = client.upsert_contacts(batch)

    assert set(result.confirmed) == {f"p{i}@example.no" for i in range(10)}
    assert client.stats.errors == {"timeout": 1}
    assert_stored_exactly(sim, batch)


def test_commit_then_timeout_is_retried_harmlessly(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    sim.configure(slow_seconds=3.0)
    list_id = sim.create_list("Autumn")
    batch = [{**c, "_autopilot_list": list_id} for c in people(10)]
    sim.fail_next(COMMIT_TIMEOUT)
    client = make_client(read_timeout=0.3)

    result = client.upsert_contacts(batch)

    assert set(result.confirmed) == {f"p{i}@example.no" for i in range(10)}
    assert sim.counters()["upserts_applied"] == 2  # applied twice, stored once
    assert len(sim.contacts()) == 10
    assert sim.list_members(list_id) == [f"p{i}@example.no" for i in range(10)]
    assert [r.status for r in sim.requests()] == [NO_ANSWER, 200]


def test_random_faults_on_a_fifth_of_requests_still_deliver_everything(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    sim.set_fault_rates({ERROR_500: 0.07, HTML_503: 0.07, RESET: 0.06}, seed=7)
    client = make_client()
    everyone = people(600)
    confirmed: dict[str, str] = {}

    for start in range(0, 600, 50):
        result = client.upsert_contacts(everyone[start : start + 50])
        assert result.rejected == {}
        confirmed.update(result.confirmed)

    assert len(confirmed) == 600
    assert confirmed == {k: v["contact_id"] for k, v in sim.contacts().items()}
    assert any(r.fault for r in sim.requests())
    assert client.stats.retries == sum(1 for r in sim.requests() if r.fault)


@pytest.mark.parametrize(
    ("kind", "label"),
    [(ERROR_500, "500 Internal Server Error"), (HTML_503, "503 Service Unavailable")],
)
def test_a_server_that_keeps_failing_ends_in_a_server_error(
    make_client: ClientFactory, sim: AutopilotSimulator, kind: str, label: str
) -> None:
    sim.fail_next(kind, 5)
    client = make_client(max_attempts=4)

    with pytest.raises(ServerError) as caught:
        client.upsert_contacts(people(3))

    assert f"({label}), after 4 attempts. This happened while sending contacts." in str(
        caught.value
    )
    assert caught.value.exit_code == 1
    assert len(sim.requests()) == 4
    assert sim.contacts() == {}


def test_a_connection_that_keeps_dropping_ends_in_a_network_error(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    sim.fail_next(RESET, 5)
    client = make_client(max_attempts=3)

    dropping = r"kept dropping \(3 attempts\)\. This happened while sending contacts\."
    with pytest.raises(NetworkError, match=dropping):
        client.upsert_contacts(people(3))


@pytest.mark.parametrize("status", [404, 400])
def test_client_errors_are_never_retried(
    client: AutopilotClient, sim: AutopilotSimulator, status: int
) -> None:
    sim.fail_next(STATUS, 5, path="/lists", status=status)

    with pytest.raises(RequestError):
        client.get_lists()
    assert len(sim.requests()) == 1


def test_a_key_revoked_mid_run_stops_at_once(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    sim.revoke_after_upserts(SIM_KEY, 2)
    client.upsert_contacts(people(5))
    client.upsert_contacts(people(5, start=5))

    with pytest.raises(AuthError) as caught:
        client.upsert_contacts(people(5, start=10))

    assert str(caught.value) == auth_rejected()
    assert [r.status for r in sim.requests()] == [200, 200, 401]
    assert len(sim.contacts()) == 10
    sim.add_key(SIM_KEY)  # the user enters the key again: the run can go on
    assert len(client.upsert_contacts(people(5, start=10)).confirmed) == 5


def test_a_429_storm_lowers_the_rate_which_recovers_afterwards(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = make_sim(rate=40.0, burst=1)
    client = make_client(base_url=sim.base_url, rate_limit=200.0, burst=1)

    for n in range(25):
        assert len(client.upsert_contacts(people(1, start=n)).confirmed) == 1
    lowered = client.current_rate

    assert sim.count_429() > 0
    assert client.stats.throttled == sim.count_429()
    assert lowered < 200 * 0.8
    sim.set_rate(None)  # Autopilot stops throttling
    for n in range(20):
        client.upsert_contacts(people(1, start=100 + n))
    # +5% per 10 successes, whatever the count left over from the storm's last successes.
    assert client.current_rate == pytest.approx(min(200, lowered * 1.05**2))
    assert len(sim.contacts()) == 45


def test_429_after_every_attempt_is_a_rate_limited_error(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    sim.fail_next(STATUS, 5, status=429)
    client = make_client(max_attempts=3)

    with pytest.raises(RateLimitedError) as caught:
        client.upsert_contacts(people(1))

    assert "too frequent (429)" in str(caught.value)
    assert caught.value.exit_code == 1


def test_retry_after_in_seconds_is_honoured(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    sim.fail_next(STATUS, status=429, headers={"Retry-After": "7"})
    clock = FakeClock()
    client = make_client(clock=clock)
    start = clock.monotonic()

    result = client.upsert_contacts(people(2))

    assert len(result.confirmed) == 2
    assert 7.0 in clock.sleeps
    assert clock.monotonic() - start >= 7.0


def test_retry_after_as_an_http_date_is_honoured(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    sim.fail_next(STATUS, status=503, headers={"Retry-After": when})
    clock = FakeClock()
    client = make_client(clock=clock)

    client.upsert_contacts(people(2))

    assert [s for s in clock.sleeps if s > 1] == [pytest.approx(29.5, abs=1.5)]


def test_the_simulator_can_send_retry_after_with_its_429s(make_sim: SimFactory) -> None:
    import requests

    sim = make_sim(rate=0.5, burst=1, retry_after="3")
    with requests.Session() as session:
        session.headers["autopilotapikey"] = SIM_KEY
        first = session.get(f"{sim.base_url}/lists", timeout=5)
        second = session.get(f"{sim.base_url}/lists", timeout=5)

    assert first.status_code == 200
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "3"
    assert second.json() == {
        "error": "Too Many Requests",
        "message": "You have exceeded your request rate of 0.5 r/s.",
    }


def test_cancel_during_a_backoff_stops_promptly(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    sim.fail_next(STATUS, status=503, headers={"Retry-After": "60"})
    cancel = CancelToken()
    outcome: list[BaseException | None] = []

    def send() -> None:
        try:
            client.upsert_contacts(people(1), cancel=cancel)
            outcome.append(None)
        except BaseException as exc:  # examined below
            outcome.append(exc)

    worker = threading.Thread(target=send)
    worker.start()
    assert sim.wait_for_requests(1, timeout=10)
    started = time.monotonic()
    cancel.cancel()
    worker.join(timeout=10)

    assert not worker.is_alive()
    assert time.monotonic() - started < 2
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    assert len(sim.requests()) == 1


def test_a_cancelled_token_sends_nothing(client: AutopilotClient, sim: AutopilotSimulator) -> None:
    cancel = CancelToken()
    cancel.cancel()

    with pytest.raises(Cancelled):
        client.upsert_contacts(people(1), cancel=cancel)
    assert sim.requests() == []
