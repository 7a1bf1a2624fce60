"""Ortto's pure parts: the field vocabulary, value encodings, bodies and their splitting, answer
readers, the bad-answer budget and the destination's words."""

from __future__ import annotations

import json
import threading

import pytest

from app.core.clock import FakeClock
from app.core.destinations import CustomField, destination_for
from app.core.destinations.http.transport import Reply
from app.core.destinations.ortto import FIELDS, ORTTO, answers
from app.core.destinations.ortto.encoding import (
    body_bytes,
    encode_value,
    merge_body,
    person,
    request_bodies,
    split,
)
from app.core.destinations.ortto.guard import BadAnswerBudget, is_bad
from app.core.errors import UsageError
from app.core.mapping import FieldMapping, Mapping
from app.core.mapping.contact import Contact

# -- the vocabulary ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("email", "Email"),
        ("str::email", "Email"),
        ("FIRSTNAME", "FirstName"),
        ("str::first", "FirstName"),
        ("str::last", "LastName"),
        ("GEO::City", "geo::city"),
        ("geo::postal", "geo::postal"),
        ("STR::EI", "str::ei"),
        ("Unsubscribed", "unsubscribed"),
        ("Custom:Integer: Loyalty Points", "custom:integer:Loyalty Points"),
    ],
)
def test_targets_are_accepted_case_insensitively(written: str, stored: str) -> None:
    assert FIELDS.canonical(written) == stored


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("bol::p", "unsubscribed"),
        ("BOL::SP", "SMS"),
        ("phn::phone", "custom:string"),
        ("dtz::b", "custom:date"),
        ("MailingCity", "geo::city"),
        ("geo::cty", "geo::city"),
        ("Shoe size", "custom:TYPE:Name"),
        ("custom:money:Balance", "string, integer"),
        ("", "ORTTO_FIELD=COLUMN"),
    ],
)
def test_other_targets_are_refused_saying_what_is_allowed(written: str, says: str) -> None:
    with pytest.raises(UsageError) as refused:
        FIELDS.canonical(written)
    assert says in str(refused.value)


def test_the_offered_fields_and_their_suggestions() -> None:
    offered = list(FIELDS.standard_fields())
    assert offered[:2] == ["FirstName", "LastName"] and "Email" not in offered
    assert {"geo::city", "geo::region", "geo::country", "geo::postal", "str::ei"} <= set(offered)
    assert "bol::p" not in offered and "phn::phone" not in offered
    assert all(target in offered for target in FIELDS.synonyms())
    assert FIELDS.label("geo::city") == "City (geo::city)"
    assert FIELDS.label("FirstName") == "FirstName"


def test_a_cli_mapping_reads_with_the_vocabulary() -> None:
    specs = ["email=PrimaryEmail", "str::first=Fornavn", "geo::City=By", "custom:float:Saldo=S"]
    mapping = Mapping.from_specs(specs, FIELDS)
    assert [f.target for f in mapping.fields] == [
        "Email",
        "FirstName",
        "geo::city",
        "custom:float:Saldo",
    ]
    assert mapping.problems(FIELDS) == []


# -- values and people ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_id", "value", "sent"),
    [
        ("str::first", "Kari", "Kari"),
        ("txt:cm:notes", "long", "long"),
        ("int:cm:points", 1200, 1200),
        ("int:cm:points", 12.0, 12),
        ("dec:cm:balance", 12.5, 12.5),
        ("dec:cm:balance", 3, 3),
        ("bol:cm:vip", False, False),
        ("dtz:cm:last-order", "2026-11-29T00:00:00.000Z", "2026-11-29T00:00:00.000Z"),
        ("geo::city", "Oslo", {"name": "Oslo"}),
        ("sst:cm:tier", "Gold", "Gold"),  # a type without an encoder goes as it is
    ],
)
def test_each_type_s_encoding(field_id: str, value: object, sent: object) -> None:
    encoded = encode_value(field_id, value)
    assert encoded == sent and type(encoded) is type(sent)


def test_a_person_has_fields_by_ortto_id_and_the_tag() -> None:
    contact = Contact(
        "Kari@Example.no",
        {
            "FirstName": "Kari",
            "LastName": "Nordmann",
            "geo::country": "Norway",
            "custom:integer:Loyalty Points": 7,
            "custom:boolean:VIP": True,
        },
    )
    assert person(contact, "Newsletter") == {
        "fields": {
            "str::email": "Kari@Example.no",
            "str::first": "Kari",
            "str::last": "Nordmann",
            "geo::country": {"name": "Norway"},
            "int:cm:loyalty-points": 7,
            "bol:cm:vip": True,
        },
        "tags": ["Newsletter"],
    }
    found = {"custom:integer:Loyalty Points": "int:cm:points-2"}
    assert "int:cm:points-2" in person(contact, "T", found)["fields"]  # type: ignore[operator]


