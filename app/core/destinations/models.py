"""Values every destination's client hands back; frozen so they can cross threads freely."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class BulkResult:
    confirmed: dict[str, str]  # email (trimmed, lower-case) -> the destination's id
    rejected: dict[str, str]  # email (trimmed, lower-case) -> reason
    requests: int  # HTTP requests this call made, retries and splits included


@dataclass(frozen=True)
class ClientStats:
    requests: int = 0  # HTTP attempts
    throttled: int = 0  # 429 answers
    retries: int = 0  # attempts beyond the first of each call
    errors: Mapping[str, int] = field(default_factory=dict)  # failed attempts by kind
