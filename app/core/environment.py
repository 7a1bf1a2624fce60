"""Failures of the computer rather than of the data: a full disk, a read-only or forbidden folder.

They reach the program from many places (Python's files, SQLite, DuckDB, the log handler), each
with its own words, so they are recognised here once, by errno where there is one and by the
libraries' messages otherwise, and turned into one message that says what happened and what to
do. Nothing is lost by them: a store's transaction that could not be written is rolled back,
and a run stopped by one is resumable once the disk has room again.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from app.core.errors import STOPPED_RUN_RESUMABLE, AppError
from app.core.i18n import _

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY_ERRNOS = {errno.EROFS}
_DENIED_ERRNOS = {errno.EACCES, errno.EPERM}
_FULL_WORDS = ("no space left on device", "database or disk is full", "disk quota exceeded")
_READ_ONLY_WORDS = ("read-only file system", "readonly database")
_DENIED_WORDS = ("permission denied",)
# Free space under which an I/O error is taken to be the disk filling up.
NEARLY_FULL_BYTES = 1 << 20


class EnvironmentFailure(AppError):
    """The disk or the folder, not the data or the program; the message says what to do."""

    exit_code = 1


def environment_failure(exc: BaseException, folder: Path) -> EnvironmentFailure | None:
    """What ``exc`` (or an error it came from) says about the computer, or None.

    ``folder`` is named when the error names no file of its own."""
    for cause in _chain(exc):
        kind = _kind(cause)
        if kind is None and _is_io_error(cause) and _nearly_full(folder):
            kind = "full"  # SQLite says "disk I/O error" when its WAL cannot grow
        if kind is not None:
            failure = EnvironmentFailure(_message(kind, _filename(cause) or folder))
            failure.resume_offer = STOPPED_RUN_RESUMABLE if kind == "full" else None
            return failure
    return None


def _is_io_error(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.EIO:
        return True
    return "disk i/o error" in str(exc).lower()


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _kind(exc: BaseException) -> str | None:
    if isinstance(exc, OSError) and exc.errno is not None:
        if exc.errno in _FULL_ERRNOS:
            return "full"
        if exc.errno in _READ_ONLY_ERRNOS:
            return "read-only"
        if exc.errno in _DENIED_ERRNOS:
            return "denied"
        return None
    text = str(exc).lower()
    for kind, words in (
        ("full", _FULL_WORDS),
        ("read-only", _READ_ONLY_WORDS),
        ("denied", _DENIED_WORDS),
    ):
        if any(word in text for word in words):
            return kind
    return None


def _filename(exc: BaseException) -> Path | None:
    if isinstance(exc, OSError) and isinstance(exc.filename, str) and exc.filename:
        return Path(exc.filename)
    return None


def _message(kind: str, where: Path) -> str:
    if kind == "full":
        return _(
            "The disk that holds {path} is full. Nothing already saved was lost; free some "
            "space on that disk, then try again. {resume}"
        ).format(path=where, resume=STOPPED_RUN_RESUMABLE)
    if kind == "read-only":
        return _(
            "{path} is on a read-only disk or folder, and the program must write there. Make "
            "it writable, or set AUTOPILOT_EXPORTER_HOME to a writable folder, then try again."
        ).format(path=where)
    return _(
        "The program may not write to {path}. Check that the folder belongs to you and that "
        "you may write in it (or set AUTOPILOT_EXPORTER_HOME to a folder you own), then try "
        "again."
    ).format(path=where)
