"""Segment count speed: the median milliseconds of counting a two-rule segment.

On its own (from the repository root)::

    .venv/bin/python bench/segments.py [--rows 1000000] [--repeats 21] [--dir DIR]

generates a 20-column customer CSV (seeded, so every run sees the same data), imports it with
ProfileStore, and prints the median count time of a typical two-rule segment, then of a few
other rule pairs so that no operator hides a slow path. ``bench/profiles.py`` calls
``bench_segment_count(service_for(store), source)`` on the source it has imported itself.

Every count opens its own read-only DuckDB connection, as the window and the CLI do, so the
figure includes that cost.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from app.core.profiles import ProfileStore
from app.core.segments import Rule, Segment, SegmentService
from app.core.segments.values import parse_number
from app.core.store import StateStore

SEED = 20261129
_SAMPLE_ROWS = 2_000

Printer = Callable[[str], None]


def bench_segment_count(
    segments: SegmentService,
    source: str,
    rules: Sequence[Rule] | None = None,
    *,
    match: str = "all",
    repeats: int = 21,
    out: Printer = print,
) -> float:
    """Print and return the median milliseconds of ``segments.count`` for two rules.

    Without ``rules``, two typical ones are picked from a sample of the source: ``eq`` on its
    most repetitive text column (a city, a country) and ``gt`` on a numeric column.
    """
    chosen = list(rules) if rules is not None else default_rules(segments, source)
    segment = Segment.build("bench", source, chosen, match)
    members = segments.count(segment)  # the first open also warms the OS file cache
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        segments.count(segment)
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    joiner = " and " if match == "all" else " or "
    described = joiner.join(f"{r.field} {r.op} {r.value!r}" for r in chosen)
    out(
        f"segment count [{described}]: {members:,} members; median {median:.1f} ms "
        f"(min {min(timings):.1f}, max {max(timings):.1f}, {repeats} runs)"
    )
    return median


def service_for(store: ProfileStore) -> SegmentService:
    """Segments over ``store``, whose state file lies beside ``profiles.duckdb`` (the layout of
    the application's data folder and of bench/profiles.py)."""
    return SegmentService(StateStore(store.db_path.parent / "state.sqlite3"), store)


def default_rules(segments: SegmentService, source: str) -> list[Rule]:
    """``eq`` on the text column with the fewest distinct values, ``gt`` its median number."""
    columns, members = segments.preview(Segment("sample", source), limit=_SAMPLE_ROWS)
    values = {column: [m.values[column].strip() for m in members] for column in columns}
    numeric = [c for c in columns if _share_numeric(values[c]) >= 0.9]
    text = [c for c in columns if c not in numeric and any(values[c])]
    rules = []
    if text:
        column = min(text, key=lambda c: len(set(values[c])))
        common = max(set(values[column]) - {""}, key=values[column].count)
        rules.append(Rule(column, "eq", common))
    if numeric:
        column = numeric[-1]
        numbers = sorted(n for n in map(parse_number, values[column]) if n is not None)
        rules.append(Rule(column, "gt", f"{numbers[len(numbers) // 2]:g}"))
    return rules or [Rule(columns[0], "not-empty", "")]


def _share_numeric(cells: list[str]) -> float:
    filled = [cell for cell in cells if cell]
    return sum(parse_number(c) is not None for c in filled) / len(filled) if filled else 0.0


# -- standalone run ---------------------------------------------------------------------------

HEADER = [
    "CustomerId", "Email", "FirstName", "LastName", "Phone", "Street", "PostalCode", "City",
    "Country", "BirthDate", "SignupDate", "LifetimeValue", "Orders", "LastOrder", "Gender",
    "Consent", "Tier", "Language", "Score", "Notes",
]  # fmt: skip
FIRST = ["Ola", "Kari", "Per", "Anne", "Nils", "Ingrid", "Lars", "Marit", "Åse", "Øystein"]
LAST = ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Ødegård", "Haugen"]
CITIES = ["Oslo", "Bergen", "Trondheim", "Stavanger", "Tromsø", " Drammen", "Bodø ", "Ålesund"]


def write_customers(path: Path, rows: int, seed: int = SEED) -> None:
    rng = random.Random(seed)
    epoch = date(1940, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for i in range(1, rows + 1):
            out.writerow(_customer(rng, i, epoch))


def _customer(rng: random.Random, i: int, epoch: date) -> list[object]:
    birth = epoch + timedelta(days=rng.randrange(25_000))
    signup = date(2015, 1, 1) + timedelta(days=rng.randrange(3_600))
    return [
        i,
        f"customer{i}@example.com" if rng.random() > 0.02 else "",
        rng.choice(FIRST),
        rng.choice(LAST),
        f"+47 {rng.randrange(40_000_000, 99_999_999)}",
        f"Storgata {rng.randrange(1, 200)}",
        f"{rng.randrange(10_000):04d}",
        rng.choice(CITIES),
        rng.choice(["NO", "NO", "NO", "SE", "DK"]),
        birth.strftime("%d.%m.%Y"),
        signup.isoformat(),
        f"{rng.randrange(100_000)},{rng.randrange(100):02d}",
        rng.randrange(60),
        (signup + timedelta(days=rng.randrange(900))).isoformat(),
        rng.choice(["F", "M", ""]),
        rng.choice(["yes", "no"]),
        rng.choice(["Bronze", "Silver", "Gold"]),
        rng.choice(["nb", "nn", "en", "sv"]),
        f"{rng.random() * 100:.1f}",
        "" if rng.random() > 0.1 else rng.choice(["  call back ", "VIP", "moved"]),
    ]


OTHER_PAIRS: list[tuple[str, list[Rule]]] = [
    ("all", [Rule("Email", "contains", "99@"), Rule("BirthDate", "lt", "01.01.1970")]),
    ("all", [Rule("LifetimeValue", "gt", "50000"), Rule("SignupDate", "ge", "2020-01-01")]),
    ("any", [Rule("Email", "eq", "customer7@example.com"), Rule("FirstName", "in", "Ola, Kari")]),
    ("all", [Rule("Email", "starts-with", "customer9"), Rule("Notes", "not-empty", "")]),
    ("all", [Rule("Tier", "ne", "gold"), Rule("LastName", "gt", "m")]),
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--dir", type=Path, help="work here and keep the files (default: temp)")
    args = parser.parse_args(argv)
    if args.dir:
        args.dir.mkdir(parents=True, exist_ok=True)
        return _run(args.dir, args.rows, args.repeats)
    with tempfile.TemporaryDirectory(prefix="bench-segments-") as work:
        return _run(Path(work), args.rows, args.repeats)


def _run(work: Path, rows: int, repeats: int) -> int:
    csv_path = work / "customers.csv"
    if not csv_path.exists():
        started = time.perf_counter()
        write_customers(csv_path, rows)
        print(f"generated {rows:,} rows x {len(HEADER)} columns in "
              f"{time.perf_counter() - started:.1f} s (seed {SEED})")  # fmt: skip
    state = StateStore(work / "state.sqlite3")
    profiles = ProfileStore(work / "profiles.duckdb", state)
    started = time.perf_counter()
    profiles.import_file(csv_path, "customers")
    print(f"imported in {time.perf_counter() - started:.1f} s")
    segments = SegmentService(state, profiles)
    bench_segment_count(segments, "customers", repeats=repeats)
    for match, rules in OTHER_PAIRS:
        bench_segment_count(segments, "customers", rules, match=match, repeats=repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
