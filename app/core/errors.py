"""Errors the user can act on.

Every error raised on purpose by the core is an :class:`AppError`: its ``str()`` is one line that
says what happened and what to do, and ``exit_code`` is what the CLI exits with. Anything else
that escapes the core is a bug and is reported as such.
"""

from __future__ import annotations


class AppError(Exception):
    """A failure the user can understand and fix. ``str(err)`` is the user-facing message."""

    exit_code = 2


class UsageError(AppError):
    """Bad input or configuration: a wrong name, value or option."""


class NotFoundError(UsageError):
    """A named thing (source, segment, connection, export, run) does not exist."""


class AlreadyExistsError(UsageError):
    """``add`` of a name that exists without ``--replace``."""


class InUseError(UsageError):
    """Removing something that other things still use."""


class InputFileError(UsageError):
    """A file that cannot be imported; nothing was changed."""


class BusyError(AppError):
    """A store is held by another process for longer than we are willing to wait."""

    exit_code = 1
