"""Excel workbooks (.xlsx, .xlsm, .xls) through python-calamine, without any DuckDB extension.

The sheet is written as a temporary UTF-8 CSV and loaded by the same path as a text file, which
is the fastest way into DuckDB without pandas or Arrow. Cells become the text a person sees:
calamine hands whole numbers back as floats, so ``1.0`` is written ``1``.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import python_calamine

from app.core.errors import InputFileError, NotFoundError
from app.core.i18n import _
from app.core.profiles.cells import cell_text
from app.core.profiles.dialect import DelimitedFile, Dialect
from app.core.profiles.loading import Loaded, load_checked
from app.core.profiles.target import Target


def import_excel(target: Target, path: Path, *, sheet: str | None) -> Loaded:
    workbook = _open(path)
    name = _choose_sheet(path, workbook, sheet)
    copy = target.workdir / "sheet.csv"
    rows = _non_empty_rows(workbook.get_sheet_by_name(name).iter_rows())
    header = _write_csv(rows, copy)
    if header is None:
        raise InputFileError(
            _('{path}: sheet "{name}" is empty; choose another with --sheet.').format(
                path=path, name=name
            )
        )
    file = DelimitedFile(copy, path, Dialect(",", 0, header), trusted=True)
    loaded = load_checked(target.con, target.table, file, target.workdir, target.pool, _unknown)
    return dataclasses.replace(loaded, sheet=name)


def _unknown() -> int | None:
    return None


def _open(path: Path) -> Any:
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError as exc:
        raise InputFileError(
            _(
                "{path} is protected by a password; save an unprotected copy and import that."
            ).format(path=path)
        ) from exc
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        if _looks_like_text(path):
            text = _(
                "{path} is not a valid Excel workbook ({reason}); it looks like a text file: "
                "rename it to .csv and import that."
            )
        else:
            text = _("{path} is not a valid Excel workbook ({reason}).")
        raise InputFileError(text.format(path=path, reason=str(exc).splitlines()[0])) from exc


def _looks_like_text(path: Path) -> bool:
    """Some systems save CSV or TSV text under an Excel name; say so when it looks like text."""
    with path.open("rb") as handle:
        start = handle.read(4096)
    return b"\x00" not in start


def _choose_sheet(path: Path, workbook: Any, wanted: str | None) -> str:
    names = [str(name) for name in workbook.sheet_names]
    if not names:
        raise InputFileError(_("{path} has no sheets.").format(path=path))
    if wanted is None:
        return _first_visible_worksheet(workbook) or names[0]
    if wanted in names:
        return wanted
    folded = [name for name in names if name.casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    listed = ", ".join(f'"{name}"' for name in names)
    raise NotFoundError(
        _('{name} has no sheet "{sheet}"; its sheets are: {sheets}.').format(
            name=path.name, sheet=wanted, sheets=listed
        )
    )


def _first_visible_worksheet(workbook: Any) -> str | None:
    visible = python_calamine.SheetVisibleEnum.Visible
    worksheet = python_calamine.SheetTypeEnum.WorkSheet
    for meta in workbook.sheets_metadata:
        if meta.visible == visible and meta.typ == worksheet:
            return str(meta.name)
    return None


def _non_empty_rows(rows: Iterable[list[Any]]) -> Iterator[list[str]]:
    # An empty row in a sheet is spacing, not a record (as a blank line in a CSV file).
    for row in rows:
        cells = [cell_text(value) for value in row]
        if any(cells):
            yield cells


def _write_csv(rows: Iterator[list[str]], dest: Path) -> tuple[str, ...] | None:
    header = next(rows, None)
    if header is None:
        return None
    with dest.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return tuple(header)
