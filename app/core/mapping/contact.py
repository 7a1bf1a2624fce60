"""Turning one profile row into a contact any destination can encode.

This runs once per (segment, row) of an export, 100,000 times and more, so the mapping is
compiled once into a ContactBuilder and each row is then a short loop. A row never raises: it
becomes a :class:`Contact` to send or an InvalidRow with a reason the marketer can act on. The
contact is neutral (the email, values by mapping target, consent): each destination encodes it
into its own payload (app/core/destinations/*/encoding.py).
"""

from __future__ import annotations

import collections.abc
from dataclasses import dataclass

from app.core.errors import UsageError
from app.core.i18n import _
from app.core.mapping.emails import EmailChecker
from app.core.mapping.fields import CONSENT_TARGET, EMAIL_TARGET, FieldMapping
from app.core.mapping.mapping import Mapping
from app.core.mapping.values import CONVERTERS, Converter, NotConvertible, is_consent

Row = collections.abc.Mapping[str, str]

_SHOWN_VALUE_CHARS = 40


@dataclass(frozen=True)
class Contact:
    """A row that can be sent.

    ``email`` is the trimmed address as it will be sent; ``fields`` holds the other mapped
    targets that have a value, in mapping order: standard fields as trimmed text, custom fields
    converted to their type (int, float, bool, ISO 8601 date text, text); ``opted_out`` is set
    when a mapped consent column says the person opted out (and never otherwise).
    """

    email: str
    fields: dict[str, object]
    opted_out: bool = False

    @property
    def email_key(self) -> str:
        return self.email.lower()


@dataclass(frozen=True)
class InvalidRow:
    """A row that is never sent: ``email`` is the trimmed cell text, ``reason`` in user words."""

    email: str
    reason: str


@dataclass(frozen=True)
class _Step:
    column: str
    key: str
    label: str
    convert: Converter | None  # None: a standard field, sent as trimmed text


class ContactBuilder:
    """A mapping compiled for speed; ``build(values)`` turns one row into a contact."""

    def __init__(self, mapping: Mapping, emails: EmailChecker | None = None) -> None:
        problems = mapping.problems()
        if problems:
            raise UsageError(problems[0])
        self._email_column = mapping.email_column() or ""
        self._emails = emails or EmailChecker()
        self._standard = tuple(_step(f) for f in mapping.fields if _is_standard(f))
        self._custom = tuple(_step(f) for f in mapping.fields if f.is_custom)
        self._consent = tuple(f.column for f in mapping.fields if f.target == CONSENT_TARGET)

    def build(self, values: Row) -> Contact | InvalidRow:
        email = (values.get(self._email_column) or "").strip()
        if not email:
            return InvalidRow(email, _("Email is empty"))
        problem, sendable = self._emails.check(email)
        if problem is not None:
            return InvalidRow(email, _("Email is not valid: {problem}").format(problem=problem))
        email = sendable  # an internationalized domain in its ASCII form (see emails.py)
        fields: dict[str, object] = {}
        for step in self._standard:
            text = (values.get(step.column) or "").strip()
            if text:
                fields[step.key] = text
        reasons = self._add_custom(fields, values)
        if reasons:
            return InvalidRow(email, "; ".join(reasons))
        opted_out = any(is_consent(values.get(column) or "") for column in self._consent)
        return Contact(email, fields, opted_out)

    def _add_custom(self, fields: dict[str, object], values: Row) -> list[str]:
        reasons: list[str] = []
        for step in self._custom:
            text = (values.get(step.column) or "").strip()
            if not text:
                continue
            try:
                fields[step.key] = step.convert(text) if step.convert else text
            except ValueError as err:
                reasons.append(_reason(step.label, text, err))
        return reasons


def build_contact(mapping: Mapping, values: Row) -> Contact | InvalidRow:
    """One row on its own; for many rows, build a ContactBuilder once and reuse it."""
    return ContactBuilder(mapping).build(values)


def _is_standard(field: FieldMapping) -> bool:
    return not field.is_custom and field.target not in (EMAIL_TARGET, CONSENT_TARGET)


def _step(field: FieldMapping) -> _Step:
    convert = CONVERTERS[field.custom_type] if field.custom_type else None
    name = field.custom_name if field.is_custom else field.target
    return _Step(field.column, field.target, name or field.target, convert)


def _reason(field: str, text: str, err: ValueError) -> str:
    """Why a custom field's value makes the row invalid: "Points: 'abc' is not a whole number"."""
    if isinstance(err, NotConvertible):
        problem = err.describe(_shown(text))
    else:
        problem = _("{value} cannot be sent in this field").format(value=_shown(text))
    return _("{field}: {problem}").format(field=field, problem=problem)


def _shown(text: str) -> str:
    """The value as the user will recognise it, cut short so a reason stays one line."""
    if len(text) > _SHOWN_VALUE_CHARS:
        text = text[: _SHOWN_VALUE_CHARS - 3] + "..."
    return repr(text)
