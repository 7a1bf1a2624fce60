"""The window's words for errors: no command-line advice, no class names, Connect is not a run.

The messages come from the core itself (the code paths that raise them, or the functions that
build them), so a changed core text shows up here rather than slipping past the mapping.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from keyring.errors import KeyringLocked
from keyrings.alt.file import PlaintextKeyring

from app.context import AppContext, build_context
from app.core.connections import Connection
from app.core.destinations.autopilot.client import WORDS
from app.core.destinations.http.failures import CHECKING_KEY, Context, error_for
from app.core.destinations.http.transport import RESET, TIMEOUT, Reply
from app.core.errors import AlreadyExistsError, AppError, InputFileError
from app.core.profiles.encoding import not_decodable
from app.core.secrets import KeyringSecretStore
from app.core.store import utc_now
from app.ui.errors import connect_message, user_message

CLI_WORDS = ("--encoding", "--delimiter", "--replace", "connection add", "--sheet")


def caught(action: Any) -> AppError:
    with pytest.raises(AppError) as raised:
        action()
    return raised.value


def assert_window_words(message: str) -> None:
    assert not any(word in message for word in CLI_WORDS), message


def test_encoding_advice_says_how_to_save_the_file(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    for error in (
        not_decodable(path, "cp1252", detected=True),
        not_decodable(path, "utf-16", detected=False),
        # Raised by the CSV import when a forced encoding is wrong further into the file.
        InputFileError(
            f"{path} is not valid UTF-8 text (line 3). Pass the right --encoding, "
            "for example cp1252."
        ),
    ):
        message = user_message(error)
        assert_window_words(message)
        assert str(path) in message
        assert "UTF-8" in message and "import it again" in message


def test_delimiter_advice_says_what_to_fix(context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("Email;Name\na@example.com;Ann;extra\nb@example.com;Bo\n", encoding="utf-8")
    error = caught(lambda: context.profiles.import_file(path, "wide"))
    assert "--delimiter" in str(error), "the core's text changed; check the mapping"
    message = user_message(error)
    assert_window_words(message)
    assert "more cells than the header" in message
    assert "or fix those rows." in message


def test_a_name_that_exists_asks_for_another_name_only(context: AppContext) -> None:
    context.keys.save(Connection("Marketing", consent_at=utc_now()), "apk-0123456789")
    error = caught(
        lambda: context.keys.save(
            Connection("Marketing", consent_at=utc_now()), None, original_name="Other"
        )
    )
    assert isinstance(error, AlreadyExistsError)
    assert "--replace" in str(error)
    message = user_message(error)
    assert_window_words(message)
    assert message.endswith("Choose another name."), message


def test_a_missing_key_points_to_the_connections_tab(app_home: Path) -> None:
    context = build_context(secret_store=KeyringSecretStore(PlaintextKeyring()))
    context.connections.save(Connection("Marketing", consent_at=utc_now()))
    error = caught(lambda: context.keys.read("Marketing"))
    message = user_message(error)
    assert_window_words(message)
    assert "Connections tab" in message


class _LockedKeyring(PlaintextKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the collection is locked")


def test_a_keyring_failure_names_no_exception_class() -> None:
    store = KeyringSecretStore(_LockedKeyring())
    error = caught(lambda: store.get("Marketing"))
    assert "KeyringLocked" not in str(error)  # the log has it
    message = user_message(error)
    assert "KeyringLocked" not in message
    assert message.startswith("Could not read the API key in ")
    assert message.endswith("; unlock the keyring and try again.")


CHECK = Context(
    host="api2.autopilothq.com",
    what=CHECKING_KEY,
    attempts=2,
    read_timeout=15,
    service=WORDS,
)


@pytest.mark.parametrize(
    "reply",
    [Reply(None, failure=TIMEOUT), Reply(None, failure=RESET), Reply(503), Reply(429)],
    ids=["timeout", "reset", "server", "throttled"],
)
def test_connect_never_speaks_of_resuming_a_run(reply: Reply) -> None:
    error = error_for(reply, CHECK)
    assert error.offers_resume and "resum" in str(error)
    message = connect_message(error)
    assert "resum" not in message.lower(), message
    assert "run" not in message.split(), message
    assert message.endswith(("try again.", "connect again.", "Try again later.")), message


def test_a_refused_key_at_connect_says_to_copy_it_again() -> None:
    message = connect_message(error_for(Reply(401), CHECK))
    assert "rejected this API key" in message and "connect again" in message
