"""The Ortto client against the local Ortto test server: keys, merges and their verdicts, splitting,
custom fields, the 429, the abuse guard and faults (``ortto-api.md``).

The fixtures ``make_sim``, ``sim``, ``make_client`` and ``client`` here are Ortto's; they shadow
conftest's Autopilot ones of the same names in this module only.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.core.cancel import CancelToken
from app.core.clock import FakeClock
from app.core.connections import Connection
from app.core.destinations import Limits
from app.core.destinations.errors import AuthError, RequestError, ServerError
from app.core.destinations.ortto import ORTTO, OrttoClient, auth_rejected
from app.core.errors import UsageError
from app.core.mapping import FieldMapping, Mapping
from app.core.mapping.contact import Contact
from app.core.store import utc_now
from tests.support.ortto_sim import (
    COMMIT_TIMEOUT,
    ERROR_500,
    HTML_503,
    RESET,
    STATUS,
    OrttoSimulator,
)

KEY = "ortto-pk-3b9d1f7e5c2a4b6d8e0f1a2b3c4d5e6f"
SEED = 20240611
LOYALTY_ID = "int:cm:loyalty-points"
TAG = "Newsletter Norway"

SimFactory = Callable[..., OrttoSimulator]
ClientFactory = Callable[..., OrttoClient]


@pytest.fixture
def make_sim() -> Iterator[SimFactory]:
    """Fast Ortto test servers (no rate limit unless asked); all stopped at teardown."""
    started: list[OrttoSimulator] = []

    def make(**kwargs: Any) -> OrttoSimulator:
        kwargs.setdefault("keys", {KEY})
        kwargs.setdefault("rate", None)
        kwargs.setdefault("seed", SEED)
        kwargs.setdefault("custom_fields", {"Loyalty points": "integer"})
        sim = OrttoSimulator(**kwargs).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def sim(make_sim: SimFactory) -> OrttoSimulator:
    return make_sim()


@pytest.fixture
def make_client(sim: OrttoSimulator) -> Iterator[ClientFactory]:
    """Clients with short timeouts, tiny backoffs and a high rate; all closed at teardown."""
    made: list[OrttoClient] = []

    def make(**kwargs: Any) -> OrttoClient:
        base_url = kwargs.pop("base_url", sim.base_url)
        api_key = kwargs.pop("api_key", KEY)
        kwargs.setdefault("rate_limit", 500.0)
        kwargs.setdefault("read_timeout", 2.0)
        kwargs.setdefault("connect_timeout", 1.0)
        kwargs.setdefault("backoff_base", 0.005)
        kwargs.setdefault("backoff_cap", 0.02)
        kwargs.setdefault("rng", random.Random(SEED))
        client = OrttoClient(base_url, api_key, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: ClientFactory) -> OrttoClient:
    return make_client()


def contacts(count: int, start: int = 0, **fields: object) -> list[Contact]:
    return [
        Contact(f"p{i}@example.no", {"FirstName": f"P{i}", **fields})
        for i in range(start, start + count)
    ]


def emails(count: int, start: int = 0) -> set[str]:
    return {f"p{i}@example.no" for i in range(start, start + count)}


def mapping(*targets: str) -> Mapping:
    fields = [FieldMapping("Email", "Email")]
    fields += [FieldMapping(target, f"column {n}") for n, target in enumerate(targets)]
    return Mapping(tuple(fields))


def merges(sim: OrttoSimulator) -> list[Any]:
    return sim.requests("/person/merge")


def sent_people(sim: OrttoSimulator) -> list[dict[str, Any]]:
    return [p for r in merges(sim) if r.body for p in r.body["people"]]


# -- the key and the regions -------------------------------------------------------------------


def test_the_key_check_is_a_custom_field_read_with_the_key_header(
    client: OrttoClient, sim: OrttoSimulator
) -> None:
    answer = client.check_key()
    assert isinstance(answer["fields"], list)
    (request,) = sim.requests()
    assert (request.method, request.path, request.body) == ("POST", "/person/custom-field/get", {})
    assert request.headers["x-api-key"] == KEY
    assert request.headers["content-type"] == "application/json"


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_fails_at_once_and_the_client_never_knocks_again(
    make_client: ClientFactory, sim: OrttoSimulator, status: int
) -> None:
    if status == 401:
        sim.disconnect_key(KEY)
    else:
        sim.forbid_key(KEY)
    client = make_client()
    with pytest.raises(AuthError) as refused:
        client.check_key()
    assert refused.value.status == status
    assert str(refused.value) == auth_rejected()
    assert "Ortto" in auth_rejected() and "resume" in auth_rejected()
    assert refused.value.offers_resume
    with pytest.raises(AuthError):
        client.send(contacts(3), TAG, cancel=CancelToken())
    assert len(sim.requests()) == 1, "no retry, and nothing more after a refused key"
    assert KEY not in str(refused.value)


def test_a_wrong_key_is_401(make_client: ClientFactory, sim: OrttoSimulator) -> None:
    client = make_client(api_key="ortto-pk-not-the-right-one")
    with pytest.raises(AuthError) as refused:
        client.check_key()
    assert refused.value.status == 401 and len(sim.requests()) == 1


def test_open_client_uses_the_connection_and_the_limits(sim: OrttoSimulator) -> None:
    connection = Connection(
        "Ortto", base_url=sim.base_url, rate_limit=200.0, consent_at=utc_now(), service="ortto"
    )
    client = ORTTO.open_client(connection, KEY, Limits(read_timeout=1.0, backoff_base=0.01))
    try:
        assert isinstance(client, OrttoClient)
        assert client.base_url == sim.base_url and client.current_rate == 200.0
        client.check_key()
    finally:
        client.close()
    assert ORTTO.base_url("eu") == "https://api.eu.ap3api.com/v1"


# -- merges ------------------------------------------------------------------------------------


def test_created_merged_suppressed_and_invalid_people_each_get_ortto_s_verdict(
    client: OrttoClient, sim: OrttoSimulator
) -> None:
    existing = sim.put_person({"str::email": "p1@example.no", "str::first": "Old"})
    sim.suppress("p2@example.no")
    batch = [
        *contacts(3),
        Contact("bad@example.invalid", {}),
        Contact("P4@Example.no", {"LastName": "Nordmann"}),
    ]

    result = client.send(batch, TAG, cancel=CancelToken())

    assert result.requests == 1
    assert set(result.confirmed) == {"p0@example.no", "p1@example.no", "p4@example.no"}
    assert result.confirmed["p1@example.no"] == existing
    assert result.confirmed["p0@example.no"] == sim.people()["p0@example.no"]["person_id"]
    assert result.rejected == {
        "p2@example.no": "Email is suppressed",
        "bad@example.invalid": "failed to validate field str::email: invalid email address",
    }
    stored: dict[str, Any] = sim.people()
    assert stored["p1@example.no"]["fields"]["str::first"] == "P1"
    assert stored["p4@example.no"]["fields"] == {
        "str::email": "P4@Example.no",
        "str::last": "Nordmann",
    }
    assert set(stored) == {"p0@example.no", "p1@example.no", "p4@example.no"}
    (request,) = merges(sim)
    assert request.body["merge_by"] == ["str::email"]
    assert (request.body["merge_strategy"], request.body["find_strategy"]) == (2, 0)
    assert request.body["async"] is False


def test_every_person_sent_carries_the_tag(client: OrttoClient, sim: OrttoSimulator) -> None:
    client.send(contacts(120), TAG, cancel=CancelToken())
    assert all(p["tags"] == [TAG] for p in sent_people(sim))
    assert sim.tagged(TAG) == emails(120)
    assert sim.tags() == [TAG]


def test_a_batch_with_nobody_valid_is_read_from_the_details_in_one_request(
    client: OrttoClient, sim: OrttoSimulator
) -> None:
    sim.suppress(*emails(9))
    batch = [*contacts(9), Contact("x@example.invalid", {})]

    result = client.send(batch, TAG, cancel=CancelToken())

    assert result.confirmed == {}
    assert result.requests == 1
    assert [r.status for r in merges(sim)] == [400]
    assert {k: v for k, v in result.rejected.items() if k != "x@example.invalid"} == dict.fromkeys(
        emails(9), "Email is suppressed"
    )
    assert "invalid email address" in result.rejected["x@example.invalid"]


def test_batches_are_split_at_100_people(client: OrttoClient, sim: OrttoSimulator) -> None:
    result = client.send(contacts(250), TAG, cancel=CancelToken())
    assert [len(r.body["people"]) for r in merges(sim)] == [100, 100, 50]
    assert result.requests == 3 and set(result.confirmed) == emails(250)


def test_batches_are_split_at_2_mb_and_match_the_dry_run_s_bodies(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    notes = {f"Note {n}": "large_text" for n in range(6)}
    sim = make_sim(custom_fields=notes)
    client = make_client(base_url=sim.base_url)
    targets = [f"custom:string:Note {n}" for n in range(6)]
    client.prepare(mapping(*targets), create_fields=False, cancel=CancelToken())
    batch = [
        Contact(f"p{i}@example.no", {t: f"{i}:" + "x" * 3990 for t in targets}) for i in range(100)
    ]

    result = client.send(batch, TAG, cancel=CancelToken())

    sizes = [len(json.dumps(r.body, ensure_ascii=False).encode()) for r in merges(sim)]
    assert len(sizes) == 2 and all(size <= 2_000_000 for size in sizes)
    assert sum(len(r.body["people"]) for r in merges(sim)) == 100
    assert set(result.confirmed) == emails(100) and result.rejected == {}
    assert [r.status for r in merges(sim)] == [200, 200]
    # The dry run splits alike (its ids are those created fields would get: str, not txt).
    dry = ORTTO.request_bodies(batch, TAG)
    assert [len(b["people"]) for b in dry] == [len(r.body["people"]) for r in merges(sim)]  # type: ignore[arg-type]


def test_opted_out_people_get_email_permission_false_and_nobody_gets_true(
    client: OrttoClient, sim: OrttoSimulator
) -> None:
    batch = [
        Contact("in@example.no", {"FirstName": "In"}),
        Contact("out@example.no", {"FirstName": "Out"}, opted_out=True),
    ]
    client.send(batch, TAG, cancel=CancelToken())
    fields = {p["fields"]["str::email"]: p["fields"] for p in sent_people(sim)}
    assert fields["out@example.no"]["bol::p"] is False
    assert "bol::p" not in fields["in@example.no"]
    assert sim.person("out@example.no")["fields"]["bol::p"] is False  # type: ignore[index]


def test_standard_and_custom_values_are_stored_with_their_types(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = make_sim(
        custom_fields={
            "Loyalty points": "integer",
            "Balance": "decimal",
            "VIP": "bool",
            "Last order": "date",
            "Segment note": "text",
        }
    )
    client = make_client(base_url=sim.base_url)
    targets = (
        "custom:integer:Loyalty Points",
        "custom:float:balance",
        "custom:boolean:VIP",
        "custom:date:Last Order",
        "custom:string:Segment note",
        "geo::city",
        "geo::country",
        "geo::postal",
        "geo::region",
        "str::ei",
    )
    assert client.prepare(mapping(*targets), create_fields=False, cancel=CancelToken()) == []
    values = {
        "custom:integer:Loyalty Points": 1200,
        "custom:float:balance": 12.5,
        "custom:boolean:VIP": True,
        "custom:date:Last Order": "2026-11-29T00:00:00.000Z",
        "custom:string:Segment note": "Gold",
        "geo::city": "Oslo",
        "geo::country": "Norway",
        "geo::postal": "0150",
        "geo::region": "Oslo",
        "str::ei": "C-1",
    }
    result = client.send([Contact("kari@example.no", values)], TAG, cancel=CancelToken())
    assert result.rejected == {}
    stored = sim.person("kari@example.no")
    assert stored is not None
    assert stored["fields"] == {
        "str::email": "kari@example.no",
        LOYALTY_ID: 1200,
        "dec:cm:balance": 12.5,
        "bol:cm:vip": True,
        "dtz:cm:last-order": "2026-11-29T00:00:00.000Z",
        "str:cm:segment-note": "Gold",
        "geo::city": {"name": "Oslo"},
        "geo::country": {"name": "Norway"},
        "geo::postal": {"name": "0150"},
        "geo::region": {"name": "Oslo"},
        "str::ei": "C-1",
    }


# -- custom fields -----------------------------------------------------------------------------


def test_custom_fields_are_listed_in_the_mapping_s_words(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = make_sim(custom_fields={"Loyalty points": "integer", "Notes": "large_text"})
    fields = make_client(base_url=sim.base_url).custom_fields()
    assert [(f.name, f.type, f.field_id) for f in fields] == [
        ("Loyalty points", "integer", LOYALTY_ID),
        ("Notes", "string", "txt:cm:notes"),
    ]


def test_a_missing_custom_field_is_refused_without_consent_and_nothing_is_created(
    client: OrttoClient, sim: OrttoSimulator
) -> None:
    targets = ("custom:integer:LOYALTY POINTS", "custom:date:Last Order", "custom:string:Tier")
    with pytest.raises(UsageError) as refused:
        client.prepare(mapping(*targets), create_fields=False, cancel=CancelToken())
    message = str(refused.value)
    assert "'Last Order'" in message and "'Tier'" in message and "LOYALTY" not in message
    assert "--create-fields" in message and "cannot delete" in message
    assert sim.requests("/person/custom-field/create") == []
    assert list(sim.custom_fields()) == [LOYALTY_ID]


def test_a_missing_custom_field_is_created_with_consent_then_used(
    client: OrttoClient, sim: OrttoSimulator
) -> None:
    targets = ("custom:integer:Loyalty points", "custom:date:Last Order")
    warnings = client.prepare(mapping(*targets), create_fields=True, cancel=CancelToken())
    assert len(warnings) == 1 and "'Last Order'" in warnings[0]
    assert [r.body for r in sim.requests("/person/custom-field/create")] == [
        {"type": "date", "name": "Last Order"}
    ]
    batch = [Contact("kari@example.no", {"custom:date:Last Order": "2026-01-02T00:00:00.000Z"})]
    result = client.send(batch, TAG, cancel=CancelToken())
    assert result.rejected == {}
    stored: Any = sim.person("kari@example.no")
    assert stored["fields"]["dtz:cm:last-order"] == "2026-01-02T00:00:00.000Z"
    # Again: now it exists, nothing more is created.
    assert client.prepare(mapping(*targets), create_fields=True, cancel=CancelToken()) == []
    assert len(sim.requests("/person/custom-field/create")) == 1


def test_a_create_that_landed_before_a_timeout_is_found_not_duplicated(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = make_sim(custom_fields={}, slow_seconds=0.3)
    client = make_client(base_url=sim.base_url, read_timeout=0.15)
    sim.fail_next(COMMIT_TIMEOUT, path="/person/custom-field/create")
    client.prepare(mapping("custom:string:Tier"), create_fields=True, cancel=CancelToken())
    assert [f["name"] for f in sim.custom_fields().values()] == ["Tier"]


def test_a_custom_field_of_another_type_is_refused(
    client: OrttoClient, sim: OrttoSimulator
) -> None:
    with pytest.raises(UsageError) as refused:
        client.prepare(
            mapping("custom:string:Loyalty points"), create_fields=True, cancel=CancelToken()
        )
    assert "custom:integer:Loyalty points" in str(refused.value)
    assert sim.requests("/person/custom-field/create") == []


# -- throttling, the abuse guard and faults ------------------------------------------------------


def test_a_429_waits_at_least_try_in_seconds_and_paces_down(
    make_client: ClientFactory, sim: OrttoSimulator
) -> None:
    clock = FakeClock()
    client = make_client(clock=clock, rate_limit=50.0)
    body = {"error": {"code": "rate-limit", "message": "rate limit", "try-in-seconds": 7}}
    sim.fail_next(STATUS, status=429, body=body)

    result = client.send(contacts(5), TAG, cancel=CancelToken())

    assert set(result.confirmed) == emails(5)
    assert sum(clock.sleeps) >= 7.0
    assert client.current_rate < 50.0
    assert [r.status for r in merges(sim)] == [429, 200]


def test_bad_batches_never_get_the_caller_banned(make_client: ClientFactory) -> None:
    """Whole batches refused (everyone suppressed), one after another and from four threads:
    the client spends at most its budget of bad answers per window and waits for the rest."""
    clock = FakeClock()
    with OrttoSimulator(keys={KEY}, rate=None, seed=SEED, clock=clock.monotonic) as sim:
        client = make_client(base_url=sim.base_url, clock=clock)
        batches = [contacts(100, start) for start in range(0, 4000, 100)]
        sim.suppress(*(c.email for batch in batches for c in batch))
        results: list[Any] = []
        lock = threading.Lock()

        def send(mine: list[list[Contact]]) -> None:
            for batch in mine:
                result = client.send(batch, TAG, cancel=CancelToken())
                with lock:
                    results.append(result)

        threads = [threading.Thread(target=send, args=(batches[n::4],)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not sim.ever_banned
        assert len(results) == 40
        assert all(len(r.rejected) == 100 and not r.confirmed for r in results)
        assert len(merges(sim)) == 40 and all(r.status == 400 for r in merges(sim))
        assert client.budget.waits > 0


def test_refusals_without_details_split_the_batch_a_bounded_number_of_times(
    make_client: ClientFactory, sim: OrttoSimulator
) -> None:
    clock = FakeClock()
    with OrttoSimulator(keys={KEY}, rate=None, seed=SEED, clock=clock.monotonic) as guarded:
        client = make_client(base_url=guarded.base_url, clock=clock)
        refusal = {"code": 400, "error": "bad request"}
        guarded.fail_next(STATUS, 1000, status=400, body=refusal)
        with pytest.raises(RequestError) as stopped:
            client.send(contacts(100), TAG, cancel=CancelToken())
        assert "bad request" in str(stopped.value) and "resume" in str(stopped.value)
        assert len(merges(guarded)) == 13
        assert not guarded.ever_banned


def test_a_refusal_without_details_is_narrowed_down_to_the_person(
    client: OrttoClient, sim: OrttoSimulator
) -> None:
    refusal = {"code": 400, "error": "something about one person"}
    sim.fail_next(STATUS, 3, status=400, body=refusal)  # the batch, its first half, p0
    result = client.send(contacts(4), TAG, cancel=CancelToken())
    # 4 -> [2 refused -> 1 refused (p0), 1 ok], [2 ok]
    assert result.rejected == {"p0@example.no": "something about one person"}
    assert set(result.confirmed) == emails(4) - {"p0@example.no"}
    assert [len(r.body["people"]) for r in merges(sim)] == [4, 2, 1, 1, 2]


@pytest.mark.parametrize("kind", [ERROR_500, HTML_503, RESET, COMMIT_TIMEOUT])
def test_a_fault_is_retried_to_the_exact_final_state(
    make_sim: SimFactory, make_client: ClientFactory, kind: str
) -> None:
    sim = make_sim(slow_seconds=0.3)
    client = make_client(base_url=sim.base_url, read_timeout=0.15)
    sim.fail_next(kind, 2)
    result = client.send(contacts(30), TAG, cancel=CancelToken())
    assert set(result.confirmed) == emails(30) and result.rejected == {}
    assert result.requests == 3
    stored: dict[str, Any] = sim.people()
    assert set(stored) == emails(30)
    assert all(p["tags"] == [TAG] for p in stored.values())
    assert stored["p7@example.no"]["fields"]["str::first"] == "P7"


def test_seeded_faults_across_many_batches_end_in_the_exact_state(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    sim = make_sim(slow_seconds=0.3)
    client = make_client(base_url=sim.base_url, read_timeout=0.15)
    sim.set_fault_rates(
        {ERROR_500: 0.1, HTML_503: 0.05, RESET: 0.05, COMMIT_TIMEOUT: 0.05},
        seed=5,
        path="/person/merge",
    )
    for start in range(0, 1000, 100):
        result = client.send(contacts(100, start), TAG, cancel=CancelToken())
        assert set(result.confirmed) == emails(100, start)
    assert set(sim.people()) == emails(1000) and sim.tagged(TAG) == emails(1000)


@pytest.mark.parametrize(
    "answer",
    [
        {"ok": True},
        {"people": [{"person_id": "0069", "status": "created"}]},
        {"people": [{"status": "maybe"}, {"status": "maybe"}]},
    ],
)
def test_an_unrecognised_answer_is_a_failed_request_never_a_verdict(
    make_client: ClientFactory, sim: OrttoSimulator, answer: dict[str, object]
) -> None:
    client = make_client(max_attempts=3)
    sim.fail_next(STATUS, 3, status=200, body=answer)
    with pytest.raises(ServerError) as failed:
        client.send(contacts(2), TAG, cancel=CancelToken())
    assert "expected shape" in str(failed.value)
    assert len(merges(sim)) == 3


def test_one_unrecognised_answer_is_retried(client: OrttoClient, sim: OrttoSimulator) -> None:
    sim.fail_next(STATUS, status=200, body={"people": []})
    result = client.send(contacts(2), TAG, cancel=CancelToken())
    assert set(result.confirmed) == emails(2) and result.requests == 2


def test_cancel_stops_before_the_next_request(client: OrttoClient, sim: OrttoSimulator) -> None:
    from app.core.cancel import Cancelled

    cancel = CancelToken()
    cancel.cancel("test")
    with pytest.raises(Cancelled):
        client.send(contacts(3), TAG, cancel=cancel)
    assert merges(sim) == []
