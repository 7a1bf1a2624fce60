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
    # The user said yes to creating the custom fields the destination lacks (Ortto: they are a
    # lasting change to the account and cannot be deleted through its API).
    create_fields: bool = False
    # Take people who left a segment off its list or tag (never delete them as contacts).
    remove_departed: bool = False

    def to_json(self) -> dict[str, object]:
        """The CLI's `export list --json` shape."""
        return {
            "name": self.name,
            "connection": self.connection,
            "segments": list(self.segments),
            "mapping": self.mapping.to_cli_dict(),
            "create_fields": self.create_fields,
            "remove_departed": self.remove_departed,
        }
