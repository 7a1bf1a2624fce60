"""Every failure the window shows goes through here: one mapping from errors to user text.

Errors the core raises on purpose (:class:`AppError`) carry their user message; anything else is
a bug: it is logged with its traceback (redacted by the log filter) and shown with "Copy details"
so the user can report it. Nothing fails silently and nothing closes the window.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Signal, Slot

from app.core import advice
from app.core.cancel import Cancelled
from app.core.connections.models import DEFAULT_SERVICE
from app.core.destinations import Destination, destination_for
from app.core.destinations.errors import AuthError, DestinationError, NetworkError
from app.core.errors import AppError, without_resume_offer
from app.core.i18n import _
from app.core.logging_setup import redact
from app.ui.dialogs import Dialogs

log = logging.getLogger(__name__)


# The core speaks to the command line too; where its advice names an option or a command, the
# window says what to do in its own words. Matched on the core's text, so a changed text only
# falls back to the core's own words.
_WINDOW_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in ((r" \(or use --replace to overwrite it\)", ""),)
)


def is_expected(exc: BaseException) -> bool:
    """Errors the user can act on, as opposed to bugs."""
    return isinstance(exc, AppError | Cancelled) or _environment(exc) is not None


def _environment(exc: BaseException) -> str | None:
    """A full disk or a read-only folder, said as the core says it (None for anything else)."""
    from app.core.environment import environment_failure
    from app.core.paths import resolve_paths

    if isinstance(exc, PermissionError):
        return None  # usually a place the user chose: said below, with what to do there
    failure = environment_failure(exc, resolve_paths().data_dir)
    return None if failure is None else str(failure)


def window_words(text: str) -> str:
    """The core's message with command-line advice put the way the window does it."""
    return _substitute(_WINDOW_WORDS, advice.for_window(text))


def _substitute(table: tuple[tuple[re.Pattern[str], str], ...], text: str) -> str:
    for pattern, words in table:
        replacement = words
        text = pattern.sub(replacement.replace("\\", "\\\\"), text)
    return text


def user_message(exc: BaseException) -> str:
    """The one line the user reads for ``exc``."""
    if isinstance(exc, AppError):
        return window_words(str(exc))
    if isinstance(exc, Cancelled):
        return _("Cancelled.")
    if (environment := _environment(exc)) is not None:
        return environment
    if isinstance(exc, PermissionError):
        return _(
            "Permission denied for {name}; choose another place or close the program using it."
        ).format(name=exc.filename or _("a file"))
    if isinstance(exc, OSError) and exc.filename:
        return _("Could not read or write {name}: {reason}.").format(
            name=exc.filename, reason=exc.strerror or _("the system refused")
        )
    return _(
        "Something unexpected went wrong. The details are in the log file; "
        "please report them with Copy details."
    )


def connect_message(exc: BaseException, destination: Destination | None = None) -> str:
    """What Connect says: the client's texts speak of runs, and Connect starts none."""
    destination = destination or destination_for(DEFAULT_SERVICE)
    name = destination.name
    if isinstance(exc, AuthError):
        text = _("{name} rejected this API key. Copy the whole key again and connect again.")
        text = text.format(name=name) + " " + destination.key_help()
        if any(destination.regions):
            text += " " + _("A key works only in the data region of its account.")
        return text
    offer = exc.resume_offer if isinstance(exc, DestinationError) else None
    if offer is None:
        return user_message(exc)
    # At Connect no run exists, so a message that offers to resume one is wrong there. An offer
    # that is a sentence of its own ("An interrupted run can be resumed.") is simply left out.
    if not offer.instead:
        return without_resume_offer(user_message(exc))
    if isinstance(exc, NetworkError):
        return _(
            "Could not get an answer from {name}. Check the internet connection and the "
            "connection's base URL, then connect again."
        ).format(name=name)
    return _("{name} could not answer just now. Wait a moment, then connect again.").format(
        name=name
    )


def details(exc: BaseException) -> str:
    """The traceback text for "Copy details", with every known secret masked."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return redact(text)


class ErrorReporter(QObject):
    """Shows errors to the user; the window supplies how (the dialogs)."""

    shown = Signal(str)  # the message, for the status bar and for tests

    def __init__(self, dialogs: Dialogs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dialogs = dialogs

    def report(self, exc: BaseException, title: str | None = None) -> None:
        title = title or _("Something went wrong")
        message = user_message(exc)
        if is_expected(exc):
            self._dialogs.warning(title, message)
        else:
            log.error("Unexpected error: %s", title, exc_info=exc)
            self._dialogs.error_details(title, message, details(exc))
        self.shown.emit(message)

    @Slot(object)
    def report_unexpected(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        self.report(exc)


class _Bridge(QObject):
    """Moves an exception from any thread to the GUI thread."""

    raised = Signal(object)

    def __init__(self, reporter: ErrorReporter) -> None:
        super().__init__(reporter)
        self.reporter = reporter  # the hooks hold the bridge, and through it the reporter


def install_excepthook(reporter: ErrorReporter) -> None:
    """Uncaught exceptions (in slots, or in stray threads) are logged and shown, never fatal."""
    bridge = _Bridge(reporter)
    bridge.raised.connect(reporter.report_unexpected)

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        bridge.raised.emit(exc.with_traceback(tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            bridge.raised.emit(args.exc_value)

    sys.excepthook = hook
    threading.excepthook = thread_hook
