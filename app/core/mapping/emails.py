"""Email syntax checks, as the Data rules define them.

email-validator is the judge, without DNS; its default refusal of special-use domains such as
``.local`` and ``.test`` stands, because Autopilot cannot mail them either. What is sent is the
trimmed address as written, not email-validator's normalized form, so the user finds in Autopilot
exactly what their file said; only an internationalized domain (``kari@bjørn.no``) is sent in its
ASCII form (IDNA, ``kari@xn--bjrn-ura.no``): the same mailbox, and the only form every mail server
on the way understands (Autopilot's API and Ortto's document no support for Unicode domains).
A local part that is not ASCII has no such form and is sent as written.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

# Content detection only asks "does this column hold addresses?", so a loose shape is enough;
# a column of addresses at .local or .test domains is still the email column.
_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email_problem(address: str) -> str | None:
    """email-validator's message for a trimmed, non-empty address, or None when it is valid."""
    return checked_email(address)[0]


def checked_email(address: str) -> tuple[str | None, str]:
    """(the problem or None, the address to send) for a trimmed, non-empty address."""
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError as err:
        return str(err), address
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return None, address
    return None, f"{local}@{valid.ascii_domain}"


def email_key(address: str) -> str:
    """The de-duplication key: emails are compared trimmed and lower-cased."""
    return address.strip().lower()


def looks_like_email(text: str) -> bool:
    return _EMAIL_SHAPE.fullmatch(text.strip()) is not None


class EmailChecker:
    """email_problem with a memory of the addresses it has seen.

    A profile in two segments of one export is checked once per segment; the cache makes the
    second check free. It is bounded so that a huge source cannot grow it without limit, and it
    lives only as long as its owner (one export run), so addresses are not kept past the run.
    """

    def __init__(self, max_entries: int = 250_000) -> None:
        self._max_entries = max_entries
        self._seen: dict[str, tuple[str | None, str]] = {}

    def problem(self, address: str) -> str | None:
        return self.check(address)[0]

    def check(self, address: str) -> tuple[str | None, str]:
        """(the problem or None, the address to send), as :func:`checked_email`."""
        try:
            return self._seen[address]
        except KeyError:
            pass
        found = checked_email(address)
        if len(self._seen) < self._max_entries:
            self._seen[address] = found
        return found
