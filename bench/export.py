"""Export throughput: 100,000 profiles to the local Autopilot and Ortto test servers.

Runs the real engine and client against each destination's test server at its default rate
(Autopilot Journeys 5 requests/s, Ortto 10) with 150 ms and with 1 s of server latency, and
prints, for each: seconds, achieved requests/s over the configured rate, and the number of 429
answers. At 100 contacts per request the floor is 200 s per run for Autopilot and 100 s for
Ortto.

    .venv/bin/python bench/export.py [--service autopilot|ortto ...] [--profiles N]
                                     [--latency S ...]
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
from tests.support.autopilot_sim import AutopilotSimulator  # noqa: E402
from tests.support.ortto_sim import OrttoSimulator  # noqa: E402

KEY = "apk-bench-0000000000000000000000000000"


def write_profiles(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Id,FirstName,LastName,Email,City,Points\n")
        for i in range(count):
            handle.write(f"{i},First{i},Last{i},person{i}@example.com,Oslo,{i % 500}\n")


# Per destination: its test server, its default rate, the path of its bulk request and a
# mapping with a city field in its own vocabulary.
SERVICES = {
    "autopilot": (AutopilotSimulator, 5.0, "/contacts", "MailingCity"),
    "ortto": (OrttoSimulator, 10.0, "/person/merge", "geo::city"),
}


def one_run(profiles: Path, service: str, latency: float) -> None:
    server, rate, path, city = SERVICES[service]
    with tempfile.TemporaryDirectory() as home:
        os.environ["AUTOPILOT_EXPORTER_HOME"] = home
        ctx = build_context(secret_store=MemorySecretStore())
        ctx.profiles.import_file(profiles, "Bench")
        ctx.segments.add(Segment("Bench everyone", "Bench", "all", ()))
        options: dict[str, object] = {"custom_fields": {"Points": "integer"}}
        if server is AutopilotSimulator:
            options = {}
        with server(keys={KEY}, rate=rate, burst=int(rate), latency=latency, **options) as sim:
            sim.configure(record_bodies=False)
            connection = Connection(
                "Sim", base_url=sim.base_url, rate_limit=rate, consent_at=utc_now(), service=service
            )
            ctx.keys.save(connection, KEY)
            mapping = Mapping(
                fields=(
                    FieldMapping("Email", "Email"),
                    FieldMapping("FirstName", "FirstName"),
                    FieldMapping("LastName", "LastName"),
                    FieldMapping(city, "City"),
                    FieldMapping("custom:integer:Points", "Points"),
                )
            )
            export = ctx.exports.save(Export("Bench", "Sim", ("Bench everyone",), mapping))
            started = time.monotonic()
            plan = ctx.runner.plan(export)
            planned = time.monotonic()
            run = ctx.runner.run(plan, KEY)
            elapsed = time.monotonic() - planned
            requests = sum(1 for r in sim.requests() if r.path == path)
            throttled = sim.count_429()
        achieved = requests / elapsed
        print(
            f"{service:9} latency {latency * 1000:5.0f} ms: {run.sent:,} sent ({run.status}) in "
            f"{elapsed:6.1f} s (+{planned - started:.1f} s planning); {requests} bulk requests, "
            f"{achieved:.2f} r/s = {achieved / rate:.2f} of {rate:g} r/s; 429s: {throttled}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", nargs="+", choices=list(SERVICES), default=list(SERVICES))
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--latency", type=float, nargs="+", default=[0.15, 1.0])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        profiles = Path(scratch) / "profiles.csv"
        write_profiles(profiles, args.profiles)
        for service in args.service:
            rate = SERVICES[service][1]
            print(
                f"{args.profiles:,} profiles to {service} at {rate:g} requests/s "
                f"(floor {args.profiles / 100 / rate:.0f} s per run)",
                flush=True,
            )
            for latency in args.latency:
                one_run(profiles, service, latency)


if __name__ == "__main__":
    main()
