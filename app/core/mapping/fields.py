"""One mapping of a source column onto a contact field, whatever the destination.

A target is written the way the CLI's ``--map`` takes it: ``Email``, a standard field of the
destination (``FirstName``, or for Ortto a field id such as ``geo::city``), ``custom:<type>:<Name>``
for a custom field, or ``unsubscribed`` for a consent column. Which standard fields exist and how
they are spelt is the destination's vocabulary (``FieldVocabulary`` in app.core.destinations);
the syntax here is shared, so a stored mapping is just text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.core.errors import UsageError
from app.core.i18n import _, pgettext

CUSTOM_TYPES: tuple[str, ...] = ("string", "integer", "float", "date", "boolean")


def type_words(kind: str) -> str:
    """A custom field's type as the reader's language names it. The English words are the
    keywords themselves, as ``--map custom:TYPE:Name`` takes them."""
    words = {
        "string": pgettext("custom field type", "string"),
        "integer": pgettext("custom field type", "integer"),
        "float": pgettext("custom field type", "float"),
        "date": pgettext("custom field type", "date"),
        "boolean": pgettext("custom field type", "boolean"),
    }
    return words.get(kind, kind)


EMAIL_TARGET = "Email"
CONSENT_TARGET = "unsubscribed"
CUSTOM_PREFIX = "custom:"


class Vocabulary(Protocol):
    """The part of a destination's FieldVocabulary that mapping needs."""

    def canonical(self, target: str) -> str: ...


@dataclass(frozen=True)
class FieldMapping:
    """One source column sent as one contact field."""

    target: str
    column: str

    @classmethod
    def parse(cls, spec: str, vocabulary: Vocabulary) -> FieldMapping:
        """Read a CLI ``--map`` spec; the field side ends at the first ``=``."""
        target, sep, column = spec.partition("=")
        if not sep:
            raise UsageError(
                _(
                    "--map {spec} has no '=': write it as AUTOPILOT_FIELD=COLUMN, for example "
                    "Email=PrimaryEmail"
                ).format(spec=repr(spec))
            )
        column = column.strip()
        if not column:
            raise UsageError(
                _("--map {spec} names no column after '=': add the source column").format(
                    spec=repr(spec)
                )
            )
        return cls(vocabulary.canonical(target.strip()), column)

    @property
    def is_custom(self) -> bool:
        return self.target.startswith(CUSTOM_PREFIX)

    @property
    def custom_type(self) -> str | None:
        if not self.is_custom:
            return None
        return self.target[len(CUSTOM_PREFIX) :].partition(":")[0]

    @property
    def custom_name(self) -> str | None:
        if not self.is_custom:
            return None
        return self.target[len(CUSTOM_PREFIX) :].partition(":")[2]

    @property
    def label(self) -> str:
        if self.is_custom:
            return _("{name} (custom, {type})").format(
                name=self.custom_name, type=type_words(self.custom_type or "")
            )
        if self.target == CONSENT_TARGET:
            return _("unsubscribed (opted out)")
        return self.target

    def target_problem(self, vocabulary: Vocabulary) -> str | None:
        """Why this target cannot be sent, in the user's words, or None when it can."""
        try:
            canonical = vocabulary.canonical(self.target)
        except UsageError as err:
            return str(err)
        if canonical != self.target:
            return _("Write the field {target} as {canonical}").format(
                target=repr(self.target), canonical=repr(canonical)
            )
        return None


def canonical_custom(target: str) -> str:
    """``Custom:Integer: Loyalty Points`` -> ``custom:integer:Loyalty Points``, or UsageError."""
    custom_type, sep, name = target[len(CUSTOM_PREFIX) :].partition(":")
    custom_type = custom_type.strip().lower()
    name = name.strip()
    if custom_type not in CUSTOM_TYPES:
        raise UsageError(
            _("Unknown custom field type {type} in {target}: use one of {types}").format(
                type=repr(custom_type), target=repr(target), types=", ".join(CUSTOM_TYPES)
            )
        )
    if not sep or not name:
        raise UsageError(
            _("The custom field in {target} has no name: write custom:{type}:Name").format(
                target=repr(target), type=custom_type
            )
        )
    return f"{CUSTOM_PREFIX}{custom_type}:{name}"
