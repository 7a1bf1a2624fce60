"""Whether a source's file still is what was imported, from one ``stat`` (never a read).

The window asks this whenever a tab that shows sources comes into view, so it must stay cheap:
the size and modification time recorded at import against the file's now. A source imported
before those were recorded counts as changed when the file was modified after the import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from app.core.errors import AppError
from app.core.profiles.cdm import model_file
from app.core.profiles.models import FileStamp, Source


class FileState(StrEnum):
    SAME = "same"
    CHANGED = "changed"
    MISSING = "missing"


@dataclass(frozen=True)
class FileCheck:
    source: Source
    state: FileState
    modified_at: datetime | None = None  # when the file on disk was last modified (UTC)

    @property
    def file_name(self) -> str:
        return Path(self.source.path).name


def check_file(source: Source) -> FileCheck:
    path = Path(source.path)
    try:
        if source.file_format == "cdm":  # a Customer Insights folder: its model.json
            path = model_file(path)
        status = path.stat()
    except (OSError, AppError):
        return FileCheck(source, FileState.MISSING)
    modified = datetime.fromtimestamp(status.st_mtime_ns / 1e9, UTC)
    stamp = source.stamp
    now = FileStamp(status.st_size, status.st_mtime_ns)
    changed = modified > source.imported_at if stamp is None else now != stamp
    return FileCheck(source, FileState.CHANGED if changed else FileState.SAME, modified)
