"""The model the property-based fault tests check the export against.

A scenario is a population of customers over a few weeks (some leave, some change, some rows are
invalid or duplicates), segments that overlap, and for every week a mix of faults. From the
week's rows alone, without asking the app, the model says which (segment, email) pairs a run
must send, which leave, and what the destination must hold afterwards. What the destination
holds is read from the test server's own store; what it confirmed, from its request log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.core.export.ledger import contact_hash
from app.core.mapping import Contact, ContactBuilder, FieldMapping, Mapping
from app.core.segments import Rule, Segment
from tests.integration.exporting import HEADER
from tests.support.simkit.faults import COMMIT_TIMEOUT, HUGE, SLOW, TRICKLE

MAPPING = Mapping(
    fields=(
        FieldMapping("Email", "PrimaryEmail"),
        FieldMapping("FirstName", "FirstName"),
        FieldMapping("custom:integer:Loyalty Points", "Points"),
    )
)
SEGMENTS = {
    "Everyone": Segment("Everyone", "Customers", "all", ()),
    "Sweden": Segment("Sweden", "Customers", "all", (Rule("Country", "eq", "se"),)),
    "Top": Segment("Top", "Customers", "all", (Rule("Points", "ge", "500"),)),
}
# Faults after which the server applied the request although the client never heard the answer.
UNHEARD = frozenset({SLOW, COMMIT_TIMEOUT, TRICKLE, HUGE})

Pair = tuple[str, str]  # (segment, email key)


@dataclass(frozen=True)
class Row:
    number: int
    email: str
    first: str
    country: str
    points: int

    @property
    def key(self) -> str:
        return self.email.strip().lower()

    @property
    def valid(self) -> bool:
        return "@" in self.email

    def line(self) -> str:
        cells = (self.number, self.first, f"Last{self.number}", self.email, self.country)
        return ";".join(map(str, (*cells, self.points)))

    def contact(self) -> Contact:
        values = {"PrimaryEmail": self.email, "FirstName": self.first, "Points": str(self.points)}
        built = ContactBuilder(MAPPING).build(values)
        assert isinstance(built, Contact), built
        return built

    def in_segment(self, segment: str) -> bool:
        if segment == "Sweden":
            return self.country == "SE"
        if segment == "Top":
            return self.points >= 500
        return True


def csv_text(rows: Iterable[Row]) -> str:
    return "\n".join([HEADER, *(row.line() for row in rows)]) + "\n"


@dataclass
class Week:
    """One week's rows as the model sees them, segment by segment."""

    rows: list[Row]
    segments: tuple[str, ...]

    def members(self, segment: str) -> list[Row]:
        return [row for row in self.rows if row.in_segment(segment)]

    def first_valid(self, segment: str) -> dict[str, Row]:
        """Email key -> the first row with a valid email (later ones are duplicates)."""
        chosen: dict[str, Row] = {}
        for row in self.members(segment):
            if row.valid:
                chosen.setdefault(row.key, row)
        return chosen

    def keys(self, segment: str) -> set[str]:
        """Every email key a row of the segment has (invalid ones too: they did not leave)."""
        return {row.key for row in self.members(segment)}

    def planned(self) -> int:
        return sum(len(self.members(s)) for s in self.segments)

    def invalid(self) -> int:
        return sum(1 for s in self.segments for row in self.members(s) if not row.valid)

    def duplicates(self) -> int:
        valid = sum(1 for s in self.segments for row in self.members(s) if row.valid)
        return valid - sum(len(self.first_valid(s)) for s in self.segments)

    def hashes(self) -> dict[Pair, str]:
        return {
            (s, key): contact_hash(row.contact(), s)
            for s in self.segments
            for key, row in self.first_valid(s).items()
        }

    def values(self) -> dict[str, tuple[str, int]]:
        """What the destination must hold for each person sent this week: (first name, points)."""
        values: dict[str, tuple[str, int]] = {}
        for s in self.segments:
            for key, row in self.first_valid(s).items():
                values[key] = (row.first, row.points)
        return values


@dataclass
class Expected:
    """What the destination holds, as far as the model can know it, carried across weeks."""

    ledger: dict[Pair, str] = field(default_factory=dict)
    values: dict[str, tuple[str, int]] = field(default_factory=dict)
    # Applied by the server without the client hearing the answer, and not confirmed since:
    # the server may hold these with or without the change.
    unsure_members: set[Pair] = field(default_factory=set)
    unsure_values: set[str] = field(default_factory=set)


# -- what the servers confirmed and hold ------------------------------------------------------


def autopilot_sends(request: Any) -> list[tuple[str, str]]:
    """(list id, email key) of every contact a bulk upsert carried."""
    if request.method != "POST" or request.path != "/contacts" or not request.body:
        return []
    return [
        (str(c.get("_autopilot_list")), str(c["Email"]).strip().lower())
        for c in request.body.get("contacts", [])
    ]


def ortto_sends(request: Any) -> list[tuple[str, str, str | None]]:
    """(tag, email key, status in the answer or None) of every person a merge set a tag on;
    removals (``unset_tags``) are (tag, email key, "-tag")."""
    if request.path != "/person/merge" or not isinstance(request.body, dict):
        return []
    out: list[tuple[str, str, str | None]] = []
    for person in request.body.get("people", []):
        key = str(person["fields"]["str::email"]).strip().lower()
        for tag in person.get("tags") or []:
            out.append((tag, key, None))
        for tag in person.get("unset_tags") or []:
            out.append((tag, key, "-tag"))
    return out


def autopilot_values(sim: Any) -> dict[str, tuple[str, int]]:
    return {
        key: (str(c["fields"].get("FirstName")), int(c["custom"]["integer--Loyalty--Points"]))
        for key, c in sim.contacts().items()
    }


def ortto_values(sim: Any) -> dict[str, tuple[str, int]]:
    return {
        key: (str(p["fields"].get("str::first")), int(p["fields"]["int:cm:loyalty-points"]))
        for key, p in sim.people().items()
    }
