"""Benchmark: importing a 1,000,000-row, 20-column CSV against DuckDB's own bare read_csv.

    .venv/bin/python bench/profiles.py [--rows N] [--repeat K]

Writes the CSV once into bench/out/ (gitignored) and reuses it. Each round imports the file with
ProfileStore into a fresh data folder, and runs DuckDB's bare ``read_csv`` (auto-detected,
all_varchar) into a table of a fresh database file: the like-for-like figure, because an import
must end up in a database file too. The figure is the ratio of the medians; the goal is <= 1.5.

``prepare()`` leaves the imported store behind for further measurements (segment counts).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from app.core.profiles import ProfileStore
from app.core.store import StateStore

OUT = Path(__file__).resolve().parent / "out"
SOURCE = "bench"
COLUMNS = (
    "customer_id", "email", "first_name", "last_name", "street", "postal_code", "city",
    "country", "phone", "birth_date", "gender", "language", "signup_date", "last_order",
    "orders", "total_spent", "vip", "segment", "consent", "note",
)  # fmt: skip
FIRST = ("Ola", "Kari", "Åse", "Per", "Jørn", "Zoë", "Liv", "Nils")
LAST = ("Nordmann", "Hansen", "Ødegård", "Berg", "Johansen", "Æsir")
CITIES = ("Oslo", "Bergen", "Tromsø", "Bodø", "Trondheim", "Ålesund")


def _row(index: int, rnd: random.Random) -> list[str]:
    first, last = rnd.choice(FIRST), rnd.choice(LAST)
    note = "none"
    if index % 10 == 0:
        note = f'"said ""hi"", then left; {index}"'
    elif index % 1000 == 1:
        note = f'"two\nlines {index}"'
    return [
        str(100000 + index), f"user{index}@example.com", first, last,
        f'"Storgata {index % 200}, {rnd.choice(CITIES)}"', f"{rnd.randrange(10000):04d}",
        rnd.choice(CITIES), "NO", f"+47 {rnd.randrange(10**7, 10**8)}",
        f"19{rnd.randrange(40, 99)}-0{rnd.randrange(1, 9)}-1{rnd.randrange(0, 9)}",
        rnd.choice("FMX"), rnd.choice(("nb", "nn", "en")), "2023-01-15", "2024-05-01T10:00:00",
        str(rnd.randrange(50)), f"{rnd.random() * 10000:.2f}", rnd.choice(("true", "false")),
        rnd.choice(("gold", "silver", "bronze")), rnd.choice(("yes", "no")), note,
    ]  # fmt: skip


def ensure_csv(rows: int, out: Path = OUT) -> Path:
    """The benchmark file (UTF-8, CRLF, quoted fields), written once per row count."""
    path = out / f"profiles-{rows}x{len(COLUMNS)}.csv"
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(20261129)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(COLUMNS) + "\r\n")
        for index in range(1, rows + 1):
            handle.write(",".join(_row(index, rnd)) + "\r\n")
    partial.replace(path)
    return path


def fresh_store(folder: Path) -> ProfileStore:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return ProfileStore(folder / "profiles.duckdb", StateStore(folder / "state.sqlite3"))


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def time_import(csv: Path, folder: Path) -> tuple[float, ProfileStore]:
    store = fresh_store(folder)
    seconds = _timed(lambda: store.import_file(csv, SOURCE))
    return seconds, store


def time_bare_read(csv: Path, folder: Path, *, in_memory: bool = False) -> float:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    database = ":memory:" if in_memory else str(folder / "bare.duckdb")

    def bare() -> None:
        con = duckdb.connect(database)
        con.execute(
            "CREATE TABLE bare AS SELECT * FROM read_csv(?, all_varchar = true)", [str(csv)]
        )
        con.close()

    return _timed(bare)


@dataclass
class Prepared:
    """The generated file and a store holding it imported as source ``SOURCE``."""

    csv: Path
    store: ProfileStore
    import_seconds: list[float]
    bare_seconds: list[float]
    bare_memory_seconds: list[float]


def prepare(rows: int, repeat: int, out: Path = OUT) -> Prepared:
    csv = ensure_csv(rows, out)
    imports: list[float] = []
    bares: list[float] = []
    memory: list[float] = []
    store: ProfileStore | None = None
    for _ in range(repeat):  # interleaved, so a busy moment on the machine hits both sides
        bares.append(time_bare_read(csv, out / "bare"))
        seconds, store = time_import(csv, out / "store")
        imports.append(seconds)
        memory.append(time_bare_read(csv, out / "bare", in_memory=True))
    shutil.rmtree(out / "bare", ignore_errors=True)
    assert store is not None
    return Prepared(csv, store, imports, bares, memory)


def _runs(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):6.2f} s  (runs: {' '.join(f'{v:.2f}' for v in values)})"
    )


def report_import(prepared: Prepared) -> None:
    source = prepared.store.get_source(SOURCE)
    size_mb = prepared.csv.stat().st_size / 1e6
    ratio = statistics.median(prepared.import_seconds) / statistics.median(prepared.bare_seconds)
    print(f"file          {prepared.csv} ({size_mb:.1f} MB)")
    print(f"imported      {source.rows:,} rows, {len(source.columns)} columns")
    print(f"import        {_runs(prepared.import_seconds)}   ProfileStore.import_file")
    print(f"bare read     {_runs(prepared.bare_seconds)}   read_csv -> table in a database file")
    print(f"ratio         {ratio:6.2f}   import / bare read (goal <= 1.5)")
    print(f"for reference {_runs(prepared.bare_memory_seconds)}   read_csv -> in-memory table")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    prepared = prepare(args.rows, args.repeat)
    report_import(prepared)
    from segments import bench_segment_count, service_for  # bench/segments.py, beside this file

    bench_segment_count(service_for(prepared.store), SOURCE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
