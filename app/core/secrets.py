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
from app.core.i18n import N_, _
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
    # Where the key lives, in the user's words: an English msgid, {name} filled with ``name``.
    words: str
    encrypted: bool
    persistent: bool
    name: str = ""

    @property
    def label(self) -> str:
        """Where the key lives, in the user's words and language."""
        return _(self.words).format(name=self.name) if self.words else ""


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
    "keyring.backends.Windows.WinVaultKeyring": N_("Windows Credential Manager"),
    "keyring.backends.macOS.Keyring": N_("the macOS Keychain"),
    "keyring.backends.SecretService.Keyring": N_("your desktop's keyring (Secret Service)"),
    "keyring.backends.libsecret.Keyring": N_("your desktop's keyring (libsecret)"),
    "keyring.backends.kwallet.DBusKeyring": N_("KDE Wallet"),
}
_OTHER_KEYRING = N_("the keyring {name}")
_NOT_ENCRYPTED = N_("the keyring {name} (not encrypted)")


def _backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def describe_backend(backend: Any) -> KeyringStatus:
    from keyring.backends import fail, null

    name = _backend_name(backend)
    if isinstance(backend, fail.Keyring | null.Keyring):
        return KeyringStatus(False, name, N_("no system keyring"), False, False)
    priority = float(getattr(backend, "priority", 0) or 0)
    encrypted = priority >= 1 and not name.startswith("keyrings.alt.file.Plaintext")
    words = _LABELS.get(name, _OTHER_KEYRING) if encrypted else _NOT_ENCRYPTED
    return KeyringStatus(True, name, words, encrypted, True, type(backend).__name__)


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


# What each keyring action says when there is no keyring, and when the keyring fails.
_NO_KEYRING = {
    "read": N_(
        "No system keyring is available, so the API key cannot be read; set up your desktop's "
        "keyring (Secret Service, Keychain or Credential Manager)."
    ),
    "save": N_(
        "No system keyring is available, so the API key cannot be stored; set up your "
        "desktop's keyring (Secret Service, Keychain or Credential Manager)."
    ),
    "delete": N_(
        "No system keyring is available, so the API key cannot be deleted; set up your "
        "desktop's keyring (Secret Service, Keychain or Credential Manager)."
    ),
}
_FAILED = {
    "read": N_("Could not read the API key in {place}; unlock the keyring and try again."),
    "save": N_("Could not save the API key in {place}; unlock the keyring and try again."),
    "delete": N_("Could not delete the API key in {place}; unlock the keyring and try again."),
}


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
            raise KeyNeededError(_(_NO_KEYRING[action]))
        try:
            with self._lock:
                return func(SERVICE, *args)
        except PasswordDeleteError:
            return None
        except (KeyringError, OSError, RuntimeError, EOFError) as exc:
            # The exception's class (KeyringLocked...) tells a marketer nothing: it is logged.
            log.warning("Keyring %s failed in %s: %s", action, self._status.backend, type(exc))
            raise SecretStoreError(_(_FAILED[action]).format(place=self._status.label)) from None

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

    def __init__(self, label: str = N_("memory only: the key is kept until you quit")) -> None:
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
