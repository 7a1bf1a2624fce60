"""The account's custom fields: finding a mapped field among them, checking its type, and the
words for fields that are missing or were created."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.destinations.ortto import answers
from app.core.destinations.ortto.answers import AccountField
from app.core.destinations.ortto.fields import (
    ACCEPTED_PREFIXES,
    CUSTOM_TYPES,
    MAPPING_TYPES,
    custom_parts,
    kebab,
)
from app.core.errors import UsageError


def match(known: Sequence[AccountField], target: str) -> AccountField | None:
    """The account's field for a custom target: by name ignoring case, else the field whose id
    a created one would take (a name that differs only in spaces or punctuation)."""
    _, name = custom_parts(target)
    found = answers.find_by_name(known, name)
    if found is not None:
        return found
    slug = kebab(name)
    for candidate in known:
        parts = candidate.field_id.split(":", 2)
        if parts[1] == "cm" and parts[2] == slug:
            return candidate
    return None


def mapping_type(found: AccountField) -> str:
    return MAPPING_TYPES.get(found.prefix) or found.display_type or found.prefix


def check_type(found: AccountField, target: str) -> None:
    kind, name = custom_parts(target)
    if found.prefix in ACCEPTED_PREFIXES[kind]:
        return
    theirs = MAPPING_TYPES.get(found.prefix)
    advice = (
        f"map it as custom:{theirs}:{found.name}"
        if theirs
        else "this program cannot write that type"
    )
    ortto_type = found.display_type or found.prefix
    raise UsageError(
        f"The Ortto custom field '{found.name}' ({found.field_id}) is of type {ortto_type}, but "
        f"the export maps '{name}' as {kind}: {advice}, or map it under another name."
    )


def missing_message(missing: Sequence[str]) -> str:
    names = ", ".join(
        f"'{custom_parts(t)[1]}' ({CUSTOM_TYPES[custom_parts(t)[0]][0]})" for t in missing
    )
    return (
        f"The Ortto account has no custom fields {names}; nothing was sent. Allow creating them "
        "(export add --create-fields, or confirm in the window) and run again, or map other "
        "fields. Ortto allows about 100 custom fields and its API cannot delete one."
    )


def created_message(created: Sequence[str]) -> str:
    names = ", ".join(f"'{custom_parts(t)[1]}'" for t in created)
    return (
        f"Created the Ortto custom fields {names} in the account, as the export allows; "
        "Ortto's API cannot delete them."
    )