def test_email_permission_is_only_ever_false_and_only_for_people_who_opted_out() -> None:
    out = person(Contact("a@example.no", {}, opted_out=True), "T")
    stays = person(Contact("b@example.no", {}), "T")
    assert out["fields"]["bol::p"] is False  # type: ignore[index]
    assert "bol::p" not in stays["fields"]  # type: ignore[operator]


def test_a_target_that_is_not_ortto_s_is_refused_when_encoding() -> None:
    with pytest.raises(UsageError, match="MailingCity"):
        person(Contact("a@example.no", {"MailingCity": "Oslo"}), "T")


def test_the_merge_body() -> None:
    assert merge_body([]) == {
        "people": [],
        "merge_by": ["str::email"],
        "merge_strategy": 2,
        "find_strategy": 0,
        "async": False,
    }


# -- splitting -------------------------------------------------------------------------------------


def people(count: int, size: int = 10) -> list[dict[str, object]]:
    return [
        {"fields": {"str::email": f"p{i}@example.no", "txt:cm:n": "x" * size}} for i in range(count)
    ]


def test_bodies_hold_at_most_100_people() -> None:
    assert [len(chunk) for chunk in split(people(250))] == [100, 100, 50]
    assert split([]) == []


@pytest.mark.parametrize("limit", [2_000, 5_000, 2_000_000])
def test_bodies_are_split_at_the_byte_limit_exactly(limit: int) -> None:
    crowd = people(100, size=700)
    chunks = split(crowd, max_bytes=limit)
    assert [i for chunk in chunks for i in chunk] == list(range(100))
    for n, chunk in enumerate(chunks):
        size = body_bytes(merge_body([crowd[i] for i in chunk]))
        assert size <= limit
        if n + 1 < len(chunks) and len(chunk) < 100:  # full: the next person would not fit
            grown = merge_body([crowd[i] for i in [*chunk, chunks[n + 1][0]]])
            assert body_bytes(grown) > limit


def test_bytes_are_counted_as_sent_utf8() -> None:
    body = merge_body([{"fields": {"str::first": "Ærlig Øyvind Åsen"}}])
    assert body_bytes(body) == len(json.dumps(body, ensure_ascii=False).encode("utf-8"))


def test_a_person_larger_than_any_body_is_a_chunk_of_its_own() -> None:
    crowd = [*people(2), *people(1, size=5_000), *people(2)]
    assert split(crowd, max_bytes=2_000) == [[0, 1], [2], [3, 4]]


def test_request_bodies_tag_everyone_and_use_the_ids_created_fields_get() -> None:
    contacts = [Contact(f"p{i}@example.no", {"custom:date:Last Order": "x"}) for i in range(150)]
    bodies = request_bodies(contacts, "Everyone")
    assert [len(b["people"]) for b in bodies] == [100, 50]  # type: ignore[arg-type]
    first = bodies[0]["people"][0]  # type: ignore[index]
    assert first == {
        "fields": {"str::email": "p0@example.no", "dtz:cm:last-order": "x"},
        "tags": ["Everyone"],
    }


# -- answers ---------------------------------------------------------------------------------------


def test_merge_outcomes_one_per_person_in_order() -> None:
    payload = {
        "people": [
            {"person_id": "006a", "status": "created"},
            {"person_id": "006b", "status": "merged"},
            {"status": "suppressed", "error": "Email is suppressed"},
            {"status": "invalid", "error": "failed to validate field int:cm:x"},
            {"status": "invalid"},
        ]
    }
    assert answers.merge_outcomes(payload, 5) == [
        answers.Outcome(True, "006a"),
        answers.Outcome(True, "006b"),
        answers.Outcome(False, "Email is suppressed"),
        answers.Outcome(False, "failed to validate field int:cm:x"),
        answers.Outcome(False, "Ortto answered invalid for this person"),
    ]


@pytest.mark.parametrize(
    "payload",
    [None, {}, [], {"people": {}}, {"people": [{"status": "created"}]}, {"people": [1, 2]}],
)
def test_merge_answers_of_another_shape_are_not_read(payload: object) -> None:
    assert answers.merge_outcomes(payload, 2) is None


def test_details_give_every_person_s_reason_or_nothing() -> None:
    details = [{"status": "suppressed", "error": "Email is suppressed"}, "bad  email"]
    payload = {"code": 400, "error": "No valid contacts provided", "details": details}
    assert answers.refused_outcomes(payload, 2) == [
        answers.Outcome(False, "Email is suppressed"),
        answers.Outcome(False, "bad email"),
    ]
    assert answers.refused_outcomes(payload, 3) is None
    assert answers.refused_outcomes({"details": [{"status": "created"}]}, 1) is None
    assert answers.refused_outcomes({"error": "x"}, 1) is None


