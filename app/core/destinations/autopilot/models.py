"""Values the Autopilot client hands back; frozen so they can cross threads freely."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AutopilotList:
    list_id: str
    title: str


@dataclass(frozen=True)
class ListResolution:
    list_id: str
    created: bool
    warning: str | None  # set when several lists share the title
