"""A saved export: which segments go to which connection, with which field mapping."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.mapping import Mapping


@dataclass(frozen=True)
class Export:
    name: str
    connection: str
    segments: tuple[str, ...]
    mapping: Mapping = field(default_factory=lambda: Mapping(fields=()))

    def to_json(self) -> dict[str, object]:
        """The CLI's `export list --json` shape."""
        return {
            "name": self.name,
            "connection": self.connection,
            "segments": list(self.segments),
            "mapping": self.mapping.to_cli_dict(),
        }
