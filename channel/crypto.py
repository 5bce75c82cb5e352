"""Encryption at rest of credentials: the only code that sees them in clear.

Fernet (AES-128-CBC with HMAC-SHA256) from ``cryptography``, keyed by
``Settings.encryption_key``. A wrong key or a tampered value raises
``InvalidInput`` instead of returning garbage.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from channel.errors import ConfigurationError, InvalidInput


def new_key() -> str:
    return Fernet.generate_key().decode()


class Vault:
    def __init__(self, key: str):
        if not key:
            raise ConfigurationError("CHANNEL_ENCRYPTION_KEY is required to store credentials")
        try:
            self._fernet = Fernet(key.encode() if isinstance(key, str) else key)
        except (ValueError, TypeError):
            # Accept any passphrase by deriving a Fernet key from it.
            digest = hashlib.sha256(str(key).encode()).digest()
            self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def __repr__(self) -> str:
        return "Vault(***)"

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise InvalidInput("stored credential cannot be decrypted with the configured key") from None
