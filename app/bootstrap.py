"""The composition root: paths, logging, stores and secrets, built once and handed out.

Nothing else in the program constructs these; the UI and the CLI receive an :class:`AppContext`.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from app.core.connections import ConnectionService
from app.core.export import ExportRunner, ExportService, Services
from app.core.history import RunStore
from app.core.logging_setup import RedactingFilter
from app.core.paths import AppPaths, resolve_paths
from app.core.secrets import SecretStore
from app.core.store import StateStore

RETENTION_DAYS = 90


@dataclass
class AppContext:
    paths: AppPaths
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    @cached_property
    def state(self) -> StateStore:
        return StateStore(self.paths.state_db)

    @cached_property
    def profiles(self):  # type: ignore[no-untyped-def]
        from app.core.profiles import ProfileStore

        return ProfileStore(self.paths.profiles_db, self.state)

    @cached_property
    def segments(self):  # type: ignore[no-untyped-def]
        from app.core.segments import SegmentService

        return SegmentService(self.state, self.profiles)

    @cached_property
    def secrets(self) -> SecretStore:
        """The OS keyring; the window swaps in a session-only store when there is none."""
        from app.core.secrets import KeyringSecretStore

        return KeyringSecretStore()

    @cached_property
    def connections(self) -> ConnectionService:
        return ConnectionService(self.state, self.secrets)

    @cached_property
    def exports(self) -> ExportService:
        return ExportService(self.state)

    @cached_property
    def runs(self) -> RunStore:
        runs = RunStore(self.state, reports_dir=self.paths.reports_dir)
        # Row-level personal data of runs is kept for the retention period, then only counts.
        runs.purge_expired(RETENTION_DAYS)
        return runs

    @cached_property
    def services(self) -> Services:
        return Services(self.connections, self.segments, self.profiles)

    @cached_property
    def runner(self) -> ExportRunner:
        return ExportRunner(self.services, self.exports, self.runs, self.paths.reports_dir)


def configure_logging(paths: AppPaths, *, level: int = logging.INFO) -> None:
    """A rotating log file under the user log directory, with secrets redacted."""
    root = logging.getLogger()
    if any(getattr(h, "_autopilot_exporter", False) for h in root.handlers):
        return
    paths.log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler._autopilot_exporter = True  # type: ignore[attr-defined]
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s")
    )
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)


def build_context(environ: Mapping[str, str] | None = None) -> AppContext:
    env = dict(os.environ if environ is None else environ)
    paths = resolve_paths(env).ensure()
    configure_logging(paths)
    return AppContext(paths=paths, environ=env)
