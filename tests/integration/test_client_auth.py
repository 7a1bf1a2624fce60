"""Key checks against the simulator: the right typed error and message for each failure."""

from __future__ import annotations

import logging
import socket

import pytest
import requests

from app.core.clock import FakeClock
from app.core.destinations.autopilot import (
    AuthError,
    AutopilotClient,
    NetworkError,
    RequestError,
    ServerError,
    auth_rejected,
)
from app.core.errors import UsageError
from tests.integration.conftest import SIM_KEY, ClientFactory, SimFactory
from tests.support.autopilot_sim import ERROR_500, RESET, STATUS, AutopilotSimulator


def paths(sim: AutopilotSimulator) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in sim.requests()]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_valid_key_returns_the_account(client: AutopilotClient, sim: AutopilotSimulator) -> None:
    account = client.check_key()

    assert account["name"] == "Autopilot test server"
    assert paths(sim) == [("GET", "/account", 200)]


def test_the_key_check_falls_back_to_lists_when_account_is_missing(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    sim.fail_next(STATUS, path="/account", status=404)
    sim.create_list("Newsletter")

    account = client.check_key()

    assert account["lists"] == [{"list_id": sim.lists()[0]["list_id"], "title": "Newsletter"}]
    assert paths(sim) == [("GET", "/account", 404), ("GET", "/lists", 200)]


def test_a_wrong_key_is_rejected_at_once(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    client = make_client(api_key="apk-wrong-0000000000")

    with pytest.raises(AuthError) as caught:
        client.check_key()

    assert str(caught.value) == auth_rejected()
    assert caught.value.exit_code == 2
    assert paths(sim) == [("GET", "/account", 401)]  # never retried


def test_403_is_an_auth_error_too(client: AutopilotClient, sim: AutopilotSimulator) -> None:
    sim.fail_next(STATUS, path="/account", status=403)

    with pytest.raises(AuthError):
        client.check_key()
    assert len(sim.requests()) == 1


def test_the_simulator_answers_a_missing_header_with_the_documented_400(
    sim: AutopilotSimulator,
) -> None:
    with requests.get(f"{sim.base_url}/account", timeout=5) as answer:
        assert answer.status_code == 400
        assert answer.json() == {
            "error": "Bad Request",
            "message": "No autopilotapikey header provided.",
        }


def test_a_400_about_the_missing_key_header_is_an_auth_error(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    body = {"error": "Bad Request", "message": "No autopilotapikey header provided."}
    sim.fail_next(STATUS, path="/account", status=400, body=body)

    with pytest.raises(AuthError) as caught:
        client.check_key()

    assert "did not receive the API key" in str(caught.value)
    assert "No autopilotapikey header provided." in str(caught.value)
    assert len(sim.requests()) == 1


def test_another_400_is_a_request_error_with_autopilots_message(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    body = {"error": "Bad Request", "message": "Account suspended."}
    sim.fail_next(STATUS, path="/account", status=400, body=body)

    with pytest.raises(RequestError) as caught:
        client.check_key()

    assert caught.value.exit_code == 2
    assert caught.value.status == 400
    assert "(400 Bad Request: Account suspended.)" in str(caught.value)
    assert len(sim.requests()) == 1


def test_an_unreachable_autopilot_is_a_network_error(make_client: ClientFactory) -> None:
    clock = FakeClock()
    client = make_client(base_url=f"http://127.0.0.1:{closed_port()}/v1", clock=clock)

    with pytest.raises(NetworkError) as caught:
        client.check_key()

    message = str(caught.value)
    assert message.startswith("Could not reach Autopilot at 127.0.0.1: no network")
    assert "This happened while checking the API key." in message
    assert "no network" in message
    assert caught.value.exit_code == 1
    assert client.stats.requests == 3  # a key check gives up after three attempts
    assert client.stats.errors == {"connect": 3}


def test_a_tls_failure_says_certificate_problem_and_is_not_retried(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    # The simulator speaks plain HTTP, so the TLS handshake with it fails for real.
    client = make_client(base_url=f"https://127.0.0.1:{sim.port}/v1")

    with pytest.raises(NetworkError) as caught:
        client.check_key()

    assert "certificate problem" in str(caught.value)
    assert "no network" not in str(caught.value)
    assert client.stats.requests == 1


def test_a_key_check_that_keeps_failing_on_the_server_is_a_server_error(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    sim.fail_next(ERROR_500, 3, path="/account")
    client = make_client(clock=FakeClock())

    with pytest.raises(ServerError) as caught:
        client.check_key()

    assert "(500 Internal Server Error)" in str(caught.value)
    assert "after 3 attempts" in str(caught.value)
    assert caught.value.exit_code == 1


def test_a_key_with_spaces_or_control_characters_is_refused_before_any_request(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    with pytest.raises(UsageError) as caught:
        make_client(api_key="apk-abc def-1234")

    assert "abc def" not in str(caught.value)
    assert sim.requests() == []


def test_the_key_never_reaches_a_message_a_log_record_or_a_url(
    make_client: ClientFactory, sim: AutopilotSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    failures: list[Exception] = []
    wrong = make_client(api_key="apk-wrong-0000000000")
    with pytest.raises(AuthError) as caught:
        wrong.check_key()
    failures.append(caught.value)
    client = make_client(max_attempts=3)
    for kind in (ERROR_500, RESET):
        sim.fail_next(kind, 3, path="/contacts")
        with pytest.raises((ServerError, NetworkError)) as caught_send:
            client.upsert_contacts([{"Email": "kari@example.no"}])
        failures.append(caught_send.value)
    unreachable = make_client(base_url=f"http://127.0.0.1:{closed_port()}/v1", clock=FakeClock())
    with pytest.raises(NetworkError) as caught_net:
        unreachable.check_key()
    failures.append(caught_net.value)

    texts = [str(f) for f in failures] + [repr(f.args) for f in failures]
    texts += [r.getMessage() for r in caplog.records] + [r.exc_text or "" for r in caplog.records]
    texts += [r.path for r in sim.requests()]
    assert len(caplog.records) > 0  # the retries were logged, and that text was checked
    for key in (SIM_KEY, "apk-wrong-0000000000"):
        assert not [t for t in texts if key in t]


def test_a_redirect_is_not_followed_so_the_key_stays_put(
    make_sim: SimFactory, client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    elsewhere = make_sim()
    sim.fail_next(STATUS, path="/account", status=302, headers={"Location": elsewhere.base_url})

    with pytest.raises(RequestError) as caught:
        client.check_key()

    assert "redirect (302 Found)" in str(caught.value)
    assert elsewhere.requests() == []
