"""Credentials encrypted at rest with Fernet, several keys for rotation.

SPENDLENS_ENCRYPTION_KEYS is a comma-separated list of Fernet keys, newest first: new values are
encrypted with the first, any of them decrypts, and `rotate` re-encrypts under the newest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class CredentialsUnreadable(Exception):
    """No configured key decrypts the stored credentials."""


class CredentialBox:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError(
                "SPENDLENS_ENCRYPTION_KEYS is empty: set at least one Fernet key "
                "(python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            )
        self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys])

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CredentialBox:
        raw = config.get("ENCRYPTION_KEYS") or ""
        keys = raw if isinstance(raw, list) else [k for k in raw.split(",") if k.strip()]
        return cls(keys)

    def encrypt(self, credentials: Mapping[str, Any]) -> bytes:
        return self._fernet.encrypt(json.dumps(dict(credentials), sort_keys=True).encode())

    def decrypt(self, token: bytes) -> dict[str, Any]:
        try:
            return json.loads(self._fernet.decrypt(bytes(token)))
        except InvalidToken as exc:
            raise CredentialsUnreadable("no configured encryption key decrypts these") from exc

    def rotate(self, token: bytes) -> bytes:
        """The same credentials, encrypted under the newest key."""
        try:
            return self._fernet.rotate(bytes(token))
        except InvalidToken as exc:
            raise CredentialsUnreadable("no configured encryption key decrypts these") from exc
