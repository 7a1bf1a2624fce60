"""A keyring backend that is there but locked, as a Secret Service collection nobody unlocked
(a scheduled run has no one to type the password): every call raises keyring's KeyringLocked.

Selected in a subprocess with ``PYTHON_KEYRING_BACKEND=tests.support.locked_keyring.LockedKeyring``.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked


class LockedKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the keyring!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the keyring!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the keyring!")
