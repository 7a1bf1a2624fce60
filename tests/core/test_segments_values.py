"""How a rule's VALUE is read: numbers, dates, `in` lists, whitespace."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.segments.fragments import SPACE_BLOCKS, SPACE_LOW
from app.core.segments.values import (
    WHITESPACE,
    like_escape,
    looks_like_date,
    parse_date,
    parse_number,
    split_in_list,
)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("150", 150.0),
        ("0150", 150.0),
        ("1,5", 1.5),
        ("1.5", 1.5),
        ("-2,25", -2.25),
        ("+4", 4.0),
        (",5", 0.5),
        (" 7 ", 7.0),
        ("\xa08\t", 8.0),
    ],
)
def test_numbers_take_a_point_or_a_comma(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    "text", ["", "abc", "1.000,5", "1,000.5", "1 000", "1e3", "inf", "nan", "5.", "--1", "1_000"]
)
def test_other_text_is_not_a_number(text: str) -> None:
    assert parse_number(text) is None


def test_dates_in_both_forms() -> None:
    assert parse_date("2024-02-01") == date(2024, 2, 1)
    assert parse_date(" 01.02.2024 ") == date(2024, 2, 1)
    assert parse_date("2024-02-30") is None
    assert looks_like_date("2024-02-30")
    for text in ("1.2.2024", "2024-2-1", "2024-02-01T10:00", "20240201", "01/02/2024"):
        assert parse_date(text) is None
        assert not looks_like_date(text)


def test_in_lists_split_on_unescaped_commas_and_trim_items() -> None:
    assert split_in_list("NO, SE ,DK") == ("NO", "SE", "DK")
    assert split_in_list(r"Oslo\, Norway, Bergen") == ("Oslo, Norway", "Bergen")
    assert split_in_list("a,,b, ,") == ("a", "b")
    assert split_in_list("a, a") == ("a",)
    assert split_in_list(" , ") == ()


def test_like_escape_makes_wildcards_literal() -> None:
    assert like_escape(r"50%_off\x") == r"50\%\_off\\x"


def test_whitespace_is_what_str_strip_removes_but_the_separator_controls() -> None:
    assert "\xa0" in WHITESPACE and "\u3000" in WHITESPACE and "\t" in WHITESPACE
    assert "x" not in WHITESPACE and "\u200b" not in WHITESPACE
    assert not set("\x1c\x1d\x1e\x1f") & set(WHITESPACE)
    assert (WHITESPACE + "x" + WHITESPACE).strip() == "x"
    assert parse_number("\x1c5") is None


def test_every_whitespace_character_is_inside_the_blocks_the_sql_tests_for() -> None:
    for char in WHITESPACE:
        code = ord(char)
        assert code < ord(SPACE_LOW) or any(low <= code < high for low, high in SPACE_BLOCKS)


def test_whitespace_is_what_str_isspace_says_except_the_separators() -> None:
    from app.core.segments.values import WHITESPACE

    expected = "".join(
        c for c in map(chr, range(0x110000)) if c.isspace() and c not in "\x1c\x1d\x1e\x1f"
    )
    assert expected == WHITESPACE
