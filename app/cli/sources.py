"""`source import | refresh | list | remove`: customer files imported as profile sources."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.output import Console
from app.core.errors import UsageError
from app.core.profiles import RefreshResult
from app.core.store import to_iso

_DELIMITERS = {",": ",", ";": ";", "|": "|", "tab": "\t", "\\t": "\t", "\t": "\t"}


def register(nouns: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = nouns.add_parser("source", help="customer profile files imported for segments")
    verbs = parser.add_subparsers(dest="verb", metavar="ACTION", required=True)

    imp = verbs.add_parser(
        "import",
        help=(
            "import a CSV/TSV/TXT, Excel or Parquet file, or a Customer Insights export folder "
            "(replaces a source of that name)"
        ),
    )
    imp.add_argument(
        "file", metavar="FILE", help="the file, or the folder with model.json (or model.json)"
    )
    imp.add_argument("--name", required=True, help="the name segments will refer to")
    imp.add_argument(
        "--sheet", metavar="NAME", help="Excel: the sheet to read (default: the first)"
    )
    imp.add_argument(
        "--entity",
        metavar="NAME",
        help="Customer Insights folder: the entity to read (default: the only one)",
    )
    imp.add_argument("--encoding", metavar="ENC", help="text files: e.g. utf-8, cp1252, utf-16")
    imp.add_argument("--delimiter", metavar="C", help="text files: , ; | or tab")
    imp.set_defaults(handler=_import)

    refresh = verbs.add_parser(
        "refresh",
        help="import a source again from its file, with the options it was imported with",
    )
    refresh.add_argument("name", metavar="NAME")
    refresh.add_argument(
        "--if-changed",
        action="store_true",
        help="do nothing when the file is the one imported",
    )
    refresh.set_defaults(handler=_refresh)

    lst = verbs.add_parser("list", help="list imported sources")
    lst.add_argument("--json", action="store_true", help="print a JSON array")
    lst.set_defaults(handler=_list)

    remove = verbs.add_parser("remove", help="remove a source (not the file it came from)")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=_remove)


def parse_delimiter(text: str | None) -> str | None:
    """``,`` ``;`` ``|`` as they are, and a tab written as ``tab`` or ``\\t``."""
    if text is None:
        return None
    delimiter = _DELIMITERS.get(text) or _DELIMITERS.get(text.lower())
    if delimiter is None:
        raise UsageError(f"--delimiter {text!r} is not supported; use , ; | or tab.")
    return delimiter


def _import(args: argparse.Namespace, console: Console) -> int:
    result = console.context.profiles.import_file(
        Path(args.file),
        args.name,
        sheet=args.sheet,
        encoding=args.encoding,
        delimiter=parse_delimiter(args.delimiter),
        entity=args.entity,
    )
    console.say(result.summary())
    for warning in result.warnings:
        console.warn(warning)
    return 0


def _refresh(args: argparse.Namespace, console: Console) -> int:
    result = console.context.profiles.refresh_source(args.name, if_changed=args.if_changed)
    report_refresh(console, result)
    return 0


def report_refresh(console: Console, result: RefreshResult) -> None:
    console.say(result.summary())
    if result.imported is not None:
        for warning in result.imported.warnings:
            console.warn(warning)


def _list(args: argparse.Namespace, console: Console) -> int:
    sources = console.context.profiles.list_sources()
    if args.json:
        console.json([source.to_json() for source in sources])
        return 0
    console.table(
        ["NAME", "ROWS", "COLUMNS", "FORMAT", "IMPORTED", "PATH"],
        [
            [s.name, f"{s.rows:,}", len(s.columns), s.file_format, to_iso(s.imported_at), s.path]
            for s in sources
        ],
    )
    return 0


def _remove(args: argparse.Namespace, console: Console) -> int:
    profiles = console.context.profiles
    source = profiles.get_source(args.name)
    profiles.remove_source(source.name)
    console.say(f'Removed source "{source.name}" ({source.rows:,} rows).')
    return 0
