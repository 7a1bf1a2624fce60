"""The composition root: paths, logging, stores and secrets, built once and handed out.

Nothing else in the program constructs these; the UI and the CLI receive an :class:`AppContext`.
Each part is made, and its module imported, on first use: building the context touches only
the paths and the log, so the window's frame is on the screen before DuckDB, requests or keyring
are even loaded.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from app.core.logging_setup import RedactingFilter
from app.core.paths import AppPaths, resolve_paths

if TYPE_CHECKING:
    from app.core.connections import ConnectionService
    from app.core.export import ExportRunner, ExportService, Services
    from app.core.history import RunStore
    from app.core.profiles import ProfileStore
    from app.core.secrets import SecretStore
    from app.core.segments import SegmentService
    from app.core.store import StateStore

RETENTION_DAYS = 90


@dataclass
class AppContext:
    paths: AppPaths
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    @cached_property
    def state(self) -> StateStore:
        from app.core.store import StateStore

        return StateStore(self.paths.state_db)

    @cached_property
    def profiles(self) -> ProfileStore:
        from app.core.profiles import ProfileStore

        return ProfileStore(self.paths.profiles_db, self.state)

    @cached_property
    def segments(self) -> SegmentService:
        from app.core.segments import SegmentService

        return SegmentService(self.state, self.profiles)

    @cached_property
    def secrets(self) -> SecretStore:
        """The OS keyring; the window swaps in a session-only store when there is none."""
        from app.core.secrets import KeyringSecretStore

        return KeyringSecretStore()

    @cached_property
    def connections(self) -> ConnectionService:
        from app.core.connections import ConnectionService

        return ConnectionService(self.state, self.secrets)

    @cached_property
    def exports(self) -> ExportService:
        from app.core.export import ExportService

        return ExportService(self.state)

    @cached_property
    def runs(self) -> RunStore:
        from app.core.history import RunStore

        runs = RunStore(self.state, reports_dir=self.paths.reports_dir)
        # Row-level personal data of runs is kept for the retention period, then only counts.
        runs.purge_expired(RETENTION_DAYS)
        return runs

    @cached_property
    def services(self) -> Services:
        from app.core.export import Services

        return Services(self.connections, self.segments, self.profiles)

    @cached_property
    def runner(self) -> ExportRunner:
        from app.core.export import ExportRunner

        return ExportRunner(self.services, self.exports, self.runs, self.paths.reports_dir)


class EarlyRecords(logging.Handler):
    """Keeps what is logged before the log file is open; ``configure_logging`` writes it there.

    Bounded: if the file is never opened, the oldest records beyond ``limit`` are dropped.
    """

    def __init__(self, limit: int = 1000) -> None:
        super().__init__(logging.INFO)
        self.limit = limit
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        del self.records[: -self.limit]


def hold_early_records(level: int = logging.INFO) -> None:
    """Until ``configure_logging`` runs, keep log records instead of printing them to stderr."""
    root = logging.getLogger()
    if not any(isinstance(h, EarlyRecords) or _is_log_file(h) for h in root.handlers):
        root.addHandler(EarlyRecords())
        root.setLevel(level)


def configure_logging(paths: AppPaths, *, level: int = logging.INFO) -> None:
    """A rotating log file under the user log directory, with secrets redacted (once).

    Records kept by :func:`hold_early_records` are written to it first.
    """
    import logging.handlers  # socket, pickle, queue...: not before the window's first paint

    root = logging.getLogger()
    if any(_is_log_file(h) for h in root.handlers):
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
    for early in [h for h in root.handlers if isinstance(h, EarlyRecords)]:
        root.removeHandler(early)
        for record in early.records:
            handler.handle(record)
    root.addHandler(handler)
    root.setLevel(level)


def _is_log_file(handler: logging.Handler) -> bool:
    return bool(getattr(handler, "_autopilot_exporter", False))


def build_context(environ: Mapping[str, str] | None = None, *, open_log: bool = True) -> AppContext:
    """The context; ``open_log=False`` leaves opening the log file to the caller (the window
    opens it right after its first paint, see app/ui/application.py) and keeps what is logged
    until then."""
    env = dict(os.environ if environ is None else environ)
    paths = resolve_paths(env).ensure()
    if open_log:
        configure_logging(paths)
    else:
        hold_early_records()
    return AppContext(paths=paths, environ=env)
