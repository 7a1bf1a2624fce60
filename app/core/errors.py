"""Errors the user can act on.

Every error raised on purpose by the core is an :class:`AppError`: its ``str()`` is one line that
says what happened and what to do, and ``exit_code`` is what the CLI exits with. Anything else
that escapes the core is a bug and is reported as such.

A failure that stops a run may end by offering to resume it. That offer is a sentence of its
own, a :class:`ResumeOffer` put into the message as a placeholder, and the error carries the
offer it made (``resume_offer``): the window's Connect, which starts no run, and a run that can
no longer be resumed then say something else, without reading the message's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.i18n import N_, _


class AppError(Exception):
    """A failure the user can understand and fix. ``str(err)`` is the user-facing message."""

    exit_code = 2
    # The sentence of the message that offers to resume the run, if it has one.
    resume_offer: ResumeOffer | None = None

    @property
    def offers_resume(self) -> bool:
        return self.resume_offer is not None


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


@dataclass(frozen=True)
class ResumeOffer:
    """The sentence of a failure message that offers to resume the run, and the sentence said
    instead when the run cannot be resumed ("": nothing). English msgids, translated when said:
    ``_("... Try again later. {resume}").format(resume=RESUMABLE)``."""

    offer: str
    instead: str = ""

    def __str__(self) -> str:
        return _(self.offer)


RESUMABLE = ResumeOffer(N_("An interrupted run can be resumed."))
STOPPED_RUN_RESUMABLE = ResumeOffer(N_("A run stopped by this can be resumed."))
SLOW_DOWN_THEN_RESUME = ResumeOffer(
    N_("Lower the connection's rate limit or wait a while, then resume the run."),
    N_("Lower the connection's rate limit or wait a while, then start a new run."),
)
NEW_KEY_THEN_RESUME = ResumeOffer(
    N_("Enter the current key in the connection, then resume the run."),
    N_("Enter the current key in the connection, then start a new run."),
)
CHECK_MAPPING_THEN_RESUME = ResumeOffer(
    N_(
        "Check the export's mapping (its fields, their types and their values), then resume "
        "the run."
    ),
    N_(
        "Check the export's mapping (its fields, their types and their values), then start a "
        "new run."
    ),
)
CHECK_TAG_THEN_RESUME = ResumeOffer(
    N_("Check the tag and the people in Ortto, then resume the run."),
    N_("Check the tag and the people in Ortto, then start a new run."),
)

RESUME_OFFERS: tuple[ResumeOffer, ...] = (
    RESUMABLE,
    STOPPED_RUN_RESUMABLE,
    SLOW_DOWN_THEN_RESUME,
    NEW_KEY_THEN_RESUME,
    CHECK_MAPPING_THEN_RESUME,
    CHECK_TAG_THEN_RESUME,
)

# The offers as messages stored by earlier versions put them (English, inside a sentence).
_EARLIER_OFFERS = (
    (re.compile(r";\s*an interrupted run can be resumed\."), "."),
    (re.compile(r"\s*\(a run stopped by this can be resumed\)"), ""),
    (re.compile(r",? then resume\."), ", then start a new run."),
    (re.compile(r" and resume\."), " and start a new run."),
)


def without_resume_offer(message: str) -> str:
    """A failure message for a run that cannot be resumed: its offer to resume replaced by what
    to do instead. A message is stored in the language it was made in, so each offer is looked
    for as written and as translated; both are whole sentences this program put there."""
    for offer in RESUME_OFFERS:
        # Never _(""): gettext answers the empty text with the catalog's header.
        translated = (_(offer.offer), _(offer.instead) if offer.instead else "")
        for said, instead in (translated, (offer.offer, offer.instead)):
            if said in message:
                message = message.replace(said, instead)
    for pattern, instead in _EARLIER_OFFERS:
        message = pattern.sub(instead, message)
    return re.sub(r" {2,}", " ", message).strip()
