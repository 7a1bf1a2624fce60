"""A keyring in memory for tests where the keyring is not the subject."""

from __future__ import annotations

from app.core.secrets import KeyringStatus, SecretStoreError

BACKEND = "tests.KeptKeys"


class KeptKeys:
    """A persistent keyring in memory; ``usable=False`` behaves like keyring's fail backend,
    and ``locked`` makes every call fail as a keyring that stays locked does."""

    def __init__(self, *, usable: bool = True) -> None:
        self.keys: dict[str, str] = {}
        self.locked = False
        self.status = KeyringStatus(usable, BACKEND, "a test keyring", True, usable)

    def _check(self) -> None:
        if self.locked:
            raise SecretStoreError("Could not read the API key in a test keyring; unlock it.")

    def get(self, connection: str) -> str | None:
        self._check()
        return self.keys.get(connection.strip().casefold())

    def set(self, connection: str, api_key: str) -> None:
        self._check()
        self.keys[connection.strip().casefold()] = api_key

    def delete(self, connection: str) -> None:
        self._check()
        self.keys.pop(connection.strip().casefold(), None)
