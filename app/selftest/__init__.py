"""``autopilot-exporter --self-test``: prove that this build starts and finds what it needs.

Run in CI on the frozen program, it catches what unit tests cannot: a missing Qt plugin, data
file, keyring backend or certificate bundle. Each step prints one line, ``ok <step>: ...`` or
``FAIL <step>: <reason>``; the exit status is 0 when every step passed, else 1.

Everything happens offscreen in a temporary data directory that is removed afterwards. The
keyring is only asked which backend it would use: nothing is ever read from or written to it,
so the user's own keyring and home are never touched.

``AUTOPILOT_EXPORTER_SELF_TEST=startup`` turns ``--self-test`` into the start-up probe of
app/selftest/probe.py instead, which packaging/measure.py times.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from app.core.errors import AppError
from app.core.secrets import KeyringStatus
from app.selftest.probe import WindowNotShown, isolated_environment, shown_main_window

if TYPE_CHECKING:
    from app.context import AppContext
    from app.core.export import ExportPlan

T = TypeVar("T")
SAMPLE = "sample_customers.csv"
NAME = "Self-test"
DATA_STEPS = ("profiles", "export", "dry run")


class StepFailed(Exception):
    """A check that ran but found something wrong; the message is the reason."""


class _ReadOnlySecrets:
    """The real backend's status, and a guarantee that the self-test never uses the keyring."""

    def __init__(self, status: KeyringStatus) -> None:
        self.status = status

    def get(self, connection: str) -> str | None:
        return None

    def set(self, connection: str, api_key: str) -> None:
        raise StepFailed("the self-test tried to write to the keyring")

    def delete(self, connection: str) -> None:
        raise StepFailed("the self-test tried to delete from the keyring")


