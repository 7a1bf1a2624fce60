"""A destination's failures in the user's language: whole sentences, and an offer to resume that
is known without reading the words (so it works the same in Norwegian)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from app.core import advice
from app.core.destinations.autopilot.answers import SENDING_CONTACTS
from app.core.destinations.autopilot.client import WORDS
from app.core.destinations.errors import DestinationError
from app.core.destinations.http.failures import CHECKING_KEY, Context, error_for
from app.core.destinations.http.transport import CONNECT, RESET, TIMEOUT, Reply
from app.core.destinations.ortto.account import created_message, missing_message
from app.core.destinations.ortto.destination import ORTTO
from app.core.environment import environment_failure
from app.core.errors import without_resume_offer
from app.core.secrets import KeyringSecretStore

SENDING = Context("api2.autopilothq.com", SENDING_CONTACTS, 8, 20.0, WORDS)
ENGLISH_WORDS = ("while", "attempts", "resume", "Try again", "Check the")


def errors(ctx: Context) -> list[DestinationError]:
    replies = [Reply(401), Reply(429), Reply(503), Reply(None, failure=TIMEOUT)]
    return [error_for(reply, ctx) for reply in [*replies, Reply(None, failure=RESET)]]


def test_a_failure_in_norwegian_is_norwegian_and_offers_a_resume_it_can_take_back(
    norwegian: str,
) -> None:
    full = environment_failure(OSError(errno.ENOSPC, "No space left on device"), Path("/data"))
    assert full is not None
    for error in [*errors(SENDING), full]:
        message = str(error)
        assert error.offers_resume, message
        assert not any(word in message for word in ENGLISH_WORDS), message
        assert "gjenopp" in message, message
        instead = without_resume_offer(message)
        assert "gjenopp" not in instead and instead.endswith("."), instead
    assert "Dette skjedde under sendingen av kontakter." in str(errors(SENDING)[2])
    assert "(8 forsøk)" in str(errors(SENDING)[3])


def test_a_failure_that_offers_no_resume_says_so() -> None:
    check = Context("api2.autopilothq.com", CHECKING_KEY, 1, 15.0, WORDS)
    for reply in (Reply(None, failure=CONNECT), Reply(404), Reply(302)):
        error = error_for(reply, check)
        assert not error.offers_resume and "resum" not in str(error)
    # One attempt is one attempt.
    assert "after 1 attempt. This happened while checking the API key." in str(
        error_for(Reply(503), check)
    )


def test_an_english_failure_stored_by_the_command_line_loses_its_offer_in_a_norwegian_window(
    norwegian: str,
) -> None:
    from app.core import i18n

    i18n.activate(i18n.ENGLISH)
    stored = str(error_for(Reply(503), SENDING))
    i18n.activate(norwegian)
    assert without_resume_offer(stored) == stored.removesuffix(
        " An interrupted run can be resumed."
    )


@pytest.mark.parametrize("count", [1, 2])
def test_ortto_field_messages_count_the_fields(count: int) -> None:
    targets = ["custom:integer:Points", "custom:string:Tier"][:count]
    missing, created = missing_message(targets), created_message(targets)
    assert ("custom field " if count == 1 else "custom fields ") + "'Points'" in missing
    assert ("delete it." if count == 1 else "delete them.") in created
    assert "export add --create-fields" in missing


def test_the_window_is_told_to_create_fields_in_its_own_words(norwegian: str) -> None:
    advice.speak_to(advice.WINDOW)
    message = missing_message(["custom:integer:Points"])
    assert "--create-fields" not in message and "Kjør nå" in message, message
    note = ORTTO.audience_note({"VIP": "VIP", "Alle": "Alle"})
    assert note is not None and "en av taggene" in note, note


def test_the_keyring_says_where_the_key_lives_in_the_users_language(norwegian: str) -> None:
    from keyrings.alt.file import PlaintextKeyring

    status = KeyringSecretStore(PlaintextKeyring()).status
    assert status.label == "nøkkelringen PlaintextKeyring (ikke kryptert)"
