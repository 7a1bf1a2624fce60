"""Coercion of custom field values and consent cells."""

from __future__ import annotations

import pytest

from app.core.mapping.values import (
    CONVERTERS,
    is_consent,
    to_boolean,
    to_date,
    to_float,
    to_integer,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("12,0", 12),
        ("12.0", 12),
        ("12.", 12),
        ("-7", -7),
        ("+7", 7),
        ("0", 0),
        ("0150", 150),
        ("9007199254740991", 2**53 - 1),
    ],
)
def test_integer_accepts(text: str, value: int) -> None:
    result = to_integer(text)
    assert result == value
    assert type(result) is int


@pytest.mark.parametrize(
    "text", ["12.5", "12,5", "abc", "1 000", "1.000,5", "1,000.5", "1.000.000", "1e3", "", "-", "."]
)
def test_integer_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not a whole number"):
        to_integer(text)


def test_integer_refuses_what_javascript_cannot_hold() -> None:
    with pytest.raises(ValueError, match="too large"):
        to_integer("9007199254740992")


@pytest.mark.parametrize(
    ("text", "value"),
    [("3,14", 3.14), ("3.14", 3.14), ("12", 12.0), ("-0,5", -0.5), (",5", 0.5), ("1e", None)],
)
def test_float(text: str, value: float | None) -> None:
    if value is None:
        with pytest.raises(ValueError, match="is not a number"):
            to_float(text)
    else:
        result = to_float(text)
        assert result == value
        assert type(result) is float


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity", "1 000,5", "1,000.5", "1e3", "x"])
def test_float_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        to_float(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("TRUE", True),
        ("Yes", True),
        ("ja", True),
        ("JA", True),
        ("1", True),
        ("false", False),
        ("No", False),
        ("nei", False),
        ("NEI", False),
        ("0", False),
    ],
)
def test_boolean(text: str, value: bool) -> None:
    assert to_boolean(text) is value


@pytest.mark.parametrize("text", ["x", "y", "n", "2", "maybe", "sant", "01"])
def test_boolean_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not a yes/no value"):
        to_boolean(text)


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("2026-11-29", "2026-11-29T00:00:00.000Z"),
        ("29.11.2026", "2026-11-29T00:00:00.000Z"),
        ("01.02.2026", "2026-02-01T00:00:00.000Z"),
        ("1.2.2026", "2026-02-01T00:00:00.000Z"),
        ("2024-02-29", "2024-02-29T00:00:00.000Z"),
        ("2026-11-29T10:15:30", "2026-11-29T10:15:30.000Z"),
        ("2026-11-29 10:15", "2026-11-29T10:15:00.000Z"),
        ("2026-11-29T10:15:30Z", "2026-11-29T10:15:30.000Z"),
        ("2026-11-29t10:15:30z", "2026-11-29T10:15:30.000Z"),
        ("2026-11-29T10:15:30.123456Z", "2026-11-29T10:15:30.123Z"),
        ("2026-11-29T10:15:30,5Z", "2026-11-29T10:15:30.500Z"),
        ("2026-11-29T10:15:30+01:00", "2026-11-29T09:15:30.000Z"),
        ("2026-11-29T00:30:00+01:00", "2026-11-28T23:30:00.000Z"),
        ("2026-11-29T23:30:00-0200", "2026-11-30T01:30:00.000Z"),
        ("2026-11-29T10:00:00+05", "2026-11-29T05:00:00.000Z"),
        ("0999-01-01", "0999-01-01T00:00:00.000Z"),
    ],
)
def test_date(text: str, sent: str) -> None:
    assert to_date(text) == sent


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "2025-02-29",
        "31.04.2026",
        "29/11/2026",
        "11/29/2026",
        "20261129",
        "2026-W48-1",
        "2026-11",
        "29.11.26",
        "2026-11-29T25:00",
        "2026-11-29T10:00+25:00",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:30:00-01:00",
        "0000-01-01",
        "yesterday",
    ],
)
def test_date_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        to_date(text)


def test_every_custom_type_has_a_converter() -> None:
    assert set(CONVERTERS) == {"string", "integer", "float", "date", "boolean"}
    assert CONVERTERS["string"]("Blå") == "Blå"


@pytest.mark.parametrize("text", ["true", "YES", "Ja", "1", "x", "X", " x "])
def test_consent_truthy(text: str) -> None:
    assert is_consent(text) is True


@pytest.mark.parametrize("text", ["", " ", "false", "no", "nei", "0", "garbage", "xx", "2"])
def test_consent_anything_else_says_nothing(text: str) -> None:
    assert is_consent(text) is False
