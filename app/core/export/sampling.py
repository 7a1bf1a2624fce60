"""Early warnings about a mapping: a custom field whose column does not hold that type.

An integer field mapped to a text column makes every row invalid, and the run says so only at
the end. ``value_warnings`` reads the first non-empty values of each typed column in the
export's first segment and converts them with the very rules a run uses (mapping/values.py),
so `export add` and the mapping tab can say it before anything runs. Reading stops after a
bounded number of rows, so a mostly empty column in a large source stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.export.models import Export
from app.core.export.plan import Services
from app.core.i18n import _, ngettext, number
from app.core.mapping.fields import FieldMapping, type_words
from app.core.mapping.values import CONVERTERS, NotConvertible

SAMPLE_VALUES = 50  # non-empty values looked at per column
SAMPLE_ROWS = 5_000  # rows read at most


@dataclass
class _Tally:
    field: FieldMapping
    looked_at: int = 0
    failed: int = 0
    example: str = ""
    reason: str = ""


def value_warnings(export: Export, services: Services) -> list[str]:
    """One sentence per typed custom field whose first values do not all convert."""
    typed = [f for f in export.mapping.fields if f.custom_type not in (None, "string") and f.column]
    if not typed or not export.segments:
        return []
    segment = services.segments.get(export.segments[0])
    tallies = [_Tally(f) for f in typed]
    columns = sorted({f.column for f in typed})
    for read, member in enumerate(
        services.segments.iter_members(segment, columns=columns, chunk_size=1_000), start=1
    ):
        for tally in tallies:
            _look(tally, (member.values.get(tally.field.column) or "").strip())
        if read >= SAMPLE_ROWS or all(t.looked_at >= SAMPLE_VALUES for t in tallies):
            break
    return [_warning(t) for t in tallies if t.failed]


def _look(tally: _Tally, text: str) -> None:
    if not text or tally.looked_at >= SAMPLE_VALUES:
        return
    tally.looked_at += 1
    convert = CONVERTERS[tally.field.custom_type or "string"]
    try:
        convert(text)
    except NotConvertible as err:
        tally.failed += 1
        if not tally.example:
            shown = text if len(text) <= 40 else text[:37] + "..."
            tally.example, tally.reason = text, err.describe(f"'{shown}'")


def _warning(tally: _Tally) -> str:
    field = tally.field
    if tally.looked_at == 1:
        text = _(
            "The field '{name}' (type {type}) is mapped to the column '{column}', but its first "
            "value does not convert ({reason}); rows with such values are invalid and "
            "not sent. Map a column that holds that type, or choose the type that the column "
            "holds."
        )
    else:
        text = ngettext(
            "The field '{name}' (type {type}) is mapped to the column '{column}', but {failed} of "
            "its first {looked} values does not convert (for example, {reason}); rows "
            "with such values are invalid and not sent. Map a column that holds that type, or "
            "choose the type that the column holds.",
            "The field '{name}' (type {type}) is mapped to the column '{column}', but {failed} of "
            "its first {looked} values do not convert (for example, {reason}); rows "
            "with such values are invalid and not sent. Map a column that holds that type, or "
            "choose the type that the column holds.",
            tally.failed,
        )
    return text.format(
        name=field.custom_name,
        type=type_words(field.custom_type or ""),
        column=field.column,
        failed=number(tally.failed),
        looked=number(tally.looked_at),
        reason=tally.reason,
    )
