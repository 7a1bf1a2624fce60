"""CSV, TSV and TXT: detect the encoding and dialect, make the text UTF-8, load it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from app.core.errors import InputFileError
from app.core.profiles.dialect import DelimitedFile, check_delimiter, detect_dialect
from app.core.profiles.duckload import NotUtf8
from app.core.profiles.encoding import (
    TextSample,
    normalize_encoding,
    read_sample,
    read_sample_as_cp1252,
    transcode,
)
from app.core.profiles.loading import Loaded, load_checked
from app.core.profiles.target import Target


def import_delimited(
    target: Target, path: Path, *, encoding: str | None, delimiter: str | None
) -> Loaded:
    forced = normalize_encoding(encoding) if encoding else None
    check_delimiter(delimiter)
    sample = read_sample(path, forced)
    try:
        return _import(target, path, sample, delimiter)
    except NotUtf8 as failure:
        # The first megabyte was UTF-8 and a later part is not: Windows-1252 after all.
        if sample.encoding != "utf-8" or not sample.detected:
            line = f" (line {failure.line})" if failure.line else ""
            raise InputFileError(
                f"{path} is not valid UTF-8 text{line}; pass the right --encoding, "
                "for example cp1252."
            ) from failure
    return _import(target, path, read_sample_as_cp1252(path), delimiter)


def _import(target: Target, path: Path, sample: TextSample, delimiter: str | None) -> Loaded:
    dialect = detect_dialect(path, sample, delimiter)
    if sample.is_utf8:
        file = DelimitedFile(path=path, origin=path, dialect=dialect)

        def quotes() -> int | None:
            return target.digest.result().quotes

    else:
        copy = target.workdir / "utf8.csv"
        count = transcode(path, sample.encoding, copy, detected=sample.detected)
        file = DelimitedFile(path=copy, origin=path, dialect=dialect, quotes=count)

        def quotes() -> int | None:
            return count

    loaded = load_checked(target.con, target.table, file, target.workdir, target.pool, quotes)
    return dataclasses.replace(loaded, encoding=sample.encoding, delimiter=dialect.delimiter)
