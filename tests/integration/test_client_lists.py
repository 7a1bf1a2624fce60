"""Lists: looked up by title (trimmed, any case), created once and only when missing."""

from __future__ import annotations

import threading

import pytest

from app.core.destinations.autopilot import AutopilotClient, AutopilotList, ListResolution
from tests.integration.conftest import ClientFactory
from tests.support.autopilot_sim import COMMIT_TIMEOUT, STATUS, AutopilotSimulator


def posts_to_list(sim: AutopilotSimulator) -> int:
    return sum(1 for r in sim.requests() if (r.method, r.path) == ("POST", "/list"))


def test_get_lists_returns_every_list_in_autopilots_order(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    ids = [sim.create_list(title) for title in ("B list", "A list", "B list")]

    assert client.get_lists() == [
        AutopilotList(ids[0], "B list"),
        AutopilotList(ids[1], "A list"),
        AutopilotList(ids[2], "B list"),
    ]


def test_find_list_matches_trimmed_titles_in_any_case(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    wanted = sim.create_list("  VIP Norway ")
    sim.create_list("VIP Sweden")

    found, warning = client.find_list("vip norway")

    assert found == AutopilotList(wanted, "  VIP Norway ")
    assert warning is None
    assert client.find_list("VIP Denmark") == (None, None)


def test_several_lists_with_the_title_use_the_first_and_warn(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    first = sim.create_list("Newsletter")
    sim.create_list("NEWSLETTER")

    resolution = client.find_or_create_list("newsletter ")

    assert resolution.list_id == first
    assert resolution.created is False
    assert resolution.warning is not None
    assert "2 Autopilot lists are titled 'newsletter'" in resolution.warning
    assert first in resolution.warning
    assert posts_to_list(sim) == 0


def test_a_missing_list_is_created_once(client: AutopilotClient, sim: AutopilotSimulator) -> None:
    created = client.find_or_create_list(" Black Friday ")
    again = client.find_or_create_list("black friday")

    assert created == ListResolution(created.list_id, True, None)
    assert again == ListResolution(created.list_id, False, None)
    assert sim.lists() == [{"list_id": created.list_id, "title": "Black Friday"}]
    assert posts_to_list(sim) == 1


def test_threads_asking_for_the_same_new_list_create_it_once(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    results: list[ListResolution] = []
    threads = [
        threading.Thread(target=lambda: results.append(client.find_or_create_list("Spring")))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sim.lists()) == 1
    assert {r.list_id for r in results} == {sim.lists()[0]["list_id"]}
    assert sorted(r.created for r in results) == [False, False, False, True]


def test_a_create_that_timed_out_after_landing_is_not_repeated(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    sim.configure(slow_seconds=3.0)
    sim.fail_next(COMMIT_TIMEOUT, path="/list", method="POST")
    client = make_client(read_timeout=0.3)

    resolution = client.find_or_create_list("Summer")

    assert len(sim.lists()) == 1  # no second list with the same title
    assert resolution == ListResolution(sim.lists()[0]["list_id"], True, None)
    assert posts_to_list(sim) == 1


def test_a_409_for_an_existing_title_uses_that_list(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    existing = sim.create_list("Autumn")
    sim.configure(list_title_conflict=True)
    # The first lookup misses the list (it was created in between, as by another program).
    sim.fail_next(STATUS, path="/lists", status=200, body={"lists": []})

    resolution = client.find_or_create_list("Autumn")

    assert resolution == ListResolution(existing, False, None)
    assert len(sim.lists()) == 1
    assert [(r.path, r.status) for r in sim.requests()] == [
        ("/lists", 200),
        ("/list", 409),
        ("/lists", 200),
    ]


def test_list_contact_count_reads_total_contacts(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    list_id = sim.create_list("Big")
    contacts = [{"Email": f"p{i}@example.no", "_autopilot_list": list_id} for i in range(100)]
    client.upsert_contacts(contacts)
    client.upsert_contacts([{**c, "Email": f"q{i}@example.no"} for i, c in enumerate(contacts)])
    client.upsert_contacts(contacts[:7])  # already members: no change

    assert client.list_contact_count(list_id) == 200
    assert len(sim.list_members(list_id)) == 200


def test_counting_an_unknown_list_is_a_request_error(client: AutopilotClient) -> None:
    from app.core.destinations.autopilot import RequestError

    with pytest.raises(RequestError) as caught:
        client.list_contact_count("contactlist_missing")
    assert "List could not be found." in str(caught.value)
