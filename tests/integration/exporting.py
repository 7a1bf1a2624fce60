"""A small world for export tests: a profile source, segments, a connection and an export,
wired to the local Autopilot simulator through the real client."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path

from app.context import AppContext, build_context
from app.core.connections import Connection
from app.core.destinations.autopilot import AutopilotClient
from app.core.export import Export, ExportRunner
from app.core.mapping import FieldMapping, Mapping
from app.core.secrets import MemorySecretStore
from app.core.segments import Rule, Segment
from app.core.store import utc_now
from tests.integration.conftest import SIM_KEY, SIM_SEED
from tests.support.autopilot_sim import AutopilotSimulator

HEADER = "CustomerId;FirstName;LastName;PrimaryEmail;Country;Points"


def customer_rows(count: int, *, seed: int = 7) -> list[str]:
    """Deterministic customers; every 10th in Sweden, a few bad and duplicate emails."""
    rng = random.Random(seed)
    rows = []
    for i in range(1, count + 1):
        email = f"person{i}@example.com"
        if i % 97 == 0:
            email = "not-an-email"
        if i % 101 == 0:
            email = f"PERSON{i - 1}@Example.com"  # a duplicate of the previous row
        country = "SE" if i % 10 == 0 else "NO"
        rows.append(f"{i};First{i};Last{i};{email};{country};{rng.randint(0, 500)}")
    return rows


@dataclass
class World:
    ctx: AppContext
    sim: AutopilotSimulator
    export: Export

    def runner(self, **client_options: object) -> ExportRunner:
        """The real runner, with a client tuned for fast tests (short timeouts, tiny backoff)."""

        def factory(connection: Connection, api_key: str) -> AutopilotClient:
            options: dict[str, object] = {
                "rate_limit": connection.rate_limit,
                "read_timeout": 1.0,
                "connect_timeout": 1.0,
                "backoff_base": 0.005,
                "backoff_cap": 0.05,
                "rng": random.Random(SIM_SEED),
                **client_options,
            }
            return AutopilotClient(connection.base_url, api_key, **options)  # type: ignore[arg-type]

        return replace(self.ctx.runner, client_factory=factory)


def make_world(
    tmp_path: Path,
    sim: AutopilotSimulator,
    *,
    rows: int = 950,
    segments: tuple[Segment, ...] | None = None,
    rate_limit: float = 150.0,
    profile_cap: int = 100_000,
) -> World:
    ctx = build_context(secret_store=MemorySecretStore())
    csv_path = tmp_path / "customers.csv"
    csv_path.write_text("\n".join([HEADER, *customer_rows(rows)]) + "\n", encoding="utf-8")
    ctx.profiles.import_file(csv_path, "Customers")
    if segments is None:
        segments = (Segment("Everyone", "Customers", "all", ()),)
    for segment in segments:
        ctx.segments.add(segment)
    ctx.keys.save(
        Connection(
            "Sim",
            base_url=sim.base_url,
            rate_limit=rate_limit,
            profile_cap=profile_cap,
            consent_at=utc_now(),
        ),
        SIM_KEY,
    )
    mapping = Mapping(
        fields=(
            FieldMapping("Email", "PrimaryEmail"),
            FieldMapping("FirstName", "FirstName"),
            FieldMapping("custom:integer:Loyalty Points", "Points"),
        )
    )
    export = ctx.exports.save(Export("Weekly", "Sim", tuple(s.name for s in segments), mapping))
    return World(ctx, sim, export)


SWEDEN = Segment("Sweden", "Customers", "all", (Rule("Country", "eq", "se"),))


def expected_emails(rows: int, *, country: str | None = None) -> set[str]:
    """The lower-cased emails a correct export of ``customer_rows(rows)`` delivers."""
    emails = set()
    for line in customer_rows(rows):
        _, _, _, email, c, _ = line.split(";")
        if "@" in email and (country is None or c == country):
            emails.add(email.lower())
    return emails
