"""CSV, TSV and TXT: detect the encoding and dialect, make the text UTF-8, load it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from app.core import advice
from app.core.errors import InputFileError
from app.core.i18n import _, number
from app.core.profiles.dialect import DelimitedFile, Dialect, check_delimiter, detect_dialect
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

T = TypeVar("T")
Quotes = Callable[[], int | None]
Loader = Callable[[DelimitedFile, Quotes], T]


def import_delimited(
    target: Target, path: Path, *, encoding: str | None, delimiter: str | None
) -> Loaded:
    check_delimiter(delimiter)

    def dialect_of(sample: TextSample) -> Dialect:
        return detect_dialect(path, sample, delimiter)

    def load(file: DelimitedFile, quotes: Quotes) -> Loaded:
        return load_checked(target.con, target.table, file, target.workdir, target.pool, quotes)

    loaded, used, dialect = read_delimited(target, path, encoding, dialect_of, load)
    return dataclasses.replace(loaded, encoding=used, delimiter=dialect.delimiter)


def read_delimited(
    target: Target,
    path: Path,
    encoding: str | None,
    dialect_of: Callable[[TextSample], Dialect],
    load: Loader[T],
) -> tuple[T, str, Dialect]:
    """Decide the encoding (``encoding``, else detected), make the text UTF-8, ``load`` it.

    Returns what ``load`` made of the file, the encoding it was read with and its dialect.
    """
    forced = normalize_encoding(encoding) if encoding else None
    sample = read_sample(path, forced)
    try:
        return _read(target, path, sample, dialect_of, load)
    except NotUtf8 as failure:
        # The first megabyte was UTF-8 and a later part is not: Windows-1252 after all.
        if sample.encoding != "utf-8" or not sample.detected:
            if failure.line:
                text = _("{path} is not valid UTF-8 text (line {line}). {advice}").format(
                    path=path, line=number(failure.line), advice=advice.ENCODING
                )
            else:
                text = _("{path} is not valid UTF-8 text. {advice}").format(
                    path=path, advice=advice.ENCODING
                )
            raise InputFileError(text) from failure
    return _read(target, path, read_sample_as_cp1252(path), dialect_of, load)


def _read(
    target: Target,
    path: Path,
    sample: TextSample,
    dialect_of: Callable[[TextSample], Dialect],
    load: Loader[T],
) -> tuple[T, str, Dialect]:
    dialect = dialect_of(sample)
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

    return load(file, quotes), sample.encoding, dialect
