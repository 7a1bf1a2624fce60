"""Connection keys: saved, renamed, read and removed together with the connection's settings.

The settings store never touches a key; ConnectionKeys writes the keyring before the database
and undoes that write when the database refuses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.connections import Connection, ConnectionStore, Saving
from app.core.connections.keys import ConnectionKeys
from app.core.errors import AlreadyExistsError, InUseError, NotFoundError
from app.core.secrets import KeyNeededError, MemorySecretStore
from app.core.store import StateStore, utc_now
from tests.support.keys import BACKEND, KeptKeys


class RefusingStore(ConnectionStore):
    """The database refuses every write (a full disk, a busy store)."""

    def write(self, saving: Saving, *, key_stored: bool) -> Connection:
        raise OSError("disk full")


def connection(name: str, **settings: object) -> Connection:
    return Connection(name, consent_at=utc_now(), **settings)  # type: ignore[arg-type]


@pytest.fixture
def state(tmp_path: Path) -> StateStore:
    return StateStore(tmp_path / "state.sqlite3")


@pytest.fixture
def store(state: StateStore) -> ConnectionStore:
    return ConnectionStore(state)


@pytest.fixture
def secrets() -> KeptKeys:
    return KeptKeys()


@pytest.fixture
def keys(store: ConnectionStore, secrets: KeptKeys) -> ConnectionKeys:
    return ConnectionKeys(store, secrets)


def test_a_saved_key_is_in_the_keyring_and_only_its_state_in_the_database(
    keys: ConnectionKeys, store: ConnectionStore, secrets: KeptKeys
) -> None:
    saved = keys.save(connection(" Main "), "apk-main-1")
    assert saved.name == "Main" and saved.key_stored
    assert saved.keyring_backend == BACKEND
    assert secrets.keys == {"main": "apk-main-1"}
    assert keys.read("MAIN") == "apk-main-1"
    stored = store.get("Main")
    assert stored.key_stored and stored.keyring_backend == "", "settings know no keyring"
    assert keys.with_backend(stored) == saved


def test_saving_settings_without_a_key_keeps_the_stored_key(keys: ConnectionKeys) -> None:
    keys.save(connection("Main"), "apk-main-1")
    saved = keys.save(connection("Main", rate_limit=2.0), None)
    assert saved.rate_limit == 2.0 and saved.key_stored
    assert keys.read("Main") == "apk-main-1"


def test_the_settings_store_saves_settings_and_leaves_the_key(
    keys: ConnectionKeys, store: ConnectionStore, secrets: KeptKeys
) -> None:
    new = store.save(connection("Keyless"))
    assert not new.key_stored
    keys.save(connection("Main"), "apk-main-1")
    assert store.save(connection("Main", profile_cap=50)).key_stored
    assert secrets.keys == {"main": "apk-main-1"}


def test_a_renamed_connection_takes_its_key_along(
    keys: ConnectionKeys, store: ConnectionStore, secrets: KeptKeys
) -> None:
    keys.save(connection("Old"), "apk-old-1")
    renamed = keys.save(connection("New"), None, original_name="Old")
    assert renamed.name == "New" and renamed.key_stored
    assert [c.name for c in store.all()] == ["New"]
    assert secrets.keys == {"new": "apk-old-1"}
    with pytest.raises(NotFoundError):
        keys.read("Old")


def test_a_rename_with_a_new_key_stores_the_new_key_only(
    keys: ConnectionKeys, secrets: KeptKeys
) -> None:
    keys.save(connection("Old"), "apk-old-1")
    keys.save(connection("New"), "apk-new-2", original_name="Old")
    assert secrets.keys == {"new": "apk-new-2"}


def test_renaming_onto_another_connection_is_refused_and_changes_nothing(
    keys: ConnectionKeys, store: ConnectionStore, secrets: KeptKeys
) -> None:
    keys.save(connection("One"), "apk-one-1")
    keys.save(connection("Two"), "apk-two-2")
    with pytest.raises(AlreadyExistsError) as caught:
        keys.save(connection("Two"), None, original_name="One", replace_existing=True)
    assert str(caught.value) == (
        "A connection named 'Two' exists. Choose another name (or use --replace to overwrite it)."
    )
    assert [c.name for c in store.all()] == ["One", "Two"]
    assert secrets.keys == {"one": "apk-one-1", "two": "apk-two-2"}


def test_replace_overwrites_a_connection_of_that_name(
    keys: ConnectionKeys, store: ConnectionStore, secrets: KeptKeys
) -> None:
    keys.save(connection("Main"), "apk-main-1")
    saved = keys.save(connection("main", rate_limit=9.0), "apk-main-2", replace_existing=True)
    assert saved.rate_limit == 9.0
    assert len(store.all()) == 1
    assert keys.read("Main") == "apk-main-2"


def test_a_new_connection_the_database_refuses_leaves_no_key_behind(
    state: StateStore, secrets: KeptKeys
) -> None:
    keys = ConnectionKeys(RefusingStore(state), secrets)
    with pytest.raises(OSError, match="disk full"):
        keys.save(connection("Main"), "apk-main-1")
    assert secrets.keys == {}


def test_an_existing_connection_the_database_refuses_keeps_the_new_key(
    state: StateStore, keys: ConnectionKeys, secrets: KeptKeys
) -> None:
    keys.save(connection("Main"), "apk-main-1")
    refusing = ConnectionKeys(RefusingStore(state), secrets)
    with pytest.raises(OSError):
        refusing.save(connection("Main"), "apk-main-2")
    # As before the split: only a new connection's key is taken back.
    assert secrets.keys == {"main": "apk-main-2"}


def test_a_missing_key_says_how_to_enter_it_again(
    keys: ConnectionKeys, store: ConnectionStore
) -> None:
    store.save(connection("Main"))
    with pytest.raises(KeyNeededError) as caught:
        keys.read("main")
    assert str(caught.value) == (
        "Connection 'Main' has no API key stored. Enter the key again (connection add --replace)."
    )


def test_removing_a_connection_deletes_its_key(
    keys: ConnectionKeys, store: ConnectionStore, secrets: KeptKeys
) -> None:
    keys.save(connection("Main"), "apk-main-1")
    keys.remove(" main ")
    assert store.all() == [] and secrets.keys == {}


def test_a_connection_in_use_keeps_its_settings_and_key(
    state: StateStore, keys: ConnectionKeys, store: ConnectionStore, secrets: KeptKeys
) -> None:
    keys.save(connection("Main"), "apk-main-1")
    with state.transaction() as db:
        db.execute(
            "INSERT INTO exports (name, connection_id, mapping, created_at, updated_at)"
            " SELECT 'Weekly', id, '{}', '', '' FROM connections"
        )
    assert store.exports_using("Main") == ["Weekly"]
    with pytest.raises(InUseError, match="used by the export"):
        keys.remove("Main")
    assert secrets.keys == {"main": "apk-main-1"}


def test_without_a_keyring_removing_and_forgetting_delete_nothing(
    store: ConnectionStore,
) -> None:
    keys = ConnectionKeys(store, KeptKeys(usable=False))
    store.save(connection("Main"))
    keys.remove("Main")  # a fail backend would raise if asked to delete
    keys.forget(["Main", "Other"])
    assert store.all() == []


def test_whether_a_key_is_stored_is_asked_of_the_keyring(
    keys: ConnectionKeys, store: ConnectionStore, secrets: KeptKeys
) -> None:
    keys.save(connection("Main"), "apk-main-1")
    assert keys.key_stored("main") is True
    secrets.keys.clear()  # another OS user, or a keyring that was reset
    assert store.get("Main").key_stored, "the database still remembers the save"
    assert keys.key_stored("Main") is False
    secrets.locked = True
    assert keys.key_stored("Main") is None, "a keyring that cannot be read: unknown"
    assert ConnectionKeys(store, KeptKeys(usable=False)).key_stored("Main") is None


def test_forget_deletes_the_keys_of_erased_connections(
    keys: ConnectionKeys, secrets: KeptKeys
) -> None:
    keys.save(connection("One"), "apk-one-1")
    keys.save(connection("Two"), "apk-two-2")
    keys.forget(["One", "Two"])
    assert secrets.keys == {}


def test_session_only_keys_after_use(store: ConnectionStore) -> None:
    keys = ConnectionKeys(store, KeptKeys(usable=False))
    session = MemorySecretStore("memory only")
    keys.use(session)
    saved = keys.save(connection("Main"), "apk-main-1")
    assert keys.status is session.status
    assert not saved.key_stored, "a key kept for the session is not stored"
    assert saved.keyring_backend == "memory"
    assert keys.read("Main") == "apk-main-1"
