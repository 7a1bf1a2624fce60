"""Customer Insights (Common Data Model) export folders, written at test time.

``SAMPLE`` is a realistic export kept in the tree: a model.json with two entities (the unified
``Customer`` profile in two partitions, a segment ``HighValueCustomers``), lake URLs with a
percent-encoded folder name and a snapshot query, CRLF partitions with a UTF-8 BOM, quoted commas,
a quoted line break and doubled quotes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent / "cdm_sample"
LAKE = "https://contosolake.dfs.core.windows.net/customerinsights/CustomerInsights_1234/export"


@dataclass
class Part:
    """One partition: where it lies under the folder, its bytes, how model.json names it."""

    path: str | None
    data: bytes | str
    location: str | None = None  # default: the lake URL of ``path``
    settings: dict[str, object] | None = None


@dataclass
class Table:
    name: str
    columns: Sequence[str]
    parts: Sequence[Part] = field(default_factory=list)


def lake_url(path: str) -> str:
    return f"{LAKE}/{path}"


def write_cdm(root: Path, *tables: Table, model: str = "model.json") -> Path:
    """The folder ``root`` with its model.json and every partition file; returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    entities = []
    for table in tables:
        partitions = []
        for number, part in enumerate(table.parts, start=1):
            if part.path is not None:
                file = root / part.path
                file.parent.mkdir(parents=True, exist_ok=True)
                data = part.data.encode("utf-8") if isinstance(part.data, str) else part.data
                file.write_bytes(data)
            location = part.location or lake_url(part.path or f"missing-{number}.csv")
            item: dict[str, object] = {"name": f"{table.name}_{number}", "location": location}
            if part.settings is not None:
                item["fileFormatSettings"] = {"$type": "CsvFormatSettings", **part.settings}
            partitions.append(item)
        entities.append(
            {
                "$type": "LocalEntity",
                "name": table.name,
                "attributes": [{"name": c, "dataType": "string"} for c in table.columns],
                "partitions": partitions,
            }
        )
    document = {"name": "CustomerInsights", "version": "1.0", "entities": entities}
    (root / model).write_text(json.dumps(document, indent=2), encoding="utf-8")
    return root
