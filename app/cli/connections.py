"""`connection add | test | list | remove`."""

from __future__ import annotations

import argparse
import sys

from app.cli.output import Console
from app.core.connections import (
    DEFAULT_PROFILE_CAP,
    DEFAULT_SERVICE,
    PRIVACY_NOTICE,
    Connection,
    validate_settings,
)
from app.core.connections.check import check_key
from app.core.destinations import destination_for, services
from app.core.destinations.autopilot import DestinationError
from app.core.errors import AlreadyExistsError, UsageError
from app.core.secrets import KeyNeededError, SecretStoreError
from app.core.store import utc_now


def register(nouns: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = nouns.add_parser(
        "connection", help="connections to Autopilot or Ortto (API keys in the keyring)"
    )
    verbs = parser.add_subparsers(dest="verb", metavar="ACTION", required=True)

    add = verbs.add_parser("add", help="add a connection; the key is read from standard input")
    add.add_argument("name")
    add.add_argument(
        "--api-key-stdin",
        action="store_true",
        required=True,
        help="read the API key from one line of standard input",
    )
    add.add_argument(
        "--accept-privacy-notice",
        action="store_true",
        help="agree that profile data, including personal data, goes to Autopilot or Ortto",
    )
    add.add_argument(
        "--service",
        choices=services(),
        default=DEFAULT_SERVICE,
        help="autopilot: Autopilot Journeys (the classic API); ortto: Ortto, the new Autopilot",
    )
    add.add_argument("--region", help="Ortto's data region: global (the default), au or eu")
    add.add_argument("--base-url", default="", help="default: the service's own for the region")
    add.add_argument(
        "--rate-limit", type=float, default=0.0, metavar="RPS", help="default: the service's"
    )
    add.add_argument("--profile-cap", type=int, default=DEFAULT_PROFILE_CAP, metavar="N")
    add.add_argument("--no-check", action="store_true", help="save without checking the key")
    add.add_argument("--replace", action="store_true", help="overwrite a connection of that name")
    add.set_defaults(handler=_add)

    test = verbs.add_parser("test", help="check that the stored key works")
    test.add_argument("name")
    test.set_defaults(handler=_test)

    lst = verbs.add_parser("list", help="list connections")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=_list)

    remove = verbs.add_parser("remove", help="remove a connection and delete its key")
    remove.add_argument("name")
    remove.set_defaults(handler=_remove)


def _read_key() -> str:
    if sys.stdin.isatty():  # typed by hand: do not echo the key on the screen
        import getpass

        line = getpass.getpass("API key: ")
    else:
        line = sys.stdin.readline()
    key = line.strip()
    if not key:
        raise UsageError("No API key on standard input; pipe the key in, e.g. from a file.")
    return key


def _add(args: argparse.Namespace, console: Console) -> int:
    if not args.accept_privacy_notice:
        raise UsageError(
            "Add --accept-privacy-notice to agree to the data-privacy notice: " + PRIVACY_NOTICE
        )
    key = _read_key()
    ctx = console.context
    connection = validate_settings(
        Connection(
            name=args.name,
            base_url=args.base_url,
            rate_limit=args.rate_limit,
            profile_cap=args.profile_cap,
            consent_at=utc_now(),
            service=args.service,
            region=args.region,
        )
    )
    status = ctx.keys.status
    if not status.usable:
        raise KeyNeededError(
            "No usable system keyring was found, so the API key cannot be stored and nothing was "
            "saved; set up your desktop's keyring (Secret Service, Keychain or Credential Manager)."
        )
    if not args.replace:
        try:
            ctx.connections.get(connection.name)
        except UsageError:
            pass
        else:
            raise AlreadyExistsError(
                f"A connection named '{connection.name}' exists; use --replace to overwrite it."
            )
    if not args.no_check:
        check_key(connection, key)
    saved = ctx.keys.save(connection, key, replace_existing=args.replace)
    where = "checked and saved" if not args.no_check else "saved (key not checked)"
    console.say(f"Connection '{saved.name}' {where}; the API key is kept in {status.label}.")
    return 0


def _test(args: argparse.Namespace, console: Console) -> int:
    ctx = console.context
    connection = ctx.connections.get(args.name)
    try:
        key = ctx.keys.read(connection.name)
        check_key(connection, key)
    except (DestinationError, KeyNeededError, SecretStoreError) as exc:
        # "connection test" answers one question: does the key work now? Anything else is no.
        console.error(str(exc))
        return 1
    name = destination_for(connection.service).name
    console.say(f"Connection '{connection.name}' works: {name} accepted the API key.")
    return 0


def _list(args: argparse.Namespace, console: Console) -> int:
    ctx = console.context
    connections = ctx.connections.all()
    stored = {c.name: ctx.keys.key_stored(c.name) for c in connections}
    if args.json:
        console.json(
            [
                {**ctx.keys.with_backend(c).to_json(), "key_stored": stored[c.name]}
                for c in connections
            ]
        )
        return 0
    console.table(
        ["NAME", "SERVICE", "BASE URL", "RATE", "CAP", "KEY"],
        [
            (
                c.name,
                destination_for(c.service).label,
                c.base_url,
                f"{c.rate_limit:g}/s",
                f"{c.profile_cap:,}",
                _KEY_STATES[stored[c.name]],
            )
            for c in connections
        ],
    )
    return 0


# What the KEY column says: the keyring's own answer, or "unknown" when it cannot be read.
_KEY_STATES = {True: "stored", False: "needed", None: "unknown"}


def _remove(args: argparse.Namespace, console: Console) -> int:
    console.context.keys.remove(args.name)
    console.say(f"Connection '{args.name}' removed, and its API key deleted from the keyring.")
    return 0
