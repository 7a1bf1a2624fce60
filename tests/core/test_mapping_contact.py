"""Building contacts from rows: email rules, omitted empties, custom values and consent.

What a contact becomes is checked in Autopilot's payload, the form these rules were written for.
"""

from __future__ import annotations

import pytest

from app.core.destinations.autopilot.encoding import LIST_FIELD, encode
from app.core.destinations.autopilot.fields import FIELDS
from app.core.errors import UsageError
from app.core.mapping import (
    Contact,
    ContactBuilder,
    EmailChecker,
    InvalidRow,
    Mapping,
    build_contact,
    email_key,
    emails,
)

FULL = Mapping.from_specs(
    [
        "Email=E-post",
        "FirstName=Fornavn",
        "LastName=Etternavn",
        "MailingCity=By",
        "NumberOfEmployees=Ansatte",
        "custom:integer:Loyalty Points=Poeng",
        "custom:float:Spend=Sum",
        "custom:boolean:VIP=Vip",
        "custom:date:Last Order=Dato",
        "custom:string:Favourite Colour=Farge",
    ],
    FIELDS,
)


def payload(contact: Contact) -> dict[str, object]:
    """The contact as Autopilot gets it, without the list the engine adds."""
    body = encode(contact, "list")
    del body[LIST_FIELD]
    return body


def sent(mapping: Mapping, **values: str) -> dict[str, object]:
    result = build_contact(mapping, values)
    assert isinstance(result, Contact), result
    return payload(result)


def invalid(mapping: Mapping, **values: str) -> InvalidRow:
    result = build_contact(mapping, values)
    assert isinstance(result, InvalidRow), result
    return result


EMAIL_ONLY = Mapping.from_specs(["Email=mail"], FIELDS)
CONSENT = Mapping.from_specs(["Email=mail", "unsubscribed=Reservert"], FIELDS)


def test_a_full_row() -> None:
    row = {
        "E-post": "  Kari.Nordmann@Example.NO ",
        "Fornavn": " Kari ",
        "Etternavn": "Nordmann",
        "By": "Tromsø",
        "Ansatte": " 250 ",
        "Poeng": "1200",
        "Sum": "1234,50",
        "Vip": "Ja",
        "Dato": "29.11.2026",
        "Farge": " blå ",
        "Unmapped": "never sent",
    }
    result = build_contact(FULL, row)
    assert isinstance(result, Contact)
    assert result.email_key == "kari.nordmann@example.no"
    assert payload(result) == (
        {
            "Email": "Kari.Nordmann@Example.NO",
            "FirstName": "Kari",
            "LastName": "Nordmann",
            "MailingCity": "Tromsø",
            "NumberOfEmployees": "250",
            "custom": {
                "integer--Loyalty--Points": 1200,
                "float--Spend": 1234.5,
                "boolean--VIP": True,
                "date--Last--Order": "2026-11-29T00:00:00.000Z",
                "string--Favourite--Colour": "blå",
            },
        }
    )


def test_the_address_is_sent_as_written_not_normalised() -> None:
    # email-validator would lower-case the domain; what the file said is what Autopilot gets.
    assert sent(EMAIL_ONLY, mail="Ola@EKSEMPEL.no")["Email"] == "Ola@EKSEMPEL.no"


def test_unicode_addresses_are_valid_and_keyed_lower_case() -> None:
    result = build_contact(EMAIL_ONLY, {"mail": " Åse.Øye@Fjellstue.NO\t"})
    assert isinstance(result, Contact)
    assert result.email_key == "åse.øye@fjellstue.no"
    assert payload(result) == {"Email": "Åse.Øye@Fjellstue.NO"}
    assert email_key(" Åse.Øye@Fjellstue.NO\t") == "åse.øye@fjellstue.no"


@pytest.mark.parametrize("cell", ["", "   ", "\t"])
def test_empty_email_is_invalid(cell: str) -> None:
    assert invalid(EMAIL_ONLY, mail=cell) == InvalidRow("", "Email is empty")


def test_missing_email_cell_is_empty() -> None:
    assert build_contact(EMAIL_ONLY, {}) == InvalidRow("", "Email is empty")


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("kari@printer.local", "special-use or reserved name"),
        ("kari@example.test", "special-use or reserved name"),
        ("kari.example.no", "@-sign"),
        ("kari@@example.no", "@-sign"),
        ("kari nordmann@example.no", "invalid characters"),
        ("kari@localhost", "should have a period"),
        ("kari..n@example.no", "two periods in a row"),
    ],
)
def test_invalid_email_reason_carries_email_validators_message(cell: str, message: str) -> None:
    row = invalid(EMAIL_ONLY, mail=f" {cell} ")
    assert row.email == cell
    assert row.reason.startswith("Email is not valid: ")
    assert message in row.reason


