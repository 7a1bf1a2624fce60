"""Which reader a file needs, and the checks every file passes before any reader runs."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import InputFileError, UsageError
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
        raise InputFileError(f"{path}: no such file; check the path.")
    if is_model_path(path):
        model_file(path)
        return "cdm"
    if not path.is_file():
        raise InputFileError(f"{path} is not a regular file; give the path of a data file.")
    kind = _EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        known = " ".join(sorted(_EXTENSIONS))
        raise InputFileError(
            f"{path}: files of type '{path.suffix or '(none)'}' cannot be imported; "
            f"use one of {known}."
        )
    try:
        with path.open("rb") as handle:
            empty = not handle.read(1)
    except OSError as exc:
        raise InputFileError(
            f"{path} cannot be read ({exc.strerror}); check its permissions."
        ) from exc
    if empty:
        raise InputFileError(f"{path} is empty; export the data again and import that file.")
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
            f"{path.name} is not a Customer Insights folder (a folder with a model.json); "
            "--entity applies only to those."
        )
    if sheet is not None and kind != "excel":
        raise UsageError(f"{path.name} is not an Excel workbook; --sheet applies only to Excel.")
    if kind == "cdm" and delimiter is not None:
        raise UsageError(
            f"{path.name} is a Customer Insights folder; its model.json gives the delimiter, so "
            "--delimiter does not apply."
        )
    if kind not in ("csv", "cdm") and (encoding is not None or delimiter is not None):
        raise UsageError(
            f"{path.name} is not a text file; --encoding and --delimiter apply only to CSV/TSV/TXT."
        )
