"""`segment add | list | remove`: rules over an imported source."""

from __future__ import annotations

import argparse
import json

from app.cli.output import Console
from app.core.errors import AppError
from app.core.segments import MATCHES, OPS, Rule, Segment, SegmentService


def register(nouns: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = nouns.add_parser("segment", help="segments: the rows of a source that pass rules")
    verbs = parser.add_subparsers(dest="verb", metavar="ACTION", required=True)

    add = verbs.add_parser(
        "add",
        help="save a segment and print its member count",
        description=f"OP is one of: {' '.join(OPS)}. is-empty and not-empty ignore VALUE "
        '(pass ""); in takes a comma-separated list (\\, for a literal comma). within-days N '
        "keeps dates from N days ago up to today, older-than-days N dates before that, counted "
        "from today in local time.",
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--source", required=True, metavar="SOURCE", help="an imported source")
    add.add_argument(
        "--where",
        nargs=3,
        action="append",
        default=[],
        metavar=("FIELD", "OP", "VALUE"),
        help="a rule; repeat for more (no rule: the whole source)",
    )
    add.add_argument("--match", choices=MATCHES, default="all", help="all rules (default) or any")
    add.add_argument("--replace", action="store_true", help="overwrite a segment of that name")
    add.set_defaults(handler=_add)

    lst = verbs.add_parser("list", help="list segments with their member counts")
    lst.add_argument("--json", action="store_true", help="print a JSON array")
    lst.set_defaults(handler=_list)

    remove = verbs.add_parser("remove", help="remove a segment (refused while an export uses it)")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=_remove)


def _add(args: argparse.Namespace, console: Console) -> int:
    service: SegmentService = console.context.segments
    rules = [Rule(field, op, value) for field, op, value in args.where]
    segment = Segment.build(args.name, args.source, rules, args.match)
    saved = service.add(segment, replace=args.replace)
    members = service.count(saved)
    console.say(f"Segment '{saved.name}' saved: {members:,} {_members(members)}.")
    return 0


def _list(args: argparse.Namespace, console: Console) -> int:
    service: SegmentService = console.context.segments
    counted = [(segment, _count(service, segment, console)) for segment in service.list()]
    if args.json:
        console.json([segment.to_json(members) for segment, members in counted])
        return 0
    console.table(
        ["NAME", "SOURCE", "MEMBERS", "RULES"],
        [(s.name, s.source, "?" if n is None else f"{n:,}", describe_rules(s)) for s, n in counted],
    )
    return 0


def _remove(args: argparse.Namespace, console: Console) -> int:
    service: SegmentService = console.context.segments
    name = service.get(args.name).name
    service.remove(name)
    console.say(f"Segment '{name}' removed.")
    return 0


def _count(service: SegmentService, segment: Segment, console: Console) -> int | None:
    """The member count, or None (with a warning) when the segment no longer fits its source."""
    try:
        return service.count(segment)
    except AppError as exc:
        console.warn(f"segment '{segment.name}': {exc}")
        return None


def describe_rules(segment: Segment) -> str:
    """``City eq "Oslo" and Age gt "30"``; "(whole source)" for a segment without rules."""
    if not segment.rules:
        return "(whole source)"
    joiner = " and " if segment.match == "all" else " or "
    return joiner.join(_describe(rule) for rule in segment.rules)


def _describe(rule: Rule) -> str:
    if rule.op in ("is-empty", "not-empty"):
        return f"{rule.field} {rule.op}"
    return f"{rule.field} {rule.op} {json.dumps(rule.value, ensure_ascii=False)}"


def _members(count: int) -> str:
    return "member" if count == 1 else "members"
