"""The export world of exporting.py, sending to the local Ortto test server instead.

The same customers, segments and export; the connection is an Ortto one and the runner opens
its client through the destination seam (``open_client``), tuned for fast tests.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from app.context import AppContext, build_context
from app.core.connections import Connection
from app.core.connections.client import open_client
from app.core.destinations import Client, Limits
from app.core.export import Export, ExportRunner
from app.core.mapping import FieldMapping, Mapping
from app.core.secrets import MemorySecretStore
from app.core.segments import Segment
from app.core.store import utc_now
from tests.integration.exporting import HEADER, customer_rows
from tests.support.ortto_sim import OrttoSimulator

ORTTO_KEY = "ortto-pk-7d2e4b1a9c8f4e3d2b1a0f9e8d7c6b5a"
FAST = Limits(read_timeout=1.0, connect_timeout=1.0, backoff_base=0.005, backoff_cap=0.05)
LOYALTY = "Loyalty Points"
LOYALTY_ID = "int:cm:loyalty-points"


@dataclass
class OrttoWorld:
    ctx: AppContext
    sim: OrttoSimulator
    export: Export

    def runner(self, limits: Limits = FAST) -> ExportRunner:
        def factory(connection: Connection, api_key: str) -> Client:
            return open_client(connection, api_key, limits)

        return replace(self.ctx.runner, client_factory=factory)

    def run(self, **kwargs: object) -> object:
        runner = self.runner()
        return runner.run(runner.plan(self.export), ORTTO_KEY, **kwargs)  # type: ignore[arg-type]


def make_ortto_world(
    tmp_path: Path,
    sim: OrttoSimulator,
    *,
    rows: int = 950,
    segments: tuple[Segment, ...] | None = None,
    create_fields: bool = False,
    consent_column: str | None = None,
    rate_limit: float = 250.0,
) -> OrttoWorld:
    ctx = build_context(secret_store=MemorySecretStore())
    csv_path = tmp_path / "customers.csv"
    csv_path.write_text("\n".join([HEADER, *customer_rows(rows)]) + "\n", encoding="utf-8")
    ctx.profiles.import_file(csv_path, "Customers")
    if segments is None:
        segments = (Segment("Everyone", "Customers", "all", ()),)
    for segment in segments:
        ctx.segments.add(segment)
    connection = Connection(
        "Ortto", base_url=sim.base_url, rate_limit=rate_limit, consent_at=utc_now(), service="ortto"
    )
    ctx.keys.save(connection, ORTTO_KEY)
    fields = [
        FieldMapping("Email", "PrimaryEmail"),
        FieldMapping("FirstName", "FirstName"),
        FieldMapping(f"custom:integer:{LOYALTY}", "Points"),
    ]
    if consent_column:
        fields.append(FieldMapping("unsubscribed", consent_column))
    export = ctx.exports.save(
        Export(
            "Weekly",
            "Ortto",
            tuple(s.name for s in segments),
            Mapping(tuple(fields)),
            create_fields=create_fields,
        )
    )
    return OrttoWorld(ctx, sim, export)
