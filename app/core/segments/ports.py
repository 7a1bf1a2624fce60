"""What segments need from the profile store, and nothing more.

Written as protocols so that segments depend on two methods and a handful of attributes, not on
how sources are imported; ``app.core.profiles.ProfileStore`` and its ``Source`` satisfy them.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol


class SourceInfo(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def table_name(self) -> str: ...

    @property
    def rows(self) -> int: ...

    @property
    def columns(self) -> tuple[str, ...]: ...

    @property
    def sha256(self) -> str: ...

    def physical_column(self, name: str) -> str: ...


class ProfileReader(Protocol):
    def get_source(self, name: str) -> SourceInfo: ...

    def connect(self, *, read_only: bool = True) -> AbstractContextManager[Any]: ...
