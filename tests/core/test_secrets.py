"""Where API keys live: the OS keyring, or memory for one session; never anywhere else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from keyring.backends import fail, null

from app.core.secrets import (
    KeyNeededError,
    KeyringSecretStore,
    MemorySecretStore,
    describe_backend,
    select_backend,
)

SECRET_SERVICE = os.environ.get("AUTOPILOT_EXPORTER_TEST_KEYRING") == "secret-service"


def test_fail_and_null_backends_are_not_usable() -> None:
    for backend in (fail.Keyring(), null.Keyring()):
        status = describe_backend(backend)
        assert not status.usable
        assert status.label == "no system keyring"


def test_store_without_usable_backend_refuses_with_a_message() -> None:
    store = KeyringSecretStore(fail.Keyring())
    with pytest.raises(KeyNeededError, match="No system keyring"):
        store.set("Main", "k-123456")


def test_explicitly_selected_plaintext_backend_is_used_and_labelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    store = KeyringSecretStore(select_backend())
    assert store.status.usable
    assert not store.status.encrypted
    assert "not encrypted" in store.status.label
    store.set("Main", "k-plain-1")
    assert store.get("MAIN ") == "k-plain-1"  # names are matched trimmed and case-insensitively
    store.delete("Main")
    assert store.get("Main") is None


def test_unselected_plaintext_backend_is_never_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    # keyrings.alt is installed in the test environment; without an explicit selection the
    # program must not fall back to its plaintext file.
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")
    backend = select_backend()
    assert not type(backend).__module__.startswith("keyrings.alt")


def test_unknown_selected_backend_is_reported_as_no_keyring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no.such.Backend")
    assert not describe_backend(select_backend()).usable


def test_memory_store_is_session_only() -> None:
    store = MemorySecretStore()
    assert store.status.usable and not store.status.persistent
    store.set("Main", "k-mem-1")
    assert store.get("main") == "k-mem-1"
    store.delete("Main")
    assert store.get("Main") is None


@pytest.mark.skipif(not SECRET_SERVICE, reason="needs scripts/with-keyring (gnome-keyring)")
def test_real_secret_service_round_trip() -> None:
    from keyring.backends.SecretService import Keyring

    store = KeyringSecretStore(Keyring())
    assert store.status.usable and store.status.encrypted
    assert "Secret Service" in store.status.label
    store.set("Real", "k-real-secret-service")
    assert store.get("real") == "k-real-secret-service"
    store.delete("Real")
    assert store.get("Real") is None