def test_empty_values_are_not_sent() -> None:
    contact = sent(FULL, **{"E-post": "a@example.no", "Fornavn": "  ", "Poeng": "", "Vip": " "})
    assert contact == {"Email": "a@example.no"}
    assert "custom" not in contact


def test_custom_key_present_only_with_a_value() -> None:
    contact = sent(FULL, **{"E-post": "a@example.no", "Vip": "nei"})
    assert contact == {"Email": "a@example.no", "custom": {"boolean--VIP": False}}


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("Poeng", "abc", "Loyalty Points: 'abc' is not a whole number"),
        ("Poeng", "12.5", "Loyalty Points: '12.5' is not a whole number"),
        ("Sum", "1.234,50", "Spend: '1.234,50' is not a number"),
        ("Vip", "kanskje", "VIP: 'kanskje' is not a yes/no value"),
        ("Dato", "30.02.2026", "Last Order: '30.02.2026' is not a date"),
    ],
)
def test_a_bad_custom_value_makes_the_row_invalid(column: str, cell: str, reason: str) -> None:
    row = invalid(FULL, **{"E-post": " a@example.no ", column: f" {cell} "})
    assert row.email == "a@example.no"
    assert row.reason.startswith(reason)


def test_every_bad_value_of_a_row_is_named() -> None:
    row = invalid(FULL, **{"E-post": "a@example.no", "Poeng": "x", "Dato": "y"})
    assert row.reason.count(";") == 1
    assert "Loyalty Points" in row.reason
    assert "Last Order" in row.reason


def test_a_long_bad_value_is_shortened_in_the_reason() -> None:
    row = invalid(FULL, **{"E-post": "a@example.no", "Poeng": "9" * 30 + "x" * 100})
    assert len(row.reason) < 100
    assert "..." in row.reason


def test_an_invalid_email_is_reported_before_values() -> None:
    row = invalid(FULL, **{"E-post": "nope", "Poeng": "x"})
    assert row.reason.startswith("Email is not valid")


@pytest.mark.parametrize("cell", ["true", "YES", "ja", "1", "x", " X "])
def test_consent_truthy_sends_unsubscribed_true(cell: str) -> None:
    contact = sent(CONSENT, mail="a@example.no", Reservert=cell)
    assert contact["unsubscribed"] is True


@pytest.mark.parametrize("cell", ["false", "no", "nei", "0", "", "  ", "garbage"])
def test_consent_never_sends_false(cell: str) -> None:
    contact = sent(CONSENT, mail="a@example.no", Reservert=cell)
    assert "unsubscribed" not in contact
    assert False not in contact.values()


def test_unsubscribed_is_never_sent_without_a_consent_mapping() -> None:
    contact = sent(EMAIL_ONLY, mail="a@example.no", unsubscribed="true")
    assert "unsubscribed" not in contact


def test_builder_refuses_a_mapping_with_problems() -> None:
    with pytest.raises(UsageError, match="Map a column to Email"):
        ContactBuilder(Mapping.from_specs(["FirstName=x"], FIELDS))


def test_builder_is_reusable_and_results_are_independent() -> None:
    builder = ContactBuilder(FULL)
    first = builder.build({"E-post": "a@example.no", "Poeng": "1"})
    second = builder.build({"E-post": "b@example.no", "Poeng": "2"})
    assert isinstance(first, Contact)
    assert isinstance(second, Contact)
    assert payload(first)["custom"] == {"integer--Loyalty--Points": 1}
    assert payload(second)["custom"] == {"integer--Loyalty--Points": 2}


def test_builder_checks_each_address_once_within_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked: list[str] = []
    real = emails.checked_email

    def counting(address: str) -> tuple[str | None, str]:
        checked.append(address)
        return real(address)

    monkeypatch.setattr(emails, "checked_email", counting)
    builder = ContactBuilder(EMAIL_ONLY, emails=EmailChecker(max_entries=2))
    results = [builder.build({"mail": cell}) for cell in ("a@example.no", "bad", "a@example.no")]
    results += [builder.build({"mail": cell}) for cell in ("bad", "c@example.no", "c@example.no")]
    assert checked == ["a@example.no", "bad", "c@example.no", "c@example.no"]
    assert [type(r) for r in results] == [Contact, InvalidRow] * 2 + [Contact] * 2
