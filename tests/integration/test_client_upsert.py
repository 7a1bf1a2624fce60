"""Bulk upsert through real HTTP: exactly what Autopilot stores, and what the result says."""

from __future__ import annotations

import threading

import pytest

from app.core.clock import FakeClock
from app.core.destinations.autopilot import NOT_STORED, AutopilotClient, BulkResult
from app.core.destinations.autopilot.bulk import SAME_REFUSALS_TO_STOP
from app.core.destinations.errors import RequestError
from tests.integration.conftest import ClientFactory, SimFactory
from tests.support.autopilot_sim import AutopilotSimulator


def people(count: int, start: int = 0, domain: str = "example.no") -> list[dict[str, object]]:
    return [
        {"Email": f"Person.{i}@{domain}", "FirstName": f"First{i}", "LastName": f"Last{i}"}
        for i in range(start, start + count)
    ]


def contact_posts(sim: AutopilotSimulator) -> list[int]:
    """Statuses of every POST /contacts, in arrival order."""
    return [r.status for r in sim.requests() if (r.method, r.path) == ("POST", "/contacts")]


def test_upsert_stores_exactly_what_was_sent(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    list_id = sim.create_list("VIP")
    contacts: list[dict[str, object]] = [
        {
            "Email": "Kari.Nordmann@example.no",
            "FirstName": "Kari",
            "MailingCity": "Bergen",
            "unsubscribed": True,
            "_autopilot_list": list_id,
            "custom": {"integer--Loyalty--Points": 120, "string--Favourite--Colour": "blue"},
        },
        {"Email": "ola@example.no", "LastName": "Hansen", "_autopilot_list": list_id},
    ]

    result = client.upsert_contacts(contacts)

    stored = sim.contacts()
    assert result == BulkResult(
        {
            "kari.nordmann@example.no": str(stored["kari.nordmann@example.no"]["contact_id"]),
            "ola@example.no": str(stored["ola@example.no"]["contact_id"]),
        },
        {},
        1,
    )
    assert {k: (v["fields"], v["custom"], v["unsubscribed"]) for k, v in stored.items()} == {
        "kari.nordmann@example.no": (
            {"Email": "Kari.Nordmann@example.no", "FirstName": "Kari", "MailingCity": "Bergen"},
            {"integer--Loyalty--Points": 120, "string--Favourite--Colour": "blue"},
            True,
        ),
        "ola@example.no": ({"Email": "ola@example.no", "LastName": "Hansen"}, {}, False),
    }
    assert sim.list_members(list_id) == ["kari.nordmann@example.no", "ola@example.no"]
    assert sim.custom_fields() == {"Loyalty Points": "integer", "Favourite Colour": "string"}
    assert sim.requests()[0].body == {"contacts": contacts}


def test_a_second_upsert_overwrites_sent_fields_and_keeps_the_others(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    client.upsert_contacts([{"Email": "a@example.no", "FirstName": "A", "Company": "Old AS"}])
    client.upsert_contacts([{"Email": "A@EXAMPLE.NO", "Company": "New AS"}])

    assert sim.contacts()["a@example.no"]["fields"] == {
        "Email": "A@EXAMPLE.NO",
        "FirstName": "A",
        "Company": "New AS",
    }
    assert len(sim.contacts()) == 1


@pytest.mark.parametrize("email_case", ["lower", "upper", "as_sent"])
def test_the_answer_map_is_matched_in_any_case(
    client: AutopilotClient, sim: AutopilotSimulator, email_case: str
) -> None:
    sim.configure(email_case=email_case)

    result = client.upsert_contacts(people(50))

    assert result.rejected == {}
    assert set(result.confirmed) == {f"person.{i}@example.no" for i in range(50)}
    assert result.confirmed == {k: v["contact_id"] for k, v in sim.contacts().items()}


def test_contacts_left_out_of_the_answer_are_rejected(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    sim.configure(silent_drop_invalid=True)
    bad: list[dict[str, object]] = [
        {"Email": "no-at-sign.example.no"},
        {"Email": "Bad@Host.Invalid"},
    ]
    batch = people(5) + bad

    result = client.upsert_contacts(batch)

    assert result.rejected == {"no-at-sign.example.no": NOT_STORED, "bad@host.invalid": NOT_STORED}
    assert set(result.confirmed) == {f"person.{i}@example.no" for i in range(5)}
    assert set(sim.contacts()) == set(result.confirmed)
    assert result.requests == 1


def test_a_whole_batch_400_is_split_to_isolate_exactly_the_bad_contacts(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    sim.configure(reject_batch_on_invalid=True)
    batch = people(100)
    for index in (3, 41, 99):
        batch[index] = {"Email": f"broken{index}.example.no"}

    result = client.upsert_contacts(batch)

    assert result.rejected == {
        f"broken{i}.example.no": f"Invalid email address: broken{i}.example.no" for i in (3, 41, 99)
    }
    good = {str(c["Email"]).lower() for c in batch} - set(result.rejected)
    assert set(result.confirmed) == good
    assert set(sim.contacts()) == good
    statuses = contact_posts(sim)
    assert result.requests == len(statuses)
    assert statuses.count(400) + statuses.count(200) == len(statuses)
    assert len(statuses) <= 1 + 2 * 3 * 7  # at most two halves per level for each bad one


def test_a_400_about_every_contact_stops_the_halving_after_a_dozen_requests(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    refusal = {"error": "Bad Request", "message": "Custom field integer--Points must be a number"}
    sim.fail_next("status", 1000, path="/contacts", status=400, body=refusal)

    with pytest.raises(RequestError) as stopped:
        client.upsert_contacts(people(100))

    assert len(contact_posts(sim)) == SAME_REFUSALS_TO_STOP  # not about 200
    message = str(stopped.value)
    assert "same reason" in message and "must be a number" in message and "mapping" in message
    assert sim.contacts() == {}


def test_refusals_with_another_reason_each_time_are_about_contacts_and_are_split_on(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    sim.configure(reject_batch_on_invalid=True)
    batch = [{"Email": f"broken{i}.example.no"} for i in range(16)]
    result = client.upsert_contacts(batch)
    assert len(result.rejected) == 16 and result.confirmed == {}
    assert len(contact_posts(sim)) == 31  # every half down to each contact


def test_more_than_100_contacts_is_a_programming_error(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    with pytest.raises(ValueError, match="at most 100"):
        client.upsert_contacts(people(101))
    with pytest.raises(ValueError, match="Email"):
        client.upsert_contacts([{"FirstName": "No email"}])
    assert sim.requests() == []


def test_the_simulator_refuses_more_than_100_contacts(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    import requests

    from tests.integration.conftest import SIM_KEY

    answer = requests.post(
        f"{sim.base_url}/contacts",
        json={"contacts": people(101)},
        headers={"autopilotapikey": SIM_KEY},
        timeout=5,
    )
    assert answer.status_code == 400
    assert sim.contacts() == {}


def test_an_empty_batch_sends_nothing(client: AutopilotClient, sim: AutopilotSimulator) -> None:
    assert client.upsert_contacts([]) == BulkResult({}, {}, 0)
    assert sim.requests() == []


def test_threads_share_one_rate_limit(make_sim: SimFactory, make_client: ClientFactory) -> None:
    sim = make_sim(rate=30.0, burst=5)
    client = make_client(base_url=sim.base_url, rate_limit=20.0, burst=1)
    errors: list[BaseException] = []

    def send(thread_no: int) -> None:
        try:
            for batch_no in range(5):
                client.upsert_contacts(people(2, start=thread_no * 100 + batch_no * 2))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(sim.contacts()) == 40
    assert sim.count_429() == 0
    times = sorted(r.time for r in sim.requests())
    # 20 requests at 20/s, starting with one token: at least 19 intervals of 1/20 s.
    assert times[-1] - times[0] >= 19 / 20 - 0.05


def test_pacing_waits_on_the_injected_clock(
    make_client: ClientFactory, sim: AutopilotSimulator
) -> None:
    clock = FakeClock()
    client = make_client(rate_limit=5.0, clock=clock)
    start = clock.monotonic()

    for n in range(11):
        client.upsert_contacts(people(1, start=n))

    assert clock.monotonic() - start == pytest.approx(10 / 5)
    assert len(sim.contacts()) == 11
