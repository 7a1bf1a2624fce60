"""auto_match: suggestions from realistic headers and, for Email, from sample contents."""

from __future__ import annotations

import pytest

from app.core.destinations.autopilot.fields import FIELDS
from app.core.mapping import Mapping, auto_match


def targets(mapping: Mapping) -> dict[str, str]:
    return mapping.to_cli_dict()


def test_norwegian_headers() -> None:
    columns = ["Kundenr", "Fornavn", "Etternavn", "E-post", "Mobil", "Postnummer", "Poststed"]
    assert targets(auto_match(columns, vocabulary=FIELDS)) == {
        "Email": "E-post",
        "FirstName": "Fornavn",
        "LastName": "Etternavn",
        "MobilePhone": "Mobil",
        "MailingCity": "Poststed",
        "MailingPostalCode": "Postnummer",
    }


def test_english_headers() -> None:
    columns = ["ID", "First Name", "Last Name", "E-mail", "Company", "Job Title", "Country"]
    assert targets(auto_match(columns, vocabulary=FIELDS)) == {
        "Email": "E-mail",
        "FirstName": "First Name",
        "LastName": "Last Name",
        "Company": "Company",
        "Title": "Job Title",
        "MailingCountry": "Country",
    }


def test_customer_insights_unified_profile_headers() -> None:
    columns = [
        "CustomerId",
        "PrimaryEmail",
        "FirstName",
        "LastName",
        "Address1_City",
        "Address1_PostalCode",
        "Telephone1",
        "MobilePhone",
        "owner_name",
    ]
    assert targets(auto_match(columns, vocabulary=FIELDS)) == {
        "Email": "PrimaryEmail",
        "FirstName": "FirstName",
        "LastName": "LastName",
        "Phone": "Telephone1",
        "MobilePhone": "MobilePhone",
        "MailingCity": "Address1_City",
        "MailingPostalCode": "Address1_PostalCode",
        "owner_name": "owner_name",
    }


@pytest.mark.parametrize(
    "header", ["email", "EMAIL", "E-Mail", "Email Address", "epost", "E-post", "mail", "e_mail"]
)
def test_email_header_variants(header: str) -> None:
    assert auto_match(["Navn", header], vocabulary=FIELDS).email_column() == header


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("first name", "last name"),
        ("firstname", "surname"),
        ("Fornavn", "Etternavn"),
        ("Given Name", "Family Name"),
        ("first_name", "last_name"),
    ],
)
def test_name_header_variants(first: str, last: str) -> None:
    result = targets(auto_match(["Email", first, last], vocabulary=FIELDS))
    assert result["FirstName"] == first
    assert result["LastName"] == last


def test_an_exact_email_name_wins_over_a_name_that_only_mentions_email() -> None:
    assert auto_match(["Email opt-in", "Email"], vocabulary=FIELDS).email_column() == "Email"


def test_a_column_mentioning_email_is_used_when_nothing_better() -> None:
    assert auto_match(["Name", "Work email"], vocabulary=FIELDS).email_column() == "Work email"


def test_email_by_content_when_no_header_says_so() -> None:
    columns = ["Navn", "Kontakt", "Telefon"]
    rows = [
        {"Navn": "Kari", "Kontakt": "kari@example.no", "Telefon": "+47 900 00 000"},
        {"Navn": "Ola", "Kontakt": " ola@firma.local ", "Telefon": ""},
        {"Navn": "Per", "Kontakt": "", "Telefon": "22 00 00 00"},
        {"Navn": "Åse", "Kontakt": "ikke oppgitt", "Telefon": ""},
    ]
    result = auto_match(columns, rows, vocabulary=FIELDS)
    assert result.email_column() == "Kontakt"
    assert targets(result) == {"Email": "Kontakt", "Phone": "Telefon"}


def test_a_named_column_whose_values_are_not_addresses_is_passed_over() -> None:
    columns = ["Email consent", "Address"]
    rows = [{"Email consent": "yes", "Address": "kari@example.no"}] * 3
    result = auto_match(columns, rows, vocabulary=FIELDS)
    assert result.email_column() == "Address"
    # The column that turned out to hold addresses is not also suggested as the street.
    assert "MailingStreet" not in targets(result)


def test_an_exact_name_with_empty_samples_is_still_believed() -> None:
    rows = [{"Email": "", "Other": "x"}]
    assert auto_match(["Email", "Other"], rows, vocabulary=FIELDS).email_column() == "Email"


def test_content_needs_a_majority() -> None:
    rows = [{"Notes": "see a@example.no"}, {"Notes": "b@example.no"}, {"Notes": "nothing"}]
    assert auto_match(["Notes"], rows, vocabulary=FIELDS).email_column() is None


def test_the_column_with_most_addresses_wins() -> None:
    rows = [
        {"A": "a@example.no", "B": "b@example.no"},
        {"A": "x", "B": "c@example.no"},
        {"A": "d@example.no", "B": "e@example.no"},
    ]
    assert auto_match(["A", "B"], rows, vocabulary=FIELDS).email_column() == "B"


def test_no_email_found_gives_a_mapping_without_email() -> None:
    result = auto_match(
        ["Fornavn", "Etternavn"], [{"Fornavn": "Kari", "Etternavn": "N"}], vocabulary=FIELDS
    )
    assert result.email_column() is None
    assert result.validate(["Fornavn", "Etternavn"], FIELDS) == [
        "Map a column to Email: it is required"
    ]


def test_consent_and_custom_fields_are_never_suggested() -> None:
    result = auto_match(
        ["Email", "unsubscribed", "Loyalty Points", "notify", "_autopilot_list"], vocabulary=FIELDS
    )
    assert targets(result) == {"Email": "Email"}


def test_each_column_and_target_is_used_once_and_the_result_is_valid() -> None:
    columns = ["Email", "email", "City", "Poststed", "Fornavn", "First Name"]
    result = auto_match(columns, vocabulary=FIELDS)
    assert targets(result) == {"Email": "Email", "FirstName": "First Name", "MailingCity": "City"}
    assert result.validate(columns, FIELDS) == []


def test_nothing_to_match() -> None:
    assert auto_match([], vocabulary=FIELDS) == Mapping(())
