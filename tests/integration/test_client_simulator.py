"""The simulator itself: the contract's shapes, its switches, its control API and its CLI."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.core.destinations.autopilot import AuthError, AutopilotClient
from tests.integration.conftest import SIM_KEY, ClientFactory
from tests.support.autopilot_sim import COMMIT_TIMEOUT, AutopilotSimulator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def http(sim: AutopilotSimulator) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["autopilotapikey"] = SIM_KEY
        yield session


def test_a_wrong_key_gets_the_documented_401(sim: AutopilotSimulator) -> None:
    answer = requests.get(f"{sim.base_url}/lists", headers={"autopilotapikey": "x"}, timeout=5)

    assert answer.status_code == 401
    assert answer.json() == {
        "error": "Unauthorized",
        "message": "Provided autopilotapikey not valid.",
    }


def test_list_members_come_in_pages_of_100_with_a_bookmark(
    client: AutopilotClient, sim: AutopilotSimulator, http: requests.Session
) -> None:
    list_id = sim.create_list("Big")
    for start in (0, 100, 200):
        batch = [
            {"Email": f"m{i}@example.no", "_autopilot_list": list_id}
            for i in range(start, min(start + 100, 250))
        ]
        client.upsert_contacts(batch)

    pages, url = [], f"{sim.base_url}/list/{list_id}/contacts"
    while True:
        page = http.get(url, timeout=5).json()
        pages.append(page)
        if "bookmark" not in page:
            break
        url = f"{sim.base_url}/list/{list_id}/contacts/{page['bookmark']}"

    assert [len(p["contacts"]) for p in pages] == [100, 100, 50]
    assert {p["total_contacts"] for p in pages} == {250}
    emails = [c["Email"] for p in pages for c in p["contacts"]]
    assert emails == [f"m{i}@example.no" for i in range(250)]


def test_single_contact_calls_and_membership(
    sim: AutopilotSimulator, http: requests.Session
) -> None:
    list_id = sim.create_list("Solo")
    body = {"contact": {"Email": "Solo@Example.no", "custom": {"boolean--Vip": True}}}
    contact_id = http.post(f"{sim.base_url}/contact", json=body, timeout=5).json()["contact_id"]
    member_url = f"{sim.base_url}/list/{list_id}/contact/solo@example.no"

    assert http.get(member_url, timeout=5).status_code == 404
    assert http.post(member_url, timeout=5).json() == {}
    assert http.post(member_url, timeout=5).json() == {"not_modified": True}
    view = http.get(f"{sim.base_url}/contact/{contact_id}", timeout=5).json()
    assert view["Email"] == "Solo@Example.no"
    assert view["lists"] == [list_id]
    assert view["custom_fields"] == [{"kind": "Vip", "value": True, "fieldType": "boolean"}]
    assert http.get(f"{sim.base_url}/contacts/custom_fields", timeout=5).json() == [
        {"name": "Vip", "fieldType": "boolean"}
    ]
    missing = http.get(f"{sim.base_url}/contact/nobody@example.no", timeout=5)
    assert (missing.status_code, missing.json()["message"]) == (404, "Contact could not be found.")


def test_an_unknown_list_is_ignored_or_rejected_as_configured(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    ghost = {"Email": "ghost@example.no", "_autopilot_list": "contactlist_GONE"}

    assert len(client.upsert_contacts([ghost]).confirmed) == 1
    assert sim.counters()["unknown_list_refs"] == 1

    sim.configure(unknown_list="reject")
    result = client.upsert_contacts([{**ghost, "Email": "ghost2@example.no"}])
    assert result.rejected == {"ghost2@example.no": "List contactlist_GONE could not be found."}


def test_a_custom_field_sent_with_another_type_fails_the_batch(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    client.upsert_contacts([{"Email": "a@example.no", "custom": {"integer--Points": 1}}])

    result = client.upsert_contacts([{"Email": "b@example.no", "custom": {"string--Points": "x"}}])

    assert result.rejected == {
        "b@example.no": 'Custom field "Points" is of type integer, not string.'
    }
    assert set(sim.contacts()) == {"a@example.no"}


def test_the_control_api_shows_state_and_changes_settings(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    list_id = sim.create_list("Ctl")
    client.upsert_contacts([{"Email": "c@example.no", "_autopilot_list": list_id}])
    config = {
        "add_keys": ["apk-second-key-000001"],
        "fail_next": [{"kind": "status", "status": 418, "path": "/lists"}],
        "email_case": "upper",
    }

    assert requests.post(f"{sim.base_url}/_sim/config", json=config, timeout=5).json() == {
        "ok": True
    }
    state = requests.get(f"{sim.base_url}/_sim/state", timeout=5).json()
    assert state["lists"] == [{"list_id": list_id, "title": "Ctl", "members": ["c@example.no"]}]
    assert state["contacts"]["c@example.no"]["fields"] == {"Email": "c@example.no"}
    assert state["counters"]["upserts_applied"] == 1
    assert sim.config.email_case == "upper"
    second = requests.get(
        f"{sim.base_url}/lists", headers={"autopilotapikey": "apk-second-key-000001"}, timeout=5
    )
    assert second.status_code == 418
    bad = requests.post(f"{sim.base_url}/_sim/config", json={"no_such": 1}, timeout=5)
    assert bad.status_code == 400
    logged = requests.get(f"{sim.base_url}/_sim/requests", timeout=5).json()
    assert [(r["method"], r["path"], r["status"]) for r in logged] == [
        ("POST", "/contacts", 200),
        ("GET", "/lists", 418),
    ]


def test_stop_wakes_a_stalled_answer_at_once() -> None:
    sim = AutopilotSimulator(keys={SIM_KEY}, rate=None, slow_seconds=60.0).start()
    try:
        sim.fail_next(COMMIT_TIMEOUT)
        failures: list[BaseException] = []

        def send() -> None:
            try:
                requests.post(
                    f"{sim.base_url}/contacts",
                    json={"contacts": [{"Email": "z@example.no"}]},
                    headers={"autopilotapikey": SIM_KEY},
                    timeout=30,
                )
            except requests.RequestException as exc:
                failures.append(exc)

        sender = threading.Thread(target=send)
        sender.start()
        assert sim.wait_for_requests(1, timeout=10)
        started = time.monotonic()
    finally:
        sim.stop()
    sender.join(timeout=10)

    assert time.monotonic() - started < 5
    assert not sender.is_alive()
    assert len(failures) == 1
    assert set(sim.contacts()) == {"z@example.no"}


def test_the_simulator_runs_as_its_own_process(tmp_path: Path, make_client: ClientFactory) -> None:
    ready = tmp_path / "sim.url"
    command = [sys.executable, "-m", "tests.support.autopilot_sim", "--port", "0"]
    command += ["--key", SIM_KEY, "--rate", "100", "--ready-file", str(ready)]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # written once the server listens
        base_url = ready.read_text(encoding="utf-8").strip()
        assert line.strip() == f"Autopilot simulator listening on {base_url}"
        client = make_client(base_url=base_url)

        client.upsert_contacts([{"Email": "far@example.no", "FirstName": "Far"}])
        state = requests.get(f"{base_url}/_sim/state", timeout=5).json()
        assert state["contacts"]["far@example.no"]["fields"]["FirstName"] == "Far"
        requests.post(f"{base_url}/_sim/config", json={"revoke_keys": [SIM_KEY]}, timeout=5)
        with pytest.raises(AuthError):
            client.check_key()
        client.close()
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        process.stderr.close()  # type: ignore[union-attr]
