"""The rejected-rows report: a CSV a marketer can open in Excel safely."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from app.core.errors import UsageError
from app.core.history.models import RowDetail
from app.core.i18n import _

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: str) -> str:
    """Prefix cells Excel would run as formulas (CSV injection) with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_rejected_csv(rows: Iterable[RowDetail], path: Path) -> int:
    """Write rejected and invalid rows; returns how many. UTF-8 with BOM so Excel reads it."""
    count = 0
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["segment", "row", "state", "email", "reason"])
            for row in rows:
                writer.writerow(
                    [
                        excel_safe(row.segment),
                        row.row_number,
                        row.state,
                        excel_safe(row.email),
                        excel_safe(row.reason),
                    ]
                )
                count += 1
    except OSError as exc:
        raise UsageError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=exc.strerror or exc)
        ) from exc
    return count
