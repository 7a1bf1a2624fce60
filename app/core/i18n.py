"""The program's words in the user's language: gettext catalogs, chosen once at start.

The window calls ``activate(...)`` once, before it builds anything; the command line never does,
so the CLI and its JSON stay English. Until a language is activated every function returns the
English text it was given.

Messages are whole sentences with named placeholders, filled after translation:
``_("Imported {rows} rows").format(rows=...)``; plurals go through ``ngettext`` so a language
with other plural rules gets its own forms. Texts kept in tables (statuses, captions) are marked
with ``N_`` where they are written and translated with ``_`` where they are shown.

The catalogs are ``resources/locale/<language>/LC_MESSAGES/autopilot_exporter.mo``, compiled from
the ``.po`` sources beside them by ``scripts/dev`` (and by the build of the frozen program).
"""

from __future__ import annotations

import gettext
import locale
import os
from collections.abc import Mapping, Sequence
from datetime import datetime

from app.core.resources import resource_path

DOMAIN = "autopilot_exporter"
ENGLISH = "en"
NORWEGIAN_BOKMAL = "nb"
SYSTEM = "system"
LANGUAGES = (ENGLISH, NORWEGIAN_BOKMAL)
# The languages in their own words, as a menu offers them (never translated).
LANGUAGE_NAMES: Mapping[str, str] = {ENGLISH: "English", NORWEGIAN_BOKMAL: "Norsk bokmål"}
# Norwegian locales the program reads in Bokmål: Nynorsk readers read Bokmål far better than
# English, and "no" is the old code for Norwegian.
_BOKMAL_CODES = frozenset({"nb", "nn", "no"})

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = ENGLISH


def locale_dir() -> str:
    return str(resource_path("locale"))


def language_of(locale_name: str | None) -> str:
    """The program's language for an OS locale name: ``nb_NO.UTF-8`` -> ``nb``, else English."""
    if not locale_name:
        return ENGLISH
    code = locale_name.replace("-", "_").split(".")[0].split("_")[0].lower()
    return NORWEGIAN_BOKMAL if code in _BOKMAL_CODES else ENGLISH


def system_language(environ: Mapping[str, str] | None = None) -> str:
    """The language the operating system asks for (the environment, then the OS locale)."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            # LANGUAGE is a list in order of preference; the first one decides.
            return language_of(value.split(":")[0])
    if environ is not None:
        return ENGLISH
    try:
        return language_of(locale.getlocale()[0])
    except ValueError:
        return ENGLISH


def resolve(choice: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language to use for a saved choice (a language, ``system`` or nothing)."""
    if choice in LANGUAGES:
        return str(choice)
    return system_language(environ)


def activate(language: str) -> str:
    """Use ``language`` from now on; English (or a missing catalog) means the texts as written.

    Returns the language in use."""
    global _translations, _language
    if language == ENGLISH or language not in LANGUAGES:
        _translations, _language = gettext.NullTranslations(), ENGLISH
        return _language
    try:
        _translations = gettext.translation(DOMAIN, locale_dir(), languages=[language])
    except OSError:
        # No compiled catalog (a source checkout before `scripts/dev`): English, not a crash.
        _translations, _language = gettext.NullTranslations(), ENGLISH
        return _language
    _language = language
    return _language


def active_language() -> str:
    return _language


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translations.pgettext(context, message)


def N_(message: str) -> str:
    """Marks a text for the catalog where it is written; ``_`` translates it where it is shown."""
    return message


# Numbers and moments in the core's messages, the way the language writes them. The window's own
# views use QLocale; the core may not import Qt, and these two are all its messages need.
# Norwegian groups digits with a no-break space (CLDR), so "1 234 567" never breaks in a label.
_GROUPING = {ENGLISH: ",", NORWEGIAN_BOKMAL: "\u00a0"}
# Written out rather than strftime's %b, which follows the C library's locale (Qt sets it).
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# CLDR's abbreviated month names for Norwegian Bokmål (format context): "5. des. 2026 14:02".
_NB_MONTHS = (
    "jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "des.",
)  # fmt: skip


def number(value: int) -> str:
    """A whole number with its digits grouped: 1,234,567 in English, 1 234 567 in Norwegian."""
    return f"{value:,}".replace(",", _GROUPING[_language])


def moment(when: datetime) -> str:
    """A moment in local time: "5 Dec 2026 14:02" in English, "5. des. 2026 14:02" in Norwegian."""
    local = when.astimezone() if when.tzinfo is not None else when
    if _language == NORWEGIAN_BOKMAL:
        return f"{local.day}. {_NB_MONTHS[local.month - 1]} {local.year} {local:%H:%M}"
    return f"{local.day} {_EN_MONTHS[local.month - 1]} {local.year} {local:%H:%M}"


def listed(items: Sequence[str], limit: int) -> str:
    """The first ``limit`` items and how many more there are: "a, b, c and 4 more"."""
    shown = ", ".join(items[:limit])
    rest = len(items) - limit
    if rest <= 0:
        return shown
    return ngettext("{names} and {count} more", "{names} and {count} more", rest).format(
        names=shown, count=number(rest)
    )
