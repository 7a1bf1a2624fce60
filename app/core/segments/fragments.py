"""The building blocks of compiled rules: SQL pieces with their parameters, and the byte bounds
that let cheap comparisons pick out the few cells that need expensive work.

DuckDB compares strings bytewise (UTF-8), in code point order, which the bounds below rely on:

- a cell that starts with whitespace starts below ``!`` (ASCII whitespace) or inside one of the
  few blocks that hold the Unicode spaces (not among the letters: Æ, Ø, Å start no such range);
- a number or a date starts with a digit, a sign, a separator or whitespace: below ``:`` or at
  or above U+0080.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.segments.values import WHITESPACE_CLASS, like_escape

SPACE_LOW = "!"
NON_ASCII = "\x80"
DIGIT_LOW = ":"
W = WHITESPACE_CLASS
# Blocks holding the non-ASCII whitespace: Latin-1 symbols (NBSP, NEL), Ogham space, general
# punctuation (the typographic spaces), ideographic space. Wider than the spaces themselves, so
# a test against them picks out a few extra cells, never too few.
SPACE_BLOCKS = ((0x80, 0xC0), (0x1680, 0x1681), (0x2000, 0x2060), (0x3000, 0x3001))


@dataclass(frozen=True)
class Fragment:
    """A piece of SQL and the values for its ``?`` placeholders, in order."""

    sql: str
    params: tuple[object, ...] = ()


def negate(fragment: Fragment) -> Fragment:
    # Safe only because every rule fragment is true or false, never NULL.
    return Fragment(f"NOT ({fragment.sql})", fragment.params)


def may_start_with_space(c: str) -> Fragment:
    pieces: list[str | Fragment] = [f"({c} < ", param(SPACE_LOW)]
    for low, high in SPACE_BLOCKS:
        pieces += [f" OR ({c} >= ", param(chr(low)), f" AND {c} < ", param(chr(high)), ")"]
    return sql(*pieces, ")")


def cannot_be_numeric(c: str) -> Fragment:
    """True for cells that start with a letter or punctuation no number or date starts with."""
    return sql(f"({c} >= ", param(DIGIT_LOW), f" AND {c} < ", param(NON_ASCII), ")")


def param(value: object) -> Fragment:
    return Fragment("?", (value,))


def sql(*pieces: str | Fragment) -> Fragment:
    """SQL text and fragments joined in order, their parameters kept in the same order."""
    text: list[str] = []
    params: list[object] = []
    for piece in pieces:
        if isinstance(piece, Fragment):
            text.append(piece.sql)
            params.extend(piece.params)
        else:
            text.append(piece)
    return Fragment("".join(text), tuple(params))


def ilike(c: str, value: str, *, before: str = "", after: str = "") -> Fragment:
    """``c ILIKE before || value || after`` with ``value`` taken literally.

    ESCAPE only when the value holds a wildcard or a backslash: DuckDB optimises a plain ILIKE
    (equality, prefix, contains; dictionary-aware) but not ILIKE ... ESCAPE, which runs about
    ten times slower.
    """
    if any(char in value for char in "%_\\"):
        return sql(f"{c} ILIKE ", param(before + like_escape(value) + after), " ESCAPE '\\'")
    return sql(f"{c} ILIKE ", param(before + value + after))
