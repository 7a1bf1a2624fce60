"""What a segment is: a source plus rules, and the members it selects.

These are plain values: they do not know where they are stored or how they are evaluated, so the
window can edit an unsaved segment and ask for its live count with the same objects the CLI saves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

OPS: tuple[str, ...] = (
    "eq",
    "ne",
    "contains",
    "not-contains",
    "starts-with",
    "gt",
    "ge",
    "lt",
    "le",
    "is-empty",
    "not-empty",
    "in",
    "within-days",
    "older-than-days",
)
MATCHES: tuple[str, ...] = ("all", "any")
Match = Literal["all", "any"]

# The emptiness tests take no value; the CLI passes "" for it (DESIGN.md section 4).
VALUELESS_OPS = frozenset({"is-empty", "not-empty"})


@dataclass(frozen=True)
class Rule:
    """``field op value``: the field is a column name as the user sees it in the source."""

    field: str
    op: str
    value: str = ""

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "op": self.op, "value": self.value}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Rule:
        return cls(str(data["field"]), str(data["op"]), str(data.get("value", "")))


@dataclass(frozen=True)
class Segment:
    """Rows of one source that pass the rules; no rules means the whole file."""

    name: str
    source: str
    match: Match = "all"
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def to_json(self, members: int | None = None) -> dict[str, object]:
        """The object ``segment list --json`` prints (DESIGN.md section 4)."""
        return {
            "name": self.name,
            "source": self.source,
            "match": self.match,
            "rules": [rule.to_json() for rule in self.rules],
            "members": members,
        }

    @classmethod
    def build(
        cls, name: str, source: str, rules: Sequence[Rule] = (), match: str = "all"
    ) -> Segment:
        """A segment from loose input (CLI arguments, form fields); validate() judges it."""
        return cls(name, source, cast(Match, match), tuple(rules))


@dataclass(frozen=True)
class Member:
    """One row of a segment: its 1-based record number and cells ('' for an empty cell)."""

    row_number: int
    values: dict[str, str]
