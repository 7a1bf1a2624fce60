"""Starting, dry-running and resuming exports: the one path the CLI and the window share.

The key is read by the caller before a run starts and handed in; nothing here touches the
keyring from a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.core.cancel import CancelToken
from app.core.connections import Connection
from app.core.connections.client import open_client
from app.core.destinations import Client, Limits
from app.core.errors import NotFoundError, UsageError
from app.core.errors import without_resume_offer as without_resume_offer  # the faces use it here
from app.core.export.dryrun import dry_run_export
from app.core.export.engine import ProgressCallback, run_export
from app.core.export.ledger import connection_identity
from app.core.export.models import Export
from app.core.export.plan import (
    SNAPSHOT_VERSION,
    ExportPlan,
    Services,
    day_from_snapshot,
    plan_export,
    segments_from_snapshot,
)
from app.core.export.service import ExportService
from app.core.history import Run, RunStore, can_resume
from app.core.i18n import _
from app.core.mapping import Mapping
from app.core.profiles import RefreshResult

ClientFactory = Callable[[Connection, str], Client]  # (connection, API key)


# A bulk upsert of 100 contacts normally answers within a couple of seconds; a request stuck for
# longer is retried (safely: upserts are idempotent) rather than holding a slot for a minute.
READ_TIMEOUT_S = 20.0


def default_client(connection: Connection, api_key: str) -> Client:
    return open_client(connection, api_key, Limits(read_timeout=READ_TIMEOUT_S))


@dataclass
class ExportRunner:
    services: Services
    exports: ExportService
    runs: RunStore
    reports_dir: Path
    client_factory: ClientFactory = default_client

    def plan(
        self,
        export: Export | str,
        *,
        cancel: CancelToken | None = None,
        send_all: bool = False,
        allow_mass_removal: bool = False,
    ) -> ExportPlan:
        """``send_all``: send everyone again, unchanged or not (and refresh the ledger);
        ``allow_mass_removal``: the user said yes to removing more than half of a list or tag
        (see ``ExportPlan.large_removals``)."""
        if isinstance(export, str):
            export = self.exports.get(export)
        return plan_export(
            export,
            self.services,
            cancel=cancel,
            send_all=send_all,
            allow_mass_removal=allow_mass_removal,
        )

    def run(
        self,
        plan: ExportPlan,
        api_key: str,
        *,
        run_id: int | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        allow_mass_removal: bool = False,
    ) -> Run:
        """Send the plan (``run_id``: resume that run). A removal of more than half of a list
        or tag that was not allowed (here or in the plan) raises MassRemoval before anything is
        recorded, sent or removed."""
        if allow_mass_removal and not plan.allow_mass_removal:
            plan = replace(plan, allow_mass_removal=True)
        plan.check_removals()
        client = self.client_factory(plan.connection, api_key)
        try:
            # Before the run is recorded: a destination that cannot take this export as it is
            # (Ortto custom fields missing, creating them not allowed) refuses with UsageError
            # and nothing is sent.
            warnings = client.prepare(
                plan.export.mapping,
                create_fields=plan.export.create_fields,
                cancel=cancel or CancelToken(),
            )
            if run_id is None:
                warnings = (
                    self.services.ledger.adopt(
                        plan.export.name,
                        connection_identity(plan.connection),
                        [s.segment.name for s in plan.segments],
                    )
                    + warnings
                )
            return run_export(
                plan,
                self.services,
                client,
                self.runs,
                run_id=run_id,
                on_progress=on_progress,
                cancel=cancel,
                warnings=warnings,
            )
        finally:
            client.close()

    def refresh_sources(
        self, export: Export, *, on_progress: Callable[[float], None] | None = None
    ) -> list[RefreshResult]:
        """``export run --refresh``: each source of the export's segments read again from its
        file when the file changed (RefreshRefused or InputFileError leave the old data)."""
        names = dict.fromkeys(self.services.segments.get(name).source for name in export.segments)
        profiles = self.services.profiles
        return [
            profiles.refresh_source(name, if_changed=True, on_progress=on_progress)
            for name in names
        ]

    def record_not_started(self, export: Export, error: str, *, dry_run: bool = False) -> Run:
        """A run of ``export`` that could not start, in the history as failed with ``error``."""
        return self.runs.record_not_started(
            export.name, error, dry_run=dry_run, snapshot=self._outline(export)
        )

    def _outline(self, export: Export) -> dict[str, Any]:
        """What the history can tell of a run that never planned: the export as configured."""
        outline: dict[str, Any] = {
            "version": SNAPSHOT_VERSION,
            "mapping": export.mapping.to_json(),
            "segments": [],
        }
        try:
            connection = self.services.connections.get(export.connection)
            outline["connection"] = {
                "name": connection.name,
                "service": connection.service,
                "region": connection.region,
                "base_url": connection.base_url,
                "rate_limit": connection.rate_limit,
                "profile_cap": connection.profile_cap,
            }
            for name in export.segments:
                segment = self.services.segments.get(name)
                outline["segments"].append(
                    {
                        "name": segment.name,
                        "match": segment.match,
                        "rules": [rule.to_json() for rule in segment.rules],
                    }
                )
                source = self.services.profiles.get_source(segment.source)
                outline["source"] = {"name": source.name, "rows": source.rows}
        except NotFoundError:
            pass  # a part was removed meanwhile: the history shows what was found
        return outline

    def dry_run(
        self, plan: ExportPlan, output: Path | None = None, *, cancel: CancelToken | None = None
    ) -> Run:
        return dry_run_export(
            plan, self.services, self.runs, output, self.reports_dir, cancel=cancel
        )

    def resume_refusal(self, run: Run) -> str | None:
        """Why ``run`` cannot be resumed now, in the user's words; None when it can (as far as
        can be told without reading its members). Cheap: a failure message offers a resume only
        when this allows it, and the resume itself asks again."""
        refusal = can_resume(run)
        if refusal is not None:
            return refusal.message
        # The lifecycle allows it; what remains is whether the data is still the run's data.
        snapshot, run_id = run.snapshot, run.run_id
        source_snap, conn_snap = snapshot.get("source"), snapshot.get("connection")
        if not isinstance(source_snap, dict) or not isinstance(conn_snap, dict):
            return None  # no configuration to judge by: the resume itself says what is wrong
        try:
            source = self.services.profiles.get_source(source_snap["name"])
        except NotFoundError:
            return _(
                "The profile source '{source}' of run {id} was removed; start a new run instead."
            ).format(source=source_snap["name"], id=run_id)
        # The same file imported again (perhaps another sheet or delimiter) is a new table.
        if (source.sha256, source.table_name) != (
            source_snap["sha256"],
            source_snap.get("table_name", source.table_name),
        ):
            return _changed(source.name, run_id)
        try:
            connection = self.services.connections.get(conn_snap["name"])
        except NotFoundError:
            return _(
                "The connection '{connection}' that run {id} sent through was removed. Add it "
                "again under the same name (with its API key) to resume the run, or start a new "
                "run with another connection."
            ).format(connection=conn_snap["name"], id=run_id)
        if conn_snap.get("service", connection.service) != connection.service:
            return _(
                "Connection '{connection}' now sends to another service than run {id} did; "
                "start a new run instead."
            ).format(connection=connection.name, id=run_id)
        return None

    def plan_resume(self, run_id: int, *, cancel: CancelToken | None = None) -> ExportPlan:
        """The plan of a run to resume, rebuilt from its snapshot; UsageError when refused."""
        run = self.runs.get(run_id)
        refusal = self.resume_refusal(run)
        if refusal is not None:
            raise UsageError(refusal)
        snapshot = run.snapshot
        source = self.services.profiles.get_source(snapshot["source"]["name"])
        conn_snap = snapshot["connection"]
        connection = self.services.connections.get(conn_snap["name"])
        connection = replace(connection, base_url=conn_snap["base_url"])
        export = Export(
            name=snapshot["export"],
            connection=connection.name,
            segments=tuple(s["name"] for s in snapshot["segments"]),
            mapping=Mapping.from_json(snapshot["mapping"]),
            create_fields=bool(snapshot.get("create_fields", False)),
            remove_departed=bool(snapshot.get("remove_departed", False)),
        )
        plan = plan_export(
            export,
            self.services,
            segments_override=segments_from_snapshot(snapshot),
            connection_override=connection,
            cancel=cancel,
            send_all=bool(snapshot.get("send_all", False)),
            run_id=run_id,
            allow_mass_removal=bool(snapshot.get("allow_mass_removal", False)),
            # The members of the day it started, even when resumed on a later day.
            day=day_from_snapshot(snapshot),
        )
        counts, now = snapshot.get("counts"), plan.snapshot()["counts"]
        if counts is not None and any(now.get(key) != value for key, value in counts.items()):
            # e.g. an email rule that judges differently now: batches would shift
            raise UsageError(_changed(source.name, run_id))
        return plan


def _changed(source: str, run_id: int) -> str:
    return _(
        "The profile source '{source}' changed since run {id} started; resuming could send "
        "different people. Start a new run instead."
    ).format(source=source, id=run_id)
