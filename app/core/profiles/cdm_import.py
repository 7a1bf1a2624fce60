"""One entity of a Common Data Model folder into one source table (the format: cdm.py).

Each partition is read exactly as a CSV file is (encoding detected or as model.json says,
transcoded to UTF-8 when needed, loaded by DuckDB and checked by Python's parser), with the
entity's attribute names as its header, into a table of its own; the partitions are then appended
in model.json's order, numbering the rows on. A partition whose records do not have one cell per
attribute is an error naming it: a short or misaligned source would export wrong people.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path

import duckdb

from app.core import advice
from app.core.errors import InputFileError, UsageError
from app.core.i18n import _, ngettext, number
from app.core.profiles.cdm import Entity, Model, Partition, read_model, resolve
from app.core.profiles.columns import clean_names, finish_table, refuse_duplicates
from app.core.profiles.csv_import import Quotes, read_delimited
from app.core.profiles.database import drop_table, new_table_name, progress_of
from app.core.profiles.dialect import DelimitedFile, Dialect
from app.core.profiles.duckload import quote_identifier
from app.core.profiles.encoding import TextSample, normalize_encoding
from app.core.profiles.loading import Loaded, load_exact
from app.core.profiles.models import ROW_NUMBER_COLUMN, physical_name
from app.core.profiles.target import Target, digest_file

Progress = Callable[[float], None]
_START, _END = 0.02, 0.95


@dataclasses.dataclass(frozen=True)
class _Part:
    partition: Partition
    path: Path
    size: int


def import_cdm(
    target: Target,
    path: Path,
    *,
    entity: str | None,
    encoding: str | None,
    on_progress: Progress | None = None,
) -> Loaded:
    """Load entity ``entity`` (default: the only one) of the folder or model.json ``path``."""
    model = read_model(path)
    chosen = model.entity(entity)
    names = clean_names(chosen.columns)
    refuse_duplicates(model.path, names)
    parts = _parts(model, chosen)
    width = len(names)
    _create(target.con, target.table, width)
    digests = [target.digest.result().sha256]
    encodings: list[str] = []
    offset = 0
    total = sum(part.size for part in parts) or 1
    done = 0
    for part_no, part in enumerate(parts, start=1):
        start = _START + (_END - _START) * done / total
        end = _START + (_END - _START) * (done + part.size) / total
        with progress_of(target.con, on_progress, start, end):
            rows, used, sha = _append(target, part, names, offset, part_no, encoding)
        offset += rows
        done += part.size
        digests.append(sha)
        if used and used not in encodings:
            encodings.append(used)
    if offset == 0:
        raise InputFileError(
            ngettext(
                'Entity "{entity}" in {path} has no rows in its {count} partition file; export '
                "the data again.",
                'Entity "{entity}" in {path} has no rows in its {count} partition files; export '
                "the data again.",
                len(parts),
            ).format(entity=chosen.name, path=model.path, count=number(len(parts)))
        )
    finished = finish_table(target.con, target.table, model.path, names, padded=False)
    return Loaded(
        rows=offset,
        columns=finished.columns,
        warnings=finished.warnings,
        encoding=", ".join(encodings) or None,
        delimiter=parts[0].partition.settings.delimiter,
        entity=chosen.name,
        partitions=len(parts),
        sha256=hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest(),
    )


def _parts(model: Model, entity: Entity) -> list[_Part]:
    if not entity.partitions:
        raise InputFileError(
            _(
                'Entity "{entity}" in {path} lists no partitions (data files), so it has no data '
                "here; export it again with its data."
            ).format(entity=entity.name, path=model.path)
        )
    parts = []
    for partition in entity.partitions:
        file = resolve(model, entity, partition)
        parts.append(_Part(partition, file, file.stat().st_size))
    return parts


def _create(con: duckdb.DuckDBPyConnection, table: str, width: int) -> None:
    cells = ", ".join(f"{physical_name(i)} VARCHAR" for i in range(width))
    con.execute(f"CREATE TABLE {quote_identifier(table)} ({ROW_NUMBER_COLUMN} BIGINT, {cells})")


def _append(
    target: Target,
    part: _Part,
    names: list[str],
    offset: int,
    part_no: int,
    encoding: str | None,
) -> tuple[int, str | None, str]:
    """Append one partition's rows after row ``offset``: (rows, encoding read, sha256).

    ``encoding`` (the user's) overrides the one model.json gives.
    """
    try:
        return _append_file(target, part, names, offset, part_no, encoding)
    except OSError as exc:
        raise InputFileError(
            _(
                'Partition "{partition}" ({path}) cannot be read ({reason}); check the file and '
                "its permissions."
            ).format(partition=part.partition.name, path=part.path, reason=exc.strerror)
        ) from exc


def _encoding(part: _Part, encoding: str | None) -> str | None:
    if encoding is not None:
        return encoding
    named = part.partition.settings.encoding
    if named is None:
        return None
    try:
        normalize_encoding(named)
    except UsageError as exc:
        raise InputFileError(
            _(
                'Partition "{partition}" ({path}) is described as encoded in "{encoding}", which '
                "is not a known encoding. {advice}"
            ).format(
                partition=part.partition.name,
                path=part.path,
                encoding=named,
                advice=advice.ENCODING,
            )
        ) from exc
    return named


def _append_file(
    target: Target,
    part: _Part,
    names: list[str],
    offset: int,
    part_no: int,
    encoding: str | None,
) -> tuple[int, str | None, str]:
    digest = target.pool.submit(digest_file, part.path)
    if part.size == 0:
        return 0, None, digest.result().sha256
    settings = part.partition.settings
    encoding = _encoding(part, encoding)
    dialect = Dialect(
        delimiter=settings.delimiter,
        skip_lines=0,
        header=tuple(names),
        header_line=settings.column_headers,
        quoting=settings.quoting,
    )
    workdir = target.workdir / f"partition-{part_no}"
    workdir.mkdir()
    scratch = new_table_name()
    own = dataclasses.replace(target, table=scratch, workdir=workdir, digest=digest)

    def dialect_of(_sample: TextSample) -> Dialect:
        return dialect

    def load(file: DelimitedFile, quotes: Quotes) -> int:
        return load_exact(own.con, scratch, file, workdir, own.pool, quotes)

    try:
        rows, used, _dialect = read_delimited(own, part.path, encoding, dialect_of, load)
        cells = ", ".join(physical_name(i) for i in range(len(names)))
        target.con.execute(
            f"INSERT INTO {quote_identifier(target.table)} "  # noqa: S608 (generated names)
            f"SELECT {ROW_NUMBER_COLUMN} + ?, {cells} FROM {quote_identifier(scratch)} "
            f"ORDER BY {ROW_NUMBER_COLUMN}",
            [offset],
        )
    finally:
        drop_table(target.con, scratch)
    return rows, used, digest.result().sha256
