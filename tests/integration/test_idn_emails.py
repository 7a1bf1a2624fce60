"""An address with an internationalized domain reaches both destinations in its ASCII (IDNA)
form, the same mailbox every mail server understands; everything else is sent as written."""

from __future__ import annotations

from typing import Any

from app.core.cancel import CancelToken
from app.core.connections import Connection
from app.core.destinations import Limits
from app.core.destinations.autopilot import AutopilotClient
from app.core.destinations.autopilot.fields import FIELDS
from app.core.destinations.ortto import ORTTO
from app.core.mapping import Mapping
from app.core.mapping.contact import Contact, ContactBuilder, InvalidRow
from app.core.store import utc_now
from tests.integration.ortto_world import ORTTO_KEY
from tests.support.autopilot_sim import AutopilotSimulator

ROWS = [
    {"Email": " kari@bjørn.no ", "First": "Kari"},  # the domain has an ASCII form
    {"Email": "Ola@Ærlig.Example.NO", "First": "Ola"},
    {"Email": "per@example.no", "First": "Per"},  # ASCII: sent exactly as written
]
SENT = ["kari@xn--bjrn-hra.no", "Ola@xn--rlig-uoa.example.no", "per@example.no"]


def contacts() -> list[Contact]:
    builder = ContactBuilder(Mapping.from_specs(["Email=Email", "FirstName=First"], FIELDS))
    built = [builder.build(row) for row in ROWS]
    assert not any(isinstance(c, InvalidRow) for c in built)
    return [c for c in built if isinstance(c, Contact)]


def test_the_contact_carries_the_ascii_domain() -> None:
    assert [c.email for c in contacts()] == SENT


def test_autopilot_receives_the_ascii_domain(
    client: AutopilotClient, sim: AutopilotSimulator
) -> None:
    list_id = sim.create_list("Norway")
    result = client.send(contacts(), list_id, cancel=CancelToken())
    assert not result.rejected
    stored = sim.contacts()
    assert sorted(stored) == sorted(email.lower() for email in SENT)
    assert {c["fields"]["Email"] for c in stored.values()} == set(SENT)  # type: ignore[index]


def test_ortto_receives_the_ascii_domain(ortto: Any) -> None:
    connection = Connection(
        "Ortto", base_url=ortto.base_url, rate_limit=200.0, consent_at=utc_now(), service="ortto"
    )
    client = ORTTO.open_client(connection, ORTTO_KEY, Limits(read_timeout=2.0))
    try:
        result = client.send(contacts(), "Norway", cancel=CancelToken())
    finally:
        client.close()
    assert not result.rejected
    people = ortto.people()
    assert sorted(people) == sorted(email.lower() for email in SENT)
    assert {p["fields"]["str::email"] for p in people.values()} == set(SENT)
