"""A run told in words: its counts, its lists or tags and the configuration it ran with.

The words for where the segments went come from the destination the run sent to (its
``service``), not from the connection as it is now.
"""

from __future__ import annotations

from typing import Any

from app.core.destinations import Destination
from app.core.history import Run
from app.core.i18n import _, ngettext
from app.core.mapping import FieldMapping
from app.ui.kit import destination_words as words
from app.ui.kit import formatting as fmt
from app.ui.segments.rules import DAY_OPS, days_text, op_labels


def destination(run: Run) -> Destination:
    """Where the run sent to."""
    return words.for_service(run.service)


def counts(run: Run) -> str:
    parts = [
        _("{n} planned").format(n=fmt.number(run.planned)),
        _("{n} sent").format(n=fmt.number(run.sent)),
        _("{n} rejected by {name}").format(n=fmt.number(run.rejected), name=destination(run).name),
        _("{n} invalid").format(n=fmt.number(run.invalid)),
        ngettext("{n} duplicate", "{n} duplicates", run.duplicates).format(
            n=fmt.number(run.duplicates)
        ),
    ]
    if run.unchanged:
        parts.append(_("{n} unchanged (not sent again)").format(n=fmt.number(run.unchanged)))
    if run.removed:
        parts.append(
            words.by_audience(
                destination(run),
                lists=_("{n} removed from the lists"),
                tags=_("{n} had the tag taken off"),
            ).format(n=fmt.number(run.removed))
        )
    if run.not_sent:
        parts.append(_("{n} not sent yet").format(n=fmt.number(run.not_sent)))
    text = ", ".join(parts)
    return (
        text
        + "\n"
        + ngettext("{n} unique profile", "{n} unique profiles", run.unique_profiles).format(
            n=fmt.number(run.unique_profiles)
        )
    )


def when(run: Run) -> str:
    start = fmt.when(run.started_at)
    if run.finished_at is None:
        return _("started {start}, {d} so far").format(start=start, d=fmt.duration(run.duration_s))
    return _("{start} to {end} ({d} of work)").format(
        start=start, end=fmt.when(run.finished_at), d=fmt.duration(run.duration_s)
    )


def lists_caption(run: Run) -> str:
    """``Lists in Autopilot:`` | ``Tags in Ortto:``."""
    return words.audiences_in(destination(run))


def lists(run: Run) -> str:
    """The lists or tags by name, as the marketer finds them; list ids are in list_ids."""
    if run.dry_run:
        return _("None: a dry run sends nothing. The contacts are in {path}").format(
            path=run.output_path or "?"
        )
    return "\n".join(
        name if list_id else _("{name} (not reached by this run)").format(name=name)
        for name, list_id in run.lists.items()
    )


def list_ids(run: Run) -> str:
    """The lists' ids, for support and the API (a tooltip, not the main text); nothing where
    the audience is the segment's name itself (Ortto's tags)."""
    if run.dry_run:
        return ""
    lines = [
        f"{name}: {key}" for name, key in run.lists.items() if key and key.strip() != name.strip()
    ]
    if not lines:
        return ""
    target = destination(run)
    caption = words.by_audience(
        target, lists=_("List ids in {name}:"), tags=_("Tag ids in {name}:")
    ).format(name=target.name)
    return caption + "\n" + "\n".join(lines)


def audience_note(run: Run) -> str:
    """What to do next with the audiences of a finished run (Ortto: an audience on the tag)."""
    if run.dry_run or not run.status.finished:
        return ""
    return destination(run).audience_note(run.lists) or ""


def configuration(snapshot: dict[str, Any]) -> str:
    if not snapshot:
        return ""
    lines = []
    conn = snapshot.get("connection", {})
    target = words.for_service(conn.get("service"))
    lines.append(
        _(
            "Connection: {name} to {service} ({url}), {rate:g} requests per second, "
            "at most {cap} profiles"
        ).format(
            name=conn.get("name", "?"),
            service=words.service_text(target, conn.get("region")),
            url=conn.get("base_url", "?"),
            rate=float(conn.get("rate_limit", 0)),
            cap=fmt.number(int(conn.get("profile_cap", 0))),
        )
    )
    source = snapshot.get("source", {})
    source_rows = int(source.get("rows", 0))
    lines.append(
        ngettext(
            "Profiles: {name} ({rows} row)", "Profiles: {name} ({rows} rows)", source_rows
        ).format(name=source.get("name", "?"), rows=fmt.number(source_rows))
    )
    for segment in snapshot.get("segments", []):
        lines.append(
            _("Segment: {name}: {rules}").format(
                name=segment.get("name", "?"), rules=rules_text(segment)
            )
        )
    if snapshot.get("day") and _counts_days(snapshot):
        lines.append(
            _("Days are counted back from {day}, the day the run started.").format(
                day=snapshot["day"]
            )
        )
    mapping = [FieldMapping(m["target"], m["column"]) for m in snapshot.get("mapping", [])]
    lines.append(
        _("Mapping: {fields}").format(
            fields=", ".join(
                f"{words.field_label(f.target, target.fields)} \u2190 {f.column}" for f in mapping
            )
        )
    )
    return "\n".join(lines)


def _counts_days(snapshot: dict[str, Any]) -> bool:
    segments = snapshot.get("segments", [])
    return any(rule.get("op") in DAY_OPS for s in segments for rule in s.get("rules", []))


def rules_text(segment: dict[str, Any]) -> str:
    rules = segment.get("rules", [])
    if not rules:
        return _("every profile")
    words = op_labels()
    parts = []
    for rule in rules:
        if rule["op"] in DAY_OPS and str(rule.get("value", "")).strip().isdigit():
            parts.append(f"{rule['field']} {days_text(rule['op'], int(rule['value']))}")
            continue
        op = words.get(rule["op"], rule["op"])
        value = f" '{rule['value']}'" if rule.get("value") else ""
        parts.append(f"{rule['field']} {op}{value}")
    if len(parts) == 1:
        return parts[0]
    if segment.get("match", "all") == "all":
        return _("all of these: {rules}").format(rules="; ".join(parts))
    return _("any of these: {rules}").format(rules="; ".join(parts))
