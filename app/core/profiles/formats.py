"""Which reader a file needs, and the checks every file passes before any reader runs."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import InputFileError, UsageError
from app.core.i18n import _
from app.core.profiles.cdm import is_model_path, model_file

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".tab": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def file_format(path: Path) -> str:
    """``csv``, ``excel`` or ``parquet`` for an existing, non-empty file, ``cdm`` for a Customer
    Insights (Common Data Model) folder or its model.json; else InputFileError."""
    if not path.exists():
        raise InputFileError(_("{path}: no such file; check the path.").format(path=path))
    if is_model_path(path):
        model_file(path)
        return "cdm"
    if not path.is_file():
        raise InputFileError(
            _("{path} is not a regular file; give the path of a data file.").format(path=path)
        )
    kind = _EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        known = " ".join(sorted(_EXTENSIONS))
        if path.suffix:
            text = _("{path}: files of type '{suffix}' cannot be imported; use one of {known}.")
        else:
            text = _("{path}: files without an extension cannot be imported; use one of {known}.")
        raise InputFileError(text.format(path=path, suffix=path.suffix, known=known))
    try:
        with path.open("rb") as handle:
            empty = not handle.read(1)
    except OSError as exc:
        raise InputFileError(
            _("{path} cannot be read ({reason}); check its permissions.").format(
                path=path, reason=exc.strerror
            )
        ) from exc
    if empty:
        raise InputFileError(
            _("{path} is empty; export the data again and import that file.").format(path=path)
        )
    return kind


def check_options(
    kind: str,
    path: Path,
    *,
    sheet: str | None,
    encoding: str | None,
    delimiter: str | None,
    entity: str | None = None,
) -> None:
    """Refuse options that do not apply to this kind of file, rather than ignore them."""
    if entity is not None and kind != "cdm":
        raise UsageError(
            _(
                "{name} is not a Customer Insights folder (a folder with a model.json); "
                "--entity applies only to those."
            ).format(name=path.name)
        )
    if sheet is not None and kind != "excel":
        raise UsageError(
            _("{name} is not an Excel workbook; --sheet applies only to Excel.").format(
                name=path.name
            )
        )
    if kind == "cdm" and delimiter is not None:
        raise UsageError(
            _(
                "{name} is a Customer Insights folder; its model.json gives the delimiter, so "
                "--delimiter does not apply."
            ).format(name=path.name)
        )
    if kind not in ("csv", "cdm") and (encoding is not None or delimiter is not None):
        raise UsageError(
            _(
                "{name} is not a text file; --encoding and --delimiter apply only to CSV/TSV/TXT."
            ).format(name=path.name)
        )
