"""FieldMapping: parsing --map specs, payload keys and labels."""

from __future__ import annotations

import pytest

from app.core.destinations.autopilot.encoding import custom_key
from app.core.destinations.autopilot.fields import FIELDS, RESERVED_TARGETS, STANDARD_FIELDS
from app.core.errors import UsageError
from app.core.mapping import (
    CONSENT_TARGET,
    CUSTOM_TYPES,
    FieldMapping,
)


def test_standard_fields_are_autopilots_list_in_order() -> None:
    assert STANDARD_FIELDS[:3] == ("Email", "FirstName", "LastName")
    assert len(STANDARD_FIELDS) == 22
    assert STANDARD_FIELDS[-1] == "owner_name"
    assert CUSTOM_TYPES == ("string", "integer", "float", "date", "boolean")
    assert CONSENT_TARGET == "unsubscribed"


@pytest.mark.parametrize(
    ("spec", "target", "column"),
    [
        ("Email=PrimaryEmail", "Email", "PrimaryEmail"),
        ("FirstName=First name", "FirstName", "First name"),
        ("firstname=Fornavn", "FirstName", "Fornavn"),
        ("OWNER_NAME=Owner", "owner_name", "Owner"),
        ("unsubscribed=Opted out", "unsubscribed", "Opted out"),
        ("custom:integer:Loyalty Points=Pts", "custom:integer:Loyalty Points", "Pts"),
        ("Custom:Integer:Loyalty Points=Pts", "custom:integer:Loyalty Points", "Pts"),
        (" Email = Primary Email ", "Email", "Primary Email"),
        ("custom:string:Favourite Colour =Colour", "custom:string:Favourite Colour", "Colour"),
    ],
)
def test_parse_accepts_good_specs(spec: str, target: str, column: str) -> None:
    assert FieldMapping.parse(spec, FIELDS) == FieldMapping(target, column)


def test_the_autopilot_side_ends_at_the_first_equals_sign() -> None:
    parsed = FieldMapping.parse("custom:string:Score Band=a=b", FIELDS)
    assert parsed.target == "custom:string:Score Band"
    assert parsed.column == "a=b"


def test_custom_name_may_contain_colons_and_spaces() -> None:
    parsed = FieldMapping.parse("custom:date:Last order: web shop=Dato", FIELDS)
    assert parsed.custom_type == "date"
    assert parsed.custom_name == "Last order: web shop"


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("PrimaryEmail", ["no '='", "AUTOPILOT_FIELD=COLUMN"]),
        ("Email=", ["names no column"]),
        ("Email=   ", ["names no column"]),
        ("=PrimaryEmail", ["names no Autopilot field"]),
        ("FirstNme=Fornavn", ["Unknown Autopilot field 'FirstNme'", "did you mean 'FirstName'"]),
        ("Emial=x", ["did you mean 'Email'"]),
        ("Zodiac=x", ["Unknown Autopilot field 'Zodiac'", "custom:TYPE:Name"]),
        ("custom:money:Spend=x", ["Unknown custom field type 'money'", *CUSTOM_TYPES]),
        ("custom:integer:=x", ["has no name"]),
        ("custom:integer:   =x", ["has no name"]),
        ("custom:integer=x", ["has no name"]),
        ("_autopilot_list=ListColumn", ["'_autopilot_list' cannot be mapped"]),
        ("_NewEmail=Other", ["'_NewEmail' cannot be mapped"]),
        ("notify=Flag", ["'notify' cannot be mapped"]),
    ],
)
def test_parse_refuses_bad_specs_with_a_clear_message(spec: str, words: list[str]) -> None:
    with pytest.raises(UsageError) as caught:
        FieldMapping.parse(spec, FIELDS)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_reserved_targets_are_the_ones_the_exporter_owns() -> None:
    assert set(RESERVED_TARGETS) == {"_autopilot_list", "_NewEmail", "notify"}


@pytest.mark.parametrize(
    ("target", "key"),
    [
        ("Email", "Email"),
        ("FirstName", "FirstName"),
        ("unsubscribed", "unsubscribed"),
        ("custom:integer:Loyalty Points", "integer--Loyalty--Points"),
        ("custom:string:Favourite Colour", "string--Favourite--Colour"),
        ("custom:boolean:VIP", "boolean--VIP"),
        ("custom:date:A  B", "date--A----B"),
    ],
)
def test_payload_key(target: str, key: str) -> None:
    """The key Autopilot's payload gives a target (custom fields inside ``custom``)."""
    payload_key = custom_key(target) if FieldMapping(target, "col").is_custom else target
    assert payload_key == key


def test_custom_properties() -> None:
    field = FieldMapping("custom:integer:Loyalty Points", "Pts")
    assert field.is_custom
    assert field.custom_type == "integer"
    assert field.custom_name == "Loyalty Points"
    assert field.label == "Loyalty Points (custom, integer)"


def test_a_custom_fields_type_is_named_in_the_readers_language(norwegian: str) -> None:
    # The keywords are what --map takes; a Norwegian window names the kind of value instead.
    labels = [FieldMapping(f"custom:{kind}:Poeng", "Pts").label for kind in CUSTOM_TYPES]
    assert labels == [
        "Poeng (egendefinert, tekst)",
        "Poeng (egendefinert, heltall)",
        "Poeng (egendefinert, desimaltall)",
        "Poeng (egendefinert, dato)",
        "Poeng (egendefinert, ja/nei)",
    ]


def test_standard_properties() -> None:
    field = FieldMapping("MailingCity", "By")
    assert not field.is_custom
    assert field.custom_type is None
    assert field.custom_name is None
    assert field.label == "MailingCity"
    assert "unsubscribed" in FieldMapping(CONSENT_TARGET, "x").label


def test_target_problem_flags_targets_not_written_canonically() -> None:
    assert FieldMapping("FirstName", "x").target_problem(FIELDS) is None
    assert "'FirstName'" in (FieldMapping("firstname", "x").target_problem(FIELDS) or "")
    assert "cannot be mapped" in (FieldMapping("notify", "x").target_problem(FIELDS) or "")
