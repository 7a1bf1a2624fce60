"""Where an importer writes: the open DuckDB connection, the new table's name, a scratch folder,
and the threads that hash (and may re-read) the file while DuckDB loads it."""

from __future__ import annotations

import hashlib
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path

import duckdb

_CHUNK = 4 << 20


@dataclass(frozen=True)
class Digest:
    sha256: str
    quotes: int


def digest_file(path: Path) -> Digest:
    """SHA-256 of the bytes, and the number of ``"`` bytes (an odd count means a quote is open)."""
    sha = hashlib.sha256()
    quotes = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha.update(chunk)
            quotes += chunk.count(b'"')
    return Digest(sha256=sha.hexdigest(), quotes=quotes)


@dataclass(frozen=True)
class Target:
    con: duckdb.DuckDBPyConnection
    table: str
    workdir: Path
    pool: Executor
    digest: Future[Digest]
