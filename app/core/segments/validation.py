"""Judging a segment against its source: problems in the user's words, or the rules made exact.

``check`` returns the segment as it will be saved (trimmed name, field names as the source spells
them, canonical operators, no value for the emptiness tests) together with the rules bound to the
source's physical columns, or the list of problems a person can fix.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.core.i18n import _, listed, number
from app.core.names import segment_name_too_long
from app.core.segments.days import DAY_OPS
from app.core.segments.models import MATCHES, OPS, VALUELESS_OPS, Match, Rule, Segment
from app.core.segments.ports import SourceInfo
from app.core.segments.sql import BoundRule
from app.core.segments.values import (
    LIST_SEPARATOR,
    MAX_DAYS,
    looks_like_date,
    parse_date,
    parse_days,
    split_in_list,
    trimmed,
)

# Spellings people type for the operators; the canonical name is what gets saved.
_ALIASES = {
    "=": "eq",
    "==": "eq",
    "!=": "ne",
    "<>": "ne",
    ">": "gt",
    ">=": "ge",
    "<": "lt",
    "<=": "le",
}
_NEEDS_VALUE = frozenset({"contains", "not-contains", "starts-with", "gt", "ge", "lt", "le"})
_SHOWN_COLUMNS = 30


@dataclass(frozen=True)
class Checked:
    """The segment as it would be saved; ``rules`` are exact only when ``problems`` is empty."""

    segment: Segment
    rules: tuple[BoundRule, ...]
    problems: tuple[str, ...]


def check(segment: Segment, source: SourceInfo) -> Checked:
    problems = name_problems(segment.name)
    match = canonical_match(segment.match)
    if match is None:
        problems.append(
            _("Match must be 'all' or 'any', not '{match}'.").format(match=segment.match)
        )
    rules: list[Rule] = []
    bound: list[BoundRule] = []
    for rule_no, rule in enumerate(segment.rules, start=1):
        clean, rule_problems = _check_rule(rule, source)
        problems.extend(
            _("Rule {number}: {problem}").format(number=rule_no, problem=problem)
            for problem in rule_problems
        )
        if not rule_problems:
            rules.append(clean)
            bound.append(BoundRule(source.physical_column(clean.field), clean.op, clean.value))
    canonical = replace(
        segment,
        name=segment.name.strip(),
        source=source.name,
        match=match or "all",
        rules=tuple(rules),
    )
    return Checked(canonical, tuple(bound), tuple(problems))


def name_problems(name: str) -> list[str]:
    if not name.strip():
        return [_("A segment needs a name.")]
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return [_("A segment name cannot contain line breaks, tabs or other control characters.")]
    too_long = segment_name_too_long(name)
    return [] if too_long is None else [too_long]


def canonical_match(text: str) -> Match | None:
    match = text.strip().lower()
    if match not in MATCHES:
        return None
    return "all" if match == "all" else "any"


def _check_rule(rule: Rule, source: SourceInfo) -> tuple[Rule, list[str]]:
    field = resolve_field(rule.field, source.columns)
    op = rule.op.strip().lower().replace("_", "-")
    op = _ALIASES.get(op, op)
    problems: list[str] = []
    if field is None:
        problems.append(_unknown_field(rule.field, source))
    if op not in OPS:
        problems.append(
            _("unknown operator '{op}'; use one of: {ops}.").format(op=rule.op, ops=", ".join(OPS))
        )
    else:
        problems.extend(_value_problems(op, rule.value))
    value = "" if op in VALUELESS_OPS else rule.value
    return Rule(field or rule.field, op, value), problems


def resolve_field(name: str, columns: tuple[str, ...]) -> str | None:
    """The column a rule means: exact, else trimmed, else the one that differs only in case."""
    for candidate in (name, name.strip()):
        if candidate in columns:
            return candidate
    folded = name.strip().casefold()
    matches = [column for column in columns if column.strip().casefold() == folded]
    return matches[0] if len(matches) == 1 else None


def _unknown_field(name: str, source: SourceInfo) -> str:
    if not name.strip():
        return _("a field is needed (a column of the source).")
    shown = listed(source.columns, _SHOWN_COLUMNS)
    return _("source '{source}' has no field '{name}'; its fields are: {fields}.").format(
        source=source.name, name=name, fields=shown
    )


def _value_problems(op: str, value: str) -> list[str]:
    text = trimmed(value)
    if op in DAY_OPS:
        return _days_problems(op, text)
    if op in _NEEDS_VALUE and not text:
        return [
            _(
                "'{op}' needs a value (use 'is-empty' or 'not-empty' to test for empty cells)."
            ).format(op=op)
        ]
    if op == "in" and not split_in_list(value):
        return [_("'in' needs a comma-separated list of values, such as 'NO, SE, DK'.")]
    if op == "in" and LIST_SEPARATOR in value:
        return [_("'in' values cannot contain the control character U+001F.")]
    if op in {"gt", "ge", "lt", "le"} and looks_like_date(text) and parse_date(text) is None:
        return [
            _("'{value}' is not a real date (dates are YYYY-MM-DD or DD.MM.YYYY).").format(
                value=text
            )
        ]
    return []


def _days_problems(op: str, text: str) -> list[str]:
    if not text:
        return [_("'{op}' needs a number of days, such as 90.").format(op=op)]
    if parse_days(text) is None:
        return [
            _(
                "'{op}' needs a whole number of days from 0 to {most}, such as 90; '{value}' is "
                "not one."
            ).format(op=op, most=number(MAX_DAYS), value=text)
        ]
    return []