def test_account_fields_and_a_created_field() -> None:
    listed = {
        "fields": [
            {"field": {"id": "int:cm:points", "name": "Points", "display_type": "integer"}},
            {"field": {"id": "str:cm:tier", "name": "Tier"}, "tracked_value": False},
        ]
    }
    fields = answers.account_fields(listed)
    assert fields == [
        answers.AccountField("int:cm:points", "Points", "integer"),
        answers.AccountField("str:cm:tier", "Tier", ""),
    ]
    assert answers.find_by_name(fields, " points ") == fields[0]
    assert answers.account_fields({"fields": [{"field": {"id": "nocolon", "name": "x"}}]}) is None
    assert answers.account_fields({}) is None
    made = {"name": "Points", "field_id": "int:cm:points", "display_type": "integer"}
    assert answers.created_field(made) == fields[0]
    assert answers.created_field({"name": "Points"}) is None


def test_try_in_seconds_from_the_body_then_retry_after() -> None:
    body = {"error": {"code": "rate-limit", "message": "rate limit", "try-in-seconds": 10}}
    assert answers.try_in_seconds(Reply(429, body, True)) == 10.0
    assert answers.try_in_seconds(Reply(429, {"error": {"try-in-seconds": "3"}}, True)) == 3.0
    assert answers.try_in_seconds(Reply(429, {"error": "x"}, True, retry_after="4")) == 4.0
    assert answers.try_in_seconds(Reply(429, None, True)) is None


# -- the bad-answer budget -------------------------------------------------------------------------


def test_only_4xx_other_than_429_are_bad() -> None:
    assert [is_bad(s) for s in (400, 401, 403, 404, 429, 500, 200, None)] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_the_budget_waits_for_the_window_once_it_is_spent() -> None:
    clock = FakeClock()
    budget = BadAnswerBudget(clock, limit=3, window=15.0)
    for _ in range(3):
        budget.admit(None)
        budget.done(400)
    assert budget.recent() == 3 and clock.sleeps == []
    budget.admit(None)  # waits until the first bad answer is 15 s old
    assert sum(clock.sleeps) == pytest.approx(15.0)
    budget.done(200)
    assert budget.recent() == 0


def test_requests_in_flight_count_against_the_budget() -> None:
    clock = FakeClock()
    budget = BadAnswerBudget(clock, limit=2, window=15.0)
    budget.admit(None)
    budget.admit(None)
    admitted = threading.Event()

    def third() -> None:
        budget.admit(None)
        admitted.set()

    waiter = threading.Thread(target=third)
    waiter.start()
    assert not admitted.wait(0.1), "two in flight: the third waits"
    budget.done(200)
    assert admitted.wait(2.0)
    waiter.join()


# -- the destination -------------------------------------------------------------------------------


def test_the_destination_s_words_and_defaults() -> None:
    assert destination_for("ortto") is ORTTO
    assert (ORTTO.service, ORTTO.label, ORTTO.name, ORTTO.audience_noun) == (
        "ortto",
        "Ortto",
        "Ortto",
        "tag",
    )
    assert (ORTTO.default_rate_limit, ORTTO.max_batch) == (10.0, 100)
    assert ORTTO.key_help().startswith("Make a key in Ortto under Data sources > Custom API")
    assert ORTTO.key_help().count(".") == 1


def test_regions_and_their_hosts() -> None:
    assert dict(ORTTO.regions) == {
        "global": "https://api.ap3api.com/v1",
        "au": "https://api.au.ap3api.com/v1",
        "eu": "https://api.eu.ap3api.com/v1",
    }
    assert ORTTO.base_url(None) == "https://api.ap3api.com/v1"
    assert ORTTO.base_url("AU") == "https://api.au.ap3api.com/v1"
    with pytest.raises(UsageError) as refused:
        ORTTO.base_url("us")
    assert "global, au, eu" in str(refused.value)


def test_requests_estimate_and_dry_run_audience() -> None:
    assert ORTTO.requests_estimate([250, 100, 0]) == 3 + 1 + 0 + 1
    assert ORTTO.dry_run_audience("  Everyone ") == "Everyone"


def test_audience_note_names_the_tags() -> None:
    assert ORTTO.audience_note({}) is None
    assert ORTTO.audience_note({"A": None}) is None
    one = ORTTO.audience_note({"Everyone": "Everyone"})
    assert one is not None and "'Tags has any of' 'Everyone'" in one
    two = ORTTO.audience_note({"Sweden": "Sweden", "Norway": "Norway", "Again": "Sweden"})
    assert two is not None and "'Sweden', 'Norway'" in two


def test_fields_to_create_judged_from_the_account_s_fields() -> None:
    mapping = Mapping(
        (
            FieldMapping("Email", "E"),
            FieldMapping("custom:integer:Loyalty Points", "P"),
            FieldMapping("custom:date:Last order", "D"),
            FieldMapping("custom:string:Tier", "T"),
        )
    )
    known = [
        CustomField("loyalty points", "integer", "int:cm:loyalty-points"),
        CustomField("Last-Order", "date", "dtz:cm:last-order"),
    ]
    assert ORTTO.fields_to_create(mapping, known) == ["Tier"]
    assert ORTTO.fields_to_create(mapping, []) == ["Loyalty Points", "Last order", "Tier"]
    assert ORTTO.fields_to_create(mapping, None) == []
