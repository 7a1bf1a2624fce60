"""The catalogs: every text of the window is marked, translated, and keeps its placeholders."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from app.core import i18n

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "resources" / "locale"
POT = LOCALE / f"{i18n.DOMAIN}.pot"
LANGUAGES = [lang for lang in i18n.LANGUAGES if lang != i18n.ENGLISH]


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def po(language: str) -> Catalog:
    return read(LOCALE / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po")


def texts(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def placeholders(text: str) -> set[str]:
    """``{name}`` and ``{rate:g}`` -> {"name", "rate:g"}: names and formats must both survive."""
    found = set()
    for _literal, field, spec, _conversion in string.Formatter().parse(text):
        if field is not None:
            found.add(f"{field}:{spec}" if spec else field)
    return found


def test_the_template_holds_every_text_marked_in_the_code(tmp_path: Path) -> None:
    # Extract afresh and compare: a text added without `scripts/dev i18n` fails here.
    from babel.messages.extract import extract_from_dir

    from tests.support.catalogs import KEYWORDS

    fresh = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "app"),
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
        )
    }
    pot = {m.id for m in read(POT) if m.id}
    assert fresh == pot, "run scripts/dev i18n (the template is stale)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated_and_none_is_fuzzy(language: str) -> None:
    pot = {m.id for m in read(POT) if m.id}
    catalog = po(language)
    ids = {m.id for m in catalog if m.id}
    assert pot - ids == set(), f"missing in {language}: run scripts/dev i18n and translate"
    untranslated = [m.id for m in catalog if m.id and not all(texts(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [], untranslated
    assert fuzzy == [], fuzzy


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language: str) -> None:
    wrong = []
    for message in po(language):
        if not message.id:
            continue
        expected = set().union(*(placeholders(t) for t in texts(message.id)))
        for text in texts(message.string):
            # A singular may say "one" instead of {n}; nothing else may go or come.
            allowed_missing = {"n"} if isinstance(message.id, tuple) else set()
            got = placeholders(text)
            if got - expected or (expected - got) - allowed_missing:
                wrong.append((message.id, text))
    assert wrong == []


def test_placeholder_check_catches_a_renamed_one() -> None:
    assert placeholders("{n} sendt til {navn}") != placeholders("{n} sent to {name}")
    assert placeholders("{rate} per sekund") != placeholders("{rate:g} per second")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_used(language: str, norwegian: str) -> None:
    assert i18n._("&1  Connections") == "&1  Tilkoblinger"
    assert i18n.ngettext("{n} member", "{n} members", 1) == "{n} medlem"
    assert i18n.ngettext("{n} member", "{n} members", 2) == "{n} medlemmer"
