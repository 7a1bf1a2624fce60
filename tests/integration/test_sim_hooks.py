"""The test servers' hooks (a call at the Nth request to a path, before, after or once
answered) and their saved data, which the crash matrix relies on."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests

from tests.integration.conftest import SIM_KEY
from tests.support.autopilot_sim import AutopilotSimulator
from tests.support.ortto_sim import OrttoSimulator
from tests.support.simkit.hooks import AFTER, ANSWERED, BEFORE


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["autopilotapikey"] = SIM_KEY
        yield session


def upsert(http: requests.Session, sim: AutopilotSimulator, *emails: str) -> int:
    body = {"contacts": [{"Email": email} for email in emails]}
    return http.post(f"{sim.base_url}/contacts", json=body, timeout=5).status_code


def test_a_hook_before_sees_nothing_applied_and_counts_only_its_path_and_method(
    sim: AutopilotSimulator, http: requests.Session
) -> None:
    seen: list[set[str]] = []
    hook = sim.on_request(
        "/contacts", 2, BEFORE, lambda: seen.append(set(sim.contacts())), method="POST"
    )
    upsert(http, sim, "a@example.no")
    http.get(f"{sim.base_url}/contacts", timeout=5)  # another method: not counted
    http.get(f"{sim.base_url}/lists", timeout=5)  # another path: not counted
    assert not hook.fired.is_set()

    assert upsert(http, sim, "b@example.no") == 200
    upsert(http, sim, "c@example.no")

    assert hook.fired.is_set() and seen == [{"a@example.no"}], "once, before b was applied"
    assert set(sim.contacts()) == {"a@example.no", "b@example.no", "c@example.no"}


def test_a_hook_after_runs_once_applied_before_the_answer_leaves(
    sim: AutopilotSimulator, http: requests.Session
) -> None:
    answered = threading.Event()
    seen: list[tuple[int, bool]] = []
    sim.on_request(
        "/contacts", 1, AFTER, lambda: seen.append((len(sim.contacts()), answered.wait(0.2)))
    )

    upsert(http, sim, "a@example.no")
    answered.set()

    assert seen == [(1, False)], "applied, and the client had no answer while the hook ran"
    assert [r.path for r in sim.requests()] == ["/contacts"], "recorded before the hook"


def test_a_hook_once_answered_runs_while_the_client_has_its_answer(
    sim: AutopilotSimulator, http: requests.Session
) -> None:
    answered = threading.Event()
    delivered: list[bool] = []
    hook = sim.on_request("/contacts", 1, ANSWERED, lambda: delivered.append(answered.wait(5)))

    assert upsert(http, sim, "a@example.no") == 200
    answered.set()

    assert hook.fired.wait(5) and delivered == [True]


def test_a_hook_refuses_a_moment_it_does_not_know(sim: AutopilotSimulator) -> None:
    with pytest.raises(ValueError):
        sim.on_request("/contacts", 1, "during", lambda: None)
    with pytest.raises(ValueError):
        sim.on_request("/contacts", 0, BEFORE, lambda: None)


def test_restored_data_is_as_saved_with_an_empty_log_and_no_hooks(
    sim: AutopilotSimulator, http: requests.Session
) -> None:
    list_id = sim.create_list("Newsletter")
    upsert(http, sim, "a@example.no")
    http.post(f"{sim.base_url}/list/{list_id}/contact/a@example.no", timeout=5)
    saved = sim.save_data()
    hook = sim.on_request("/contacts", 1, BEFORE, lambda: None)

    sim.restore_data(saved)
    upsert(http, sim, "b@example.no")
    http.delete(f"{sim.base_url}/list/{list_id}/contact/a@example.no", timeout=5)
    assert sim.list_members(list_id) == []
    sim.restore_data(saved)

    assert not hook.fired.is_set(), "hooks go with a restore"
    assert set(sim.contacts()) == {"a@example.no"}
    assert sim.list_members(list_id) == ["a@example.no"]
    assert sim.requests() == [] and sim.settled()


def test_the_ortto_server_restores_people_tags_and_fields() -> None:
    with OrttoSimulator(keys={"k"}, rate=None, custom_fields={"Points": "integer"}) as sim:
        sim.put_person({"str::email": "a@example.no"}, tags=["Everyone"])
        saved = sim.save_data()
        sim.put_person({"str::email": "b@example.no"}, tags=["Other"])
        sim.create_field("Extra")

        sim.restore_data(saved)

        assert set(sim.people()) == {"a@example.no"} and sim.tags() == ["Everyone"]
        assert [f["name"] for f in sim.custom_fields().values()] == ["Points"]
