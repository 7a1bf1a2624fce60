"""A repeated export: 100,000 profiles exported, then 1% changed and exported again.

Runs the real engine and client against each destination's local test server at its default
rate with 150 ms of latency and prints, side by side, the full run and the repeated run: wall
time (planning included), requests, contacts sent and unchanged, and the repeated run's share of
the full run's time (goal: at most 5%).

    .venv/bin/python bench/repeat.py [--service autopilot|ortto ...] [--profiles N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.context import build_context  # noqa: E402
from app.core.connections import Connection  # noqa: E402
from app.core.export import Export  # noqa: E402
from app.core.mapping import FieldMapping, Mapping  # noqa: E402
from app.core.secrets import MemorySecretStore  # noqa: E402
from app.core.segments import Segment  # noqa: E402
from app.core.store import utc_now  # noqa: E402
from bench.export import KEY, SERVICES, write_profiles  # noqa: E402


def change_one_percent(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Id,FirstName,LastName,Email,City,Points\n")
        for i in range(count):
            points = 100_000 + i if i % 100 == 0 else i % 500
            handle.write(f"{i},First{i},Last{i},person{i}@example.com,Oslo,{points}\n")


def timed_run(ctx, export: Export, sim, path: str) -> tuple[float, int, object]:  # type: ignore[no-untyped-def]
    before = sum(1 for r in sim.requests())
    started = time.monotonic()
    run = ctx.runner.run(ctx.runner.plan(export), KEY)
    elapsed = time.monotonic() - started
    return elapsed, sum(1 for r in sim.requests()) - before, run


def bench(service: str, profiles: Path, count: int) -> None:
    server, rate, path, city = SERVICES[service]
    with tempfile.TemporaryDirectory() as home:
        os.environ["AUTOPILOT_EXPORTER_HOME"] = home
        ctx = build_context(secret_store=MemorySecretStore())
        ctx.profiles.import_file(profiles, "Bench")
        ctx.segments.add(Segment("Bench everyone", "Bench", "all", ()))
        options: dict[str, object] = {}
        if service == "ortto":
            options["custom_fields"] = {"Points": "integer"}
        with server(keys={KEY}, rate=rate, burst=int(rate), latency=0.15, **options) as sim:
            sim.configure(record_bodies=False)
            connection = Connection(
                "Sim", base_url=sim.base_url, rate_limit=rate, consent_at=utc_now(), service=service
            )
            ctx.keys.save(connection, KEY)
            mapping = Mapping(
                fields=(
                    FieldMapping("Email", "Email"),
                    FieldMapping("FirstName", "FirstName"),
                    FieldMapping(city, "City"),
                    FieldMapping("custom:integer:Points", "Points"),
                )
            )
            export = ctx.exports.save(Export("Bench", "Sim", ("Bench everyone",), mapping))
            full_s, full_requests, full = timed_run(ctx, export, sim, path)
            change_one_percent(profiles, count)
            ctx.profiles.import_file(profiles, "Bench")
            again_s, again_requests, again = timed_run(ctx, export, sim, path)
            write_profiles(profiles, count)  # the next destination starts from the same file
    print(f"{service}: {count:,} profiles at {rate:g} requests/s, 150 ms latency", flush=True)
    print(f"  {'':10} {'time':>9} {'requests':>9} {'sent':>9} {'unchanged':>10}")
    for label, seconds, requests, run in (
        ("full", full_s, full_requests, full),
        ("1% changed", again_s, again_requests, again),
    ):
        print(
            f"  {label:10} {seconds:8.1f}s {requests:9,} {run.sent:9,} "  # type: ignore[attr-defined]
            f"{run.unchanged:10,}"  # type: ignore[attr-defined]
        )
    print(f"  repeated / full time: {again_s / full_s:.3f} (goal at most 0.05)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", nargs="+", choices=list(SERVICES), default=list(SERVICES))
    parser.add_argument("--profiles", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        profiles = Path(scratch) / "profiles.csv"
        for service in args.service:
            write_profiles(profiles, args.profiles)
            bench(service, profiles, args.profiles)


if __name__ == "__main__":
    main()
