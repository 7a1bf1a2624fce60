"""A whole export mapping: which source columns become which contact fields."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.errors import UsageError
from app.core.i18n import _, listed
from app.core.mapping.fields import EMAIL_TARGET, FieldMapping, Vocabulary

_LISTED_COLUMNS = 25


@dataclass(frozen=True)
class Mapping:
    """The fields of one export, in the order the user mapped them."""

    fields: tuple[FieldMapping, ...]

    @classmethod
    def from_specs(cls, specs: Iterable[str], vocabulary: Vocabulary) -> Mapping:
        """From CLI ``--map`` specs; raises UsageError on the first bad one."""
        return cls(tuple(FieldMapping.parse(spec, vocabulary) for spec in specs))

    def email_column(self) -> str | None:
        for field in self.fields:
            if field.target == EMAIL_TARGET:
                return field.column
        return None

    def columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(field.column for field in self.fields))

    def problems(self, vocabulary: Vocabulary | None = None) -> list[str]:
        """What is wrong whatever the source: Email, fields mapped twice, and with a
        destination's vocabulary, targets it does not have."""
        found = [p for p in (_field_problem(field, vocabulary) for field in self.fields) if p]
        if self.email_column() is None:
            found.append(_("Map a column to Email: it is required"))
        found.extend(_twice_problems(self.fields))
        found.extend(_custom_clash_problems(self.fields))
        return found

    def validate(self, columns: Sequence[str], vocabulary: Vocabulary) -> list[str]:
        """Every problem the user must fix before this mapping can run on a source."""
        return self.problems(vocabulary) + _missing_column_problems(self.fields, columns)

    def to_json(self) -> list[dict[str, str]]:
        return [{"target": field.target, "column": field.column} for field in self.fields]

    @classmethod
    def from_json(cls, data: object) -> Mapping:
        if not isinstance(data, list):
            raise UsageError(_damaged())
        return cls(tuple(_field_from_json(item) for item in data))

    def to_cli_dict(self) -> dict[str, str]:
        return {field.target: field.column for field in self.fields}


def _field_from_json(item: object) -> FieldMapping:
    if isinstance(item, dict):
        target, column = item.get("target"), item.get("column")
        if isinstance(target, str) and isinstance(column, str):
            return FieldMapping(target, column)
    raise UsageError(_damaged())


def _damaged() -> str:
    return _("The saved mapping is damaged: edit the export and map it again")


def _field_problem(field: FieldMapping, vocabulary: Vocabulary | None) -> str | None:
    problem = field.target_problem(vocabulary) if vocabulary is not None else None
    if problem:
        return problem
    if not field.column.strip():
        return _("{field} has no source column: choose one").format(field=field.label)
    return None


def _twice_problems(fields: Sequence[FieldMapping]) -> list[str]:
    by_target: dict[str, list[FieldMapping]] = {}
    for field in fields:
        by_target.setdefault(field.target, []).append(field)
    return [
        _("{field} is mapped more than once (from {columns}): keep one").format(
            field=group[0].label, columns=_quoted(f.column for f in group)
        )
        for group in by_target.values()
        if len(group) > 1
    ]


def _custom_clash_problems(fields: Sequence[FieldMapping]) -> list[str]:
    """Custom fields a destination would see as one, e.g. the same name with two types."""
    by_name: dict[str, set[str]] = {}
    for field in fields:
        if field.is_custom and field.custom_name:
            folded = field.custom_name.replace(" ", "--").casefold()
            by_name.setdefault(folded, set()).add(field.target)
    return [
        _("Custom fields {fields} are one field at the destination: keep one").format(
            fields=_quoted(sorted(targets))
        )
        for targets in by_name.values()
        if len(targets) > 1
    ]


def _missing_column_problems(fields: Sequence[FieldMapping], columns: Sequence[str]) -> list[str]:
    known = set(columns)
    missing = [c for c in dict.fromkeys(f.column for f in fields) if c.strip() and c not in known]
    return [_missing_column_message(column, fields, columns) for column in missing]


def _missing_column_message(
    column: str, fields: Sequence[FieldMapping], columns: Sequence[str]
) -> str:
    targets = ", ".join(f.label for f in fields if f.column == column)
    close = difflib.get_close_matches(column, list(columns), n=1, cutoff=0.75)
    if not columns:
        return _(
            "Column {column} (mapped to {fields}) is not in the source: it has no columns"
        ).format(column=repr(column), fields=targets)
    if close:
        text = _(
            "Column {column} (mapped to {fields}) is not in the source: did you mean {close}? "
            "Its columns are {columns}"
        )
    else:
        text = _(
            "Column {column} (mapped to {fields}) is not in the source: its columns are {columns}"
        )
    return text.format(
        column=repr(column),
        fields=targets,
        close=repr(close[0]) if close else "",
        columns=listed([repr(column) for column in columns], _LISTED_COLUMNS),
    )


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(repr(value) for value in values)
