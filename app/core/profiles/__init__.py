"""Profile sources: customer files imported into DuckDB tables (one table per source).

Public API: :class:`ProfileStore` (import, refresh, rebuild, list, get, remove, connect),
:class:`Source` and :class:`ImportResult`; :func:`check_file` tells from one stat whether a
source's file changed.
A source's table has ``row_no`` (1 = first record after the header) and ``c1``..``cN`` holding
each cell's text as read; :meth:`Source.physical_column` maps a column name to its ``cN``.
"""

from app.core.profiles.database import DamagedProfilesError
from app.core.profiles.freshness import FileCheck, FileState, check_file
from app.core.profiles.models import (
    ROW_NUMBER_COLUMN,
    ImportOptions,
    ImportResult,
    RebuildResult,
    RefreshResult,
    Source,
    physical_name,
)
from app.core.profiles.records import RefreshRefused
from app.core.profiles.store import ProfileStore

__all__ = [
    "ROW_NUMBER_COLUMN",
    "DamagedProfilesError",
    "FileCheck",
    "FileState",
    "ImportOptions",
    "ImportResult",
    "ProfileStore",
    "RebuildResult",
    "RefreshRefused",
    "RefreshResult",
    "Source",
    "check_file",
    "physical_name",
]
