"""Mapping: validation against a source's columns, storage and the CLI dict."""

from __future__ import annotations

import json

import pytest

from app.core.destinations.autopilot.fields import FIELDS
from app.core.errors import UsageError
from app.core.mapping import FieldMapping, Mapping

COLUMNS = ("CustomerId", "PrimaryEmail", "Fornavn", "Etternavn", "Pts", "Opted out")


def make(*specs: str) -> Mapping:
    return Mapping.from_specs(specs, FIELDS)


def test_a_good_mapping_has_no_problems() -> None:
    mapping = make("Email=PrimaryEmail", "FirstName=Fornavn", "custom:integer:Loyalty Points=Pts")
    assert mapping.validate(COLUMNS, FIELDS) == []
    assert mapping.email_column() == "PrimaryEmail"


def test_email_is_required() -> None:
    mapping = make("FirstName=Fornavn")
    assert mapping.email_column() is None
    assert mapping.validate(COLUMNS, FIELDS) == ["Map a column to Email: it is required"]
    assert Mapping(()).validate(COLUMNS, FIELDS) == ["Map a column to Email: it is required"]


def test_a_column_not_in_the_source_is_named_with_the_columns_listed() -> None:
    problems = make("Email=PrimaryEmail", "LastName=Surname").validate(COLUMNS, FIELDS)
    assert len(problems) == 1
    assert "'Surname'" in problems[0]
    assert "LastName" in problems[0]
    for column in COLUMNS:
        assert repr(column) in problems[0]


def test_a_near_miss_column_is_suggested() -> None:
    problems = make("Email=primaryemail").validate(COLUMNS, FIELDS)
    assert "did you mean 'PrimaryEmail'?" in problems[0]


def test_a_long_column_list_is_shortened() -> None:
    columns = ["Email"] + [f"c{i}" for i in range(40)]
    problems = make("Email=Email", "FirstName=Missing").validate(columns, FIELDS)
    assert "and 16 more" in problems[0]
    assert "'c39'" not in problems[0]


def test_the_same_target_twice_is_a_problem() -> None:
    problems = make("Email=PrimaryEmail", "FirstName=Fornavn", "firstname=Etternavn").validate(
        COLUMNS, FIELDS
    )
    assert problems == [
        "FirstName is mapped more than once (from 'Fornavn', 'Etternavn'): keep one"
    ]


def test_email_twice_is_a_problem() -> None:
    problems = make("Email=PrimaryEmail", "Email=CustomerId").validate(COLUMNS, FIELDS)
    assert len(problems) == 1
    assert "Email is mapped more than once" in problems[0]


def test_one_column_may_feed_two_targets() -> None:
    mapping = make("Email=PrimaryEmail", "FirstName=Fornavn", "Salutation=Fornavn")
    assert mapping.validate(COLUMNS, FIELDS) == []
    assert mapping.columns() == ("PrimaryEmail", "Fornavn")


def test_custom_fields_autopilot_would_merge_are_a_problem() -> None:
    same_name = make("Email=PrimaryEmail", "custom:integer:Points=Pts", "custom:string:Points=Pts")
    problems = same_name.validate(COLUMNS, FIELDS)
    assert len(problems) == 1
    assert "are one field at the destination" in problems[0]
    dashes = make("Email=PrimaryEmail", "custom:string:A B=Pts", "custom:string:A--B=Fornavn")
    assert len(dashes.validate(COLUMNS, FIELDS)) == 1


def test_fields_built_by_hand_are_checked_too() -> None:
    mapping = Mapping(
        (
            FieldMapping("Email", "PrimaryEmail"),
            FieldMapping("custom:integer:", "Pts"),
            FieldMapping("custom:money:Spend", "Pts"),
            FieldMapping("_autopilot_list", "Pts"),
            FieldMapping("Nickname", "Fornavn"),
            FieldMapping("LastName", " "),
        )
    )
    problems = mapping.validate(COLUMNS, FIELDS)
    assert len(problems) == 5
    assert "has no name" in problems[0]
    assert "Unknown custom field type 'money'" in problems[1]
    assert "cannot be mapped" in problems[2]
    assert "Unknown Autopilot field 'Nickname'" in problems[3]
    assert problems[4] == "LastName has no source column: choose one"


def test_columns_are_unique_and_in_order() -> None:
    mapping = make("Email=PrimaryEmail", "LastName=Etternavn", "Company=PrimaryEmail")
    assert mapping.columns() == ("PrimaryEmail", "Etternavn")


def test_json_round_trip_through_text() -> None:
    mapping = make("Email=PrimaryEmail", "custom:integer:Loyalty Points=Pts", "unsubscribed=x")
    stored = json.dumps(mapping.to_json())
    assert Mapping.from_json(json.loads(stored)) == mapping
    assert mapping.to_json()[1] == {"target": "custom:integer:Loyalty Points", "column": "Pts"}


@pytest.mark.parametrize(
    "data", [None, {"Email": "x"}, [{"target": "Email"}], [{"target": 1, "column": "x"}], ["x"]]
)
def test_damaged_json_is_a_usage_error(data: object) -> None:
    with pytest.raises(UsageError, match="damaged"):
        Mapping.from_json(data)


def test_cli_dict_matches_the_export_list_contract() -> None:
    mapping = make("Email=PrimaryEmail", "FirstName=Fornavn", "custom:integer:Loyalty Points=Pts")
    assert mapping.to_cli_dict() == {
        "Email": "PrimaryEmail",
        "FirstName": "Fornavn",
        "custom:integer:Loyalty Points": "Pts",
    }


def test_from_specs_stops_at_a_bad_spec() -> None:
    with pytest.raises(UsageError, match="Unknown Autopilot field"):
        make("Email=PrimaryEmail", "Nope=x")
