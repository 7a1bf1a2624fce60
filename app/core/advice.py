"""What to do next, said to whoever is reading: the command line or the window.

The core's messages end with advice. Where that advice names an option or a command, the window's
user is told the same thing in the window's own terms; both wordings are kept here, side by side,
so a message is written once with an ``{advice}`` placeholder::

    _("{path} is not valid UTF-8 text. {advice}").format(path=path, advice=ENCODING)

The command line never calls :func:`speak_to`, so it reads the ``cli`` wording (in English, as
the CLI always is); the window calls ``speak_to(WINDOW)`` when it starts. Every wording is a
whole sentence, marked for the catalog and translated when the message is made.

A message stored earlier (a run's error in the history, written by a command-line run) still
carries the command line's words: :func:`for_window` puts them the window's way when the window
shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.i18n import N_, _

CLI = "cli"
WINDOW = "window"
_audience = CLI


def speak_to(audience: str) -> None:
    """Who reads the core's advice from now on: ``CLI`` (the default) or ``WINDOW``."""
    global _audience
    if audience not in (CLI, WINDOW):
        raise ValueError(f"unknown audience {audience!r}")
    _audience = audience


def audience() -> str:
    return _audience


@dataclass(frozen=True)
class Advice:
    """One piece of advice in both wordings (English msgids; translated when said)."""

    cli: str
    window: str

    def __str__(self) -> str:
        return _(self.window if _audience == WINDOW else self.cli)


ENCODING = Advice(
    N_("Pass the right --encoding, for example cp1252."),
    N_("Save it as UTF-8 (in Excel: Save As \u203a CSV UTF-8) and import it again."),
)
NOT_TEXT = Advice(
    N_("It may be a binary file, or pass the right --encoding."),
    N_(
        "It may not be a text file. Save it as UTF-8 (in Excel: Save As \u203a CSV UTF-8) "
        "and import it again."
    ),
)
CHECK_ENCODING = Advice(
    N_("Check --encoding."),
    N_("Save it as UTF-8 and import it again."),
)
OTHER_DELIMITER = Advice(
    N_("Choose another with --delimiter, or fix those rows."),
    N_("Save the file with one of , ; tab or | between the cells, or fix those rows."),
)
CHECK_DELIMITER = Advice(
    N_("Check the delimiter (--delimiter) and the quotes on that line."),
    N_("Check the delimiter and the quotes on that line."),
)
OTHER_NAME = Advice(
    N_("Choose another name (or use --replace to overwrite it)."),
    N_("Choose another name."),
)
CREATE_FIELDS = Advice(
    N_("Allow creating them (export add --create-fields) and run again, or map other fields."),
    N_(
        "Run now again and allow creating them when asked (if it does not ask, Connect on the "
        "Connections tab first: that reads the account's fields), or map other fields."
    ),
)
NEW_KEY = Advice(
    N_("Enter the key again (connection add --replace)."),
    N_("Enter the key again on the Connections tab, then Connect and Save."),
)
MASS_REMOVAL = Advice(
    N_(
        "If the segment really shrank that much, run the export again with "
        "--allow-mass-removal; otherwise check the source and the segment's rules."
    ),
    N_(
        "If the segment really shrank that much, choose Run now and allow the removal when "
        "asked; otherwise check the profiles and the segment's rules."
    ),
)
RUN_IDS = Advice(
    N_("`history` lists the runs."),
    N_("The History tab lists the runs."),
)
REIMPORT = Advice(
    N_("Put the file back, or import it from where it is now with: source import FILE --name NAME"),
    N_("Put the file back, or import it from where it is now under the same name."),
)
REBUILD_PROFILES = Advice(
    N_("Rebuild it from them with 'autopilot-exporter rebuild-profiles'."),
    N_("Rebuild it from them with File \u203a Rebuild profile data."),
)
ACCEPT_NOTICE = Advice(
    N_("Accept it with --accept-privacy-notice."),
    N_("Tick “I agree” under the notice."),
)

ALL: tuple[Advice, ...] = (
    ENCODING,
    NOT_TEXT,
    CHECK_ENCODING,
    OTHER_DELIMITER,
    CHECK_DELIMITER,
    OTHER_NAME,
    CREATE_FIELDS,
    NEW_KEY,
    MASS_REMOVAL,
    RUN_IDS,
    REIMPORT,
    REBUILD_PROFILES,
    ACCEPT_NOTICE,
)


def for_window(text: str) -> str:
    """A message written for the command line, with its advice in the window's words.

    Stored messages are in the language they were written in; a command-line run writes English,
    so its advice is put in English too, never mixed into a sentence of another language."""
    for advice in ALL:
        text = text.replace(advice.cli, advice.window)
    return text
