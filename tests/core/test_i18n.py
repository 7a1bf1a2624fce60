"""The language: chosen from the OS locale or a saved choice; English unless activated."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.core import i18n


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("nb_NO.UTF-8", "nb"),
        ("nn_NO", "nb"),
        ("no", "nb"),
        ("nb-NO", "nb"),
        ("en_GB.UTF-8", "en"),
        ("sv_SE", "en"),
        ("C", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_the_os_locale_decides_the_language(name: str | None, language: str) -> None:
    assert i18n.language_of(name) == language


def test_a_saved_choice_wins_over_the_system() -> None:
    norwegian_system = {"LANG": "nb_NO.UTF-8"}
    assert i18n.resolve("system", norwegian_system) == "nb"
    assert i18n.resolve(None, norwegian_system) == "nb"
    assert i18n.resolve("en", norwegian_system) == "en"
    assert i18n.resolve("nb", {"LANG": "en_US.UTF-8"}) == "nb"
    assert i18n.resolve("system", {"LANGUAGE": "nn:en", "LANG": "en_US"}) == "nb"
    assert i18n.resolve("system", {}) == "en"


def test_words_are_english_until_a_language_is_activated(norwegian: str) -> None:
    assert i18n._("Ready.") == "Klar."
    assert i18n.activate("en") == "en"
    assert i18n._("Ready.") == "Ready."
    assert i18n.activate("xx") == "en"


def test_the_command_line_stays_english_on_a_norwegian_system() -> None:
    code = (
        "from app.core import i18n; from app.core.history import STATUS_WORDS, RunStatus;"
        "print(i18n._(STATUS_WORDS[RunStatus.FAILED]), i18n.active_language())"
    )
    env = {"LANG": "nb_NO.UTF-8", "LANGUAGE": "nb", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["Failed", "en"]


def test_numbers_and_moments_are_written_the_way_the_language_writes_them() -> None:
    from datetime import datetime

    from app.core import i18n

    noon = datetime(2026, 12, 5, 14, 2)
    assert (i18n.number(1234567), i18n.moment(noon)) == ("1,234,567", "5 Dec 2026 14:02")
    i18n.activate(i18n.NORWEGIAN_BOKMAL)
    assert i18n.number(1234567) == "1\u00a0234\u00a0567"
    assert i18n.moment(noon) == "5. des. 2026 14:02"
    assert i18n.moment(datetime(2026, 3, 1, 9, 5)) == "1. mars 2026 09:05"
