"""API keys: kept only in the OS keyring (or, when there is none, in memory for this session).

A backend is usable unless it is keyring's ``fail`` or ``null`` backend. Detection looks at the
selected backend and writes nothing, so no prompt appears at start; errors at first real use are
reported then. The program never selects a plaintext backend by itself: keyring's own
"not recommended" backends (priority below 1, such as keyrings.alt's files) are used only when the
user selects one explicitly (``PYTHON_KEYRING_BACKEND`` or keyring's config file), and are then
labelled as not encrypted.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from app.core.errors import AppError
from app.core.logging_setup import register_secret

log = logging.getLogger(__name__)

SERVICE = "autopilot-exporter"


class SecretStoreError(AppError):
    """The keyring refused or failed; the message says where and what to do."""


class KeyNeededError(AppError):
    """A connection has no key stored (no keyring, or the keyring lost it)."""


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool
    backend: str  # e.g. "keyring.backends.SecretService.Keyring"
    label: str  # where the key lives, in the user's words
    encrypted: bool
    persistent: bool


class SecretStore(Protocol):
    @property
    def status(self) -> KeyringStatus: ...

    def get(self, connection: str) -> str | None: ...

    def set(self, connection: str, api_key: str) -> None: ...

    def delete(self, connection: str) -> None: ...


def _account(connection: str) -> str:
    # Connection names are unique case-insensitively; the account is the normalised name.
    return connection.strip().casefold()


_LABELS = {
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
    "keyring.backends.macOS.Keyring": "the macOS Keychain",
    "keyring.backends.SecretService.Keyring": "your desktop's keyring (Secret Service)",
    "keyring.backends.libsecret.Keyring": "your desktop's keyring (libsecret)",
    "keyring.backends.kwallet.DBusKeyring": "KDE Wallet",
}


def _backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def describe_backend(backend: Any) -> KeyringStatus:
    from keyring.backends import fail, null

    name = _backend_name(backend)
    if isinstance(backend, fail.Keyring | null.Keyring):
        return KeyringStatus(False, name, "no system keyring", False, False)
    priority = float(getattr(backend, "priority", 0) or 0)
    encrypted = priority >= 1 and not name.startswith("keyrings.alt.file.Plaintext")
    label = _LABELS.get(name, f"the keyring {type(backend).__name__}")
    if not encrypted:
        label += " (not encrypted)"
    return KeyringStatus(True, name, label, encrypted, True)


def select_backend() -> Any:
    """The backend the user selected, else the best *recommended* one, else keyring's fail."""
    import keyring.backend
    import keyring.core
    from keyring.backends import chainer, fail

    try:
        explicit = keyring.core.load_env() or keyring.core.load_config()
    except Exception as exc:  # a misspelt backend name, or one whose libraries are missing
        log.warning("The selected keyring backend cannot be loaded: %s", exc)
        return fail.Keyring()  # type: ignore[no-untyped-call]
    if explicit is not None:
        return explicit
    candidates = [
        b
        for b in keyring.backend.get_all_keyring()
        if keyring.core.recommended(b) and not isinstance(b, chainer.ChainerBackend)
    ]
    fallback = fail.Keyring()  # type: ignore[no-untyped-call]
    return max(candidates, default=fallback, key=keyring.backend.by_priority)


_PAST = {"read": "read", "save": "stored", "delete": "deleted"}


class KeyringSecretStore:
    """Keys in the OS keyring through ``keyring``; every call may raise SecretStoreError."""

    def __init__(self, backend: Any | None = None) -> None:
        self._backend = backend if backend is not None else select_backend()
        self._status = describe_backend(self._backend)
        self._lock = threading.Lock()

    @property
    def status(self) -> KeyringStatus:
        return self._status

    def _call(self, action: str, func: Any, *args: str) -> Any:
        from keyring.errors import KeyringError, PasswordDeleteError

        if not self._status.usable:
            raise KeyNeededError(
                f"No system keyring is available, so the API key cannot be {_PAST[action]}; "
                "set up your desktop's keyring (Secret Service, Keychain or Credential Manager)."
            )
        try:
            with self._lock:
                return func(SERVICE, *args)
        except PasswordDeleteError:
            return None
        except (KeyringError, OSError, RuntimeError, EOFError) as exc:
            log.warning("Keyring %s failed in %s: %s", action, self._status.backend, type(exc))
            raise SecretStoreError(
                f"Could not {action} the API key in {self._status.label} "
                f"({type(exc).__name__}); unlock the keyring and try again."
            ) from None

    def get(self, connection: str) -> str | None:
        key = self._call("read", self._backend.get_password, _account(connection))
        if key:
            register_secret(key)
        return key if key else None

    def set(self, connection: str, api_key: str) -> None:
        register_secret(api_key)
        self._call("save", self._backend.set_password, _account(connection), api_key)

    def delete(self, connection: str) -> None:
        self._call("delete", self._backend.delete_password, _account(connection))


class MemorySecretStore:
    """Keys kept in this process only: the session-only fallback when no keyring exists."""

    def __init__(self, label: str = "memory only: the key is kept until you quit") -> None:
        self._keys: dict[str, str] = {}
        self._lock = threading.Lock()
        self._status = KeyringStatus(True, "memory", label, False, False)

    @property
    def status(self) -> KeyringStatus:
        return self._status

    def get(self, connection: str) -> str | None:
        with self._lock:
            return self._keys.get(_account(connection))

    def set(self, connection: str, api_key: str) -> None:
        register_secret(api_key)
        with self._lock:
            self._keys[_account(connection)] = api_key

    def delete(self, connection: str) -> None:
        with self._lock:
            self._keys.pop(_account(connection), None)
