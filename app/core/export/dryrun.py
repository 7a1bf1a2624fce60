"""A dry run: everything a real run does locally, written to a file instead of sent.

It needs no key and makes no request. Each line of the output is one request body that a real
run would send, as the destination encodes it; an audience that only the destination knows
(an Autopilot list id) is written as ``"list:<segment name>"``, an Ortto tag as itself.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from app.core.cancel import CancelToken
from app.core.errors import UsageError
from app.core.export.engine import Heartbeat, start_run
from app.core.export.plan import ExportPlan, Services
from app.core.export.removals import MassRemoval, departed_message
from app.core.export.rows import batches
from app.core.history import Run, RunStatus, RunStore
from app.core.i18n import _, ngettext
from app.core.paths import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, make_private


def dry_run_export(
    plan: ExportPlan,
    services: Services,
    runs: RunStore,
    output: Path | None,
    reports_dir: Path,
    *,
    cancel: CancelToken | None = None,
) -> Run:
    lease = start_run(plan, runs, dry_run=True)
    private = output is None  # the program's own folder; a chosen --output keeps the umask
    if output is None:
        reports_dir.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        output = reports_dir / f"dry-run-{lease.run_id}.jsonl"
    started = time.monotonic()
    output = output.expanduser().resolve()
    runs.set_output_path(lease, str(output))
    with Heartbeat(runs, lease, lambda exc: None):
        try:
            if private:
                output.touch(mode=PRIVATE_FILE_MODE)
                make_private(output)
            cancelled = _write_payloads(plan, services, output, cancel)
        except OSError as exc:
            message = _("Cannot write the dry-run file {path}: {reason}.").format(
                path=output, reason=exc.strerror or exc
            )
            runs.finish(
                lease, RunStatus.FAILED, active_seconds=time.monotonic() - started, error=message
            )
            raise UsageError(message) from exc
    status = RunStatus.CANCELLED if cancelled else RunStatus.SUCCEEDED
    warnings = _fields_warning(plan, services) + _removals_warning(plan)
    return runs.finish(lease, status, active_seconds=time.monotonic() - started, warnings=warnings)


def _fields_warning(plan: ExportPlan, services: Services) -> list[str]:
    """Which custom fields a real run would create (a dry run creates none)."""
    destination = plan.destination
    known = services.connections.cached_fields(plan.connection.name)
    missing = destination.fields_to_create(plan.export.mapping, known)
    if not missing:
        return []
    names = ", ".join(f"'{name}'" for name in missing)
    if plan.export.create_fields:
        text = ngettext(
            "A real run would create the {name} custom field {fields} (nothing was created by "
            "this dry run); the export allows creating it.",
            "A real run would create the {name} custom fields {fields} (nothing was created by "
            "this dry run); the export allows creating them.",
            len(missing),
        )
    else:
        text = ngettext(
            "A real run would create the {name} custom field {fields} (nothing was created by "
            "this dry run); a real run will refuse to start until you allow creating it.",
            "A real run would create the {name} custom fields {fields} (nothing was created by "
            "this dry run); a real run will refuse to start until you allow creating them.",
            len(missing),
        )
    return [text.format(name=destination.name, fields=names)]


def _removals_warning(plan: ExportPlan) -> list[str]:
    """Whom a real run would take off the lists or tags (a dry run removes nobody), and whether
    it would stop first to ask."""
    if not plan.export.remove_departed or not plan.departed:
        return []
    noun = plan.destination.audience_noun
    segments = [s.segment.name for s in plan.segments if s.departed]
    warnings = [departed_message(plan.departed, noun, segments)]
    if plan.large_removals() and not plan.allow_mass_removal:
        try:
            plan.check_removals()
        except MassRemoval as exc:
            warnings.append(_("A real run would stop before sending: {reason}").format(reason=exc))
    return warnings


def _write_payloads(
    plan: ExportPlan, services: Services, output: Path, cancel: CancelToken | None
) -> bool:
    """Write one JSON line per request; True when cancelled half-way."""
    with output.open("w", encoding="utf-8") as handle:
        destination = plan.destination
        for index, seg in enumerate(plan.segments):
            audience = destination.dry_run_audience(seg.segment.name)
            for batch in batches(
                services.segments,
                seg.segment,
                index,
                plan.export.mapping,
                destination.max_batch,
                plan.emails,
                seg.known,
                day=plan.day,
            ):
                if cancel is not None and cancel.is_cancelled():
                    return True
                contacts = [row.contact for row in batch.rows]
                for body in destination.request_bodies(contacts, audience):
                    handle.write(json.dumps(body, ensure_ascii=False) + "\n")
    return False
