"""Profile sources: customer files imported into DuckDB tables (one table per source).

Public API: :class:`ProfileStore` (import, list, get, remove, connect), :class:`Source` and
:class:`ImportResult`. A source's table has ``row_no`` (1 = first record after the header) and
``c1``..``cN`` holding each cell's text as read; :meth:`Source.physical_column` maps a column
name to its ``cN``.
"""

from app.core.profiles.models import ROW_NUMBER_COLUMN, ImportResult, Source, physical_name
from app.core.profiles.store import ProfileStore

__all__ = ["ROW_NUMBER_COLUMN", "ImportResult", "ProfileStore", "Source", "physical_name"]
