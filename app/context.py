"""What the faces are handed: one :class:`AppContext` holding the paths, stores and services.

The composition root (app/bootstrap.py) builds it once with :func:`build_context` and hands it
to the command line, the window or the self-test. Each part is made, and its module imported,
on first use: building the context touches only the paths and the log, so the window's frame
is on the screen before DuckDB, requests or keyring are even loaded. Parts that tests and tools
replace (the secret store, the Autopilot client, the calendar) are given when the context is
built, never swapped in afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from app.core.logging_setup import configure_logging, hold_early_records
from app.core.paths import AppPaths, resolve_paths

if TYPE_CHECKING:
    from app.core.clock import Calendar
    from app.core.connections import ConnectionStore
    from app.core.connections.keys import ConnectionKeys
    from app.core.export import ExportRunner, ExportService, Services
    from app.core.export.runner import ClientFactory
    from app.core.history import RunStore
    from app.core.profiles import ProfileStore
    from app.core.schedule import ScheduleService
    from app.core.secrets import SecretStore
    from app.core.segments import SegmentService
    from app.core.store import StateStore

RETENTION_DAYS = 90


@dataclass
class AppContext:
    paths: AppPaths
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    # None: the OS keyring, and the real Autopilot client.
    secret_store: SecretStore | None = None
    client_factory: ClientFactory | None = None
    # None: the computer's own calendar (what "today" is for rules such as within-days).
    calendar: Calendar | None = None

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

        return SegmentService(self.state, self.profiles, calendar=self.calendar)

    @cached_property
    def connections(self) -> ConnectionStore:
        """Connection settings; never a key."""
        from app.core.connections import ConnectionStore

        return ConnectionStore(self.state)

    @cached_property
    def keys(self) -> ConnectionKeys:
        """The API keys, in the OS keyring unless another store was given. Only the faces use
        it: the command line, and the window on its keyring thread, which may switch it to
        session-only keys when there is no keyring (see app/ui/background/keyvault.py)."""
        from app.core.connections.keys import ConnectionKeys

        store = self.secret_store
        if store is None:
            from app.core.secrets import KeyringSecretStore

            store = KeyringSecretStore()
        return ConnectionKeys(self.connections, store)

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
    def schedules(self) -> ScheduleService:
        """Exports run by the operating system's scheduler; the scheduler is found on first use."""
        from app.core.schedule import ScheduleService

        return ScheduleService(self.paths, self.environ)

    @cached_property
    def services(self) -> Services:
        from app.core.export import Services
        from app.core.export.ledger import Ledger

        return Services(self.connections, self.segments, self.profiles, Ledger(self.state))

    @cached_property
    def runner(self) -> ExportRunner:
        from app.core.export import ExportRunner
        from app.core.export.runner import default_client

        factory = self.client_factory or default_client
        return ExportRunner(self.services, self.exports, self.runs, self.paths.reports_dir, factory)


def build_context(
    environ: Mapping[str, str] | None = None,
    *,
    open_log: bool = True,
    secret_store: SecretStore | None = None,
    client_factory: ClientFactory | None = None,
    calendar: Calendar | None = None,
) -> AppContext:
    """The context; ``open_log=False`` leaves opening the log file to the caller (the window
    opens it right after its first paint, see app/ui/application.py) and keeps what is logged
    until then."""
    env = dict(os.environ if environ is None else environ)
    paths = resolve_paths(env).ensure()
    if open_log:
        configure_logging(paths)
    else:
        hold_early_records()
    return AppContext(paths, env, secret_store, client_factory, calendar)
