"""The account's custom fields: finding a mapped field among them, checking its type, and the
words for fields that are missing or were created."""

from __future__ import annotations

from collections.abc import Sequence

from app.core import advice
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
from app.core.i18n import _, ngettext


def match(known: Sequence[AccountField], target: str) -> AccountField | None:
    """The account's field for a custom target: by name ignoring case, else the field whose id
    a created one would take (a name that differs only in spaces or punctuation)."""
    _kind, name = custom_parts(target)
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
    said = {
        "field": found.name,
        "field_id": found.field_id,
        "ortto_type": found.display_type or found.prefix,
        "name": name,
        "kind": kind,
        "target": f"custom:{theirs}:{found.name}",
    }
    if theirs:
        text = _(
            "The Ortto custom field '{field}' ({field_id}) is of type {ortto_type}, but the "
            "export maps '{name}' as {kind}. Map it as {target}, or map it under another name."
        )
    else:
        text = _(
            "The Ortto custom field '{field}' ({field_id}) is of type {ortto_type}, but the "
            "export maps '{name}' as {kind}, and this program cannot write that type. Map it "
            "under another name."
        )
    raise UsageError(text.format(**said))


def missing_message(missing: Sequence[str]) -> str:
    names = ", ".join(
        f"'{custom_parts(t)[1]}' ({CUSTOM_TYPES[custom_parts(t)[0]][0]})" for t in missing
    )
    return ngettext(
        "The Ortto account has no custom field {names}, so nothing was sent. {advice} Ortto "
        "allows about 100 custom fields and its API cannot delete one.",
        "The Ortto account has no custom fields {names}, so nothing was sent. {advice} Ortto "
        "allows about 100 custom fields and its API cannot delete one.",
        len(missing),
    ).format(names=names, advice=advice.CREATE_FIELDS)


def created_message(created: Sequence[str]) -> str:
    names = ", ".join(f"'{custom_parts(t)[1]}'" for t in created)
    return ngettext(
        "Created the Ortto custom field {names} in the account, as the export allows; Ortto's "
        "API cannot delete it.",
        "Created the Ortto custom fields {names} in the account, as the export allows; Ortto's "
        "API cannot delete them.",
        len(created),
    ).format(names=names)