class SelfTest:
    """Runs steps, prints one line each, and remembers which failed."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failed: list[str] = []

    def step(self, name: str, action: Callable[[], tuple[T, str]]) -> T | None:
        try:
            value, detail = action()
        except (AppError, StepFailed, WindowNotShown) as exc:
            self._fail(name, str(exc))
            return None
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            self._fail(name, f"{type(exc).__name__}: {exc}")
            return None
        print(f"ok {name}: {detail}", file=self.out, flush=True)
        return value

    def skip(self, name: str, because: str) -> None:
        self._fail(name, f"not run, because {because} failed")

    def _fail(self, name: str, reason: str) -> None:
        self.failed.append(name)
        print(f"FAIL {name}: {reason}", file=self.out, flush=True)


def versions() -> tuple[None, str]:
    import platform

    import duckdb
    import PySide6
    from PySide6.QtCore import qVersion

    from app import __version__

    return None, (
        f"app {__version__}, Python {platform.python_version()}, Qt {qVersion()}, "
        f"PySide6 {PySide6.__version__}, DuckDB {duckdb.__version__}"
    )


def keyring_status() -> tuple[KeyringStatus, str]:
    from app.core.secrets import KeyringSecretStore

    status = KeyringSecretStore().status
    if not status.usable:
        return (
            status,
            f"no system keyring, backend {status.backend}; keys would be kept only for a session",
        )
    return status, f"{status.label}, backend {status.backend}"


def tls() -> tuple[None, str]:
    import ssl

    import certifi
    import requests.utils

    bundle = Path(certifi.where())
    if not bundle.is_file():
        raise StepFailed(f"the certificate bundle {bundle} is missing")
    # requests verifies HTTPS against this bundle (unless REQUESTS_CA_BUNDLE says otherwise).
    if Path(requests.utils.DEFAULT_CA_BUNDLE_PATH) != bundle:
        raise StepFailed(f"requests uses {requests.utils.DEFAULT_CA_BUNDLE_PATH}, not {bundle}")
    context = ssl.create_default_context(cafile=str(bundle))
    count = context.cert_store_stats()["x509_ca"]
    if count < 50:
        raise StepFailed(f"only {count} CA certificates loaded from {bundle}")
    return None, f"{count} CA certificates from {bundle.name} ({ssl.OPENSSL_VERSION})"


def resources() -> tuple[Path, str]:
    from importlib.resources import files

    from app.core.resources import resource_path, resources_root

    wanted = [SAMPLE, "icons/autopilot-exporter.svg", "icons/autopilot-exporter-256.png"]
    missing = [name for name in wanted if not resource_path(*name.split("/")).is_file()]
    if missing:
        raise StepFailed(f"missing in {resources_root()}: {', '.join(missing)}")
    # Code may also ask importlib.resources; in the frozen program both must find the same files.
    via_package = Path(str(files("app.resources").joinpath(SAMPLE)))
    if via_package.resolve() != resource_path(SAMPLE).resolve():
        raise StepFailed(f"app.resources points to {via_package}, not into {resources_root()}")
    return resource_path(SAMPLE), f"{len(wanted)} files found in {resources_root()}"


def commands() -> tuple[None, str]:
    """Every command module loads: the window and --self-test start without them."""
    import argparse

    from app.cli import build_parser

    [nouns] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return None, f"{len(nouns.choices)} commands: {', '.join(nouns.choices)}"


def context() -> tuple[AppContext, str]:
    from app.context import build_context
    from app.core.secrets import KeyringSecretStore

    ctx = build_context(secret_store=_ReadOnlySecrets(KeyringSecretStore().status))
    version = ctx.state.version
    return ctx, f"schema version {version}, in {ctx.paths.data_dir}"


def sample_data(ctx: AppContext, sample: Path) -> tuple[None, str]:
    """Import the bundled file into the DuckDB profile store and define a segment over it."""
    from app.core.segments import Rule, Segment

    result = ctx.profiles.import_file(sample, name=NAME)
    source = result.source
    segment = Segment(NAME, source.name, "all", (Rule("Country", "eq", "Norway"),))
    ctx.segments.save(segment)
    members = ctx.segments.count(segment)
    if not 0 < members < source.rows:
        raise StepFailed(f"the segment has {members} of {source.rows} rows")
    return (
        None,
        f"{source.rows} rows imported into {ctx.paths.profiles_db.name}, {members} in a segment",
    )


def saved_export(ctx: AppContext) -> tuple[None, str]:
    """A connection saved without a key (the --no-check path) and an export that uses it."""
    from app.core.connections import Connection
    from app.core.destinations import destination_for
    from app.core.export import Export
    from app.core.mapping import Mapping
    from app.core.store import utc_now

    connection = ctx.connections.save(Connection(NAME, consent_at=utc_now()))
    if connection.key_stored:
        raise StepFailed("the connection claims a stored key")
    fields = destination_for(connection.service).fields
    mapping = Mapping.from_specs(["Email=PrimaryEmail", "FirstName=FirstName"], fields)
    ctx.exports.save(Export(NAME, connection.name, (NAME,), mapping))
    return None, f"connection and export '{NAME}' saved (no key)"


def dry_run(ctx: AppContext, home: Path) -> tuple[None, str]:
    plan: ExportPlan = ctx.runner.plan(NAME)
    output = home / "dry-run.jsonl"
    run = ctx.runner.dry_run(plan, output)
    lines = output.read_text(encoding="utf-8").splitlines() if output.is_file() else []
    if run.status != "succeeded" or not lines:
        raise StepFailed(f"run {run.run_id} ended {run.status} with {len(lines)} request(s)")
    contacts = sum(len(json.loads(line)["contacts"]) for line in lines)
    if contacts != plan.valid:
        raise StepFailed(f"{contacts} contacts written for {plan.valid} valid rows")
    return None, (
        f"run {run.run_id}: {plan.planned} planned, {plan.valid} valid, "
        f"{plan.invalid} invalid, {len(lines)} request(s) written"
    )


def main_window(ctx: AppContext) -> tuple[None, str]:
    from PySide6.QtGui import QGuiApplication

    with shown_main_window(ctx) as shown:
        title = shown.window.windowTitle()
    platform = QGuiApplication.platformName()
    return None, (
        f"'{title}' painted in {shown.ms(shown.painted_at)} ms, built in "
        f"{shown.ms(shown.built_at)} ms, ready in {shown.ms(shown.ready_at)} ms "
        f"(Qt platform {platform})"
    )


def run_self_test(out: TextIO | None = None) -> int:
    if out is None and hasattr(sys.stdout, "reconfigure"):
        # A path with characters the console's code page lacks must not crash the report.
        sys.stdout.reconfigure(errors="backslashreplace")
    test = SelfTest(out or sys.stdout)
    with isolated_environment() as home:
        test.step("versions", versions)
        test.step("keyring", keyring_status)
        test.step("tls", tls)
        test.step("commands", commands)
        sample = test.step("resources", resources)
        ctx = test.step("state store", context)
        if ctx is None:
            for name in (*DATA_STEPS, "window"):
                test.skip(name, "state store")
        else:
            _data_steps(test, ctx, sample, home)
            test.step("window", lambda: main_window(ctx))
    if test.failed:
        print(f"self-test FAILED: {', '.join(test.failed)}", file=test.out, flush=True)
        return 1
    print("self-test passed", file=test.out, flush=True)
    return 0


def _data_steps(test: SelfTest, ctx: AppContext, sample: Path | None, home: Path) -> None:
    """Import, export, dry run: each needs the one before it (and the bundled sample file)."""
    if sample is None:
        for name in DATA_STEPS:
            test.skip(name, "resources")
        return
    actions: list[Callable[[], tuple[None, str]]] = [
        lambda: sample_data(ctx, sample),
        lambda: saved_export(ctx),
        lambda: dry_run(ctx, home),
    ]
    for index, (name, action) in enumerate(zip(DATA_STEPS, actions, strict=True)):
        before = len(test.failed)
        test.step(name, action)
        if len(test.failed) > before:
            for later in DATA_STEPS[index + 1 :]:
                test.skip(later, name)
            return


__all__ = ["SelfTest", "run_self_test"]
