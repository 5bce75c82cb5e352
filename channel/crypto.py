"""Encryption at rest of credentials and buyer data: the only code that sees them in clear.

Fernet (AES-128-CBC with HMAC-SHA256) from ``cryptography``, keyed by
``Settings.encryption_key``. A wrong key or a tampered value raises
``InvalidInput`` instead of returning garbage.

The key is either a Fernet key (urlsafe base64 of 32 random bytes, ``new_key()``),
used as it is, or a passphrase. A passphrase is stretched with scrypt and a random
salt; the salt travels with every value it encrypted (``scrypt1:<salt>:<token>``),
so any process holding the passphrase can decrypt. Values written before by a
passphrase vault (one unsalted SHA-256 of the passphrase) stay readable and are
written in the new form the next time they are saved.

The key may also be a key ring, keys separated by commas (``NEW,OLD``): values are
written under the first and read under any of them, so processes keep working while
``python -m channel rotate-key`` (``channel.key_rotation``) re-encrypts every stored
secret under the first key; then the old key is dropped from the ring.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import math
import os
from collections import Counter

from cryptography.fernet import Fernet, InvalidToken

from channel.errors import ConfigurationError, InvalidInput

#: scrypt cost for a passphrase (2**15 x 8 x 128 bytes = 32 MiB, about 0.1 s, once per salt and process).
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
#: Prefix of a value encrypted under a passphrase-derived key.
SCRYPT_PREFIX = "scrypt1"
#: A bridge secret shorter or guessable below this is refused (HMAC-SHA256 wants 128 bits or more).
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 128
#: A passphrase for the encryption key: scrypt slows guessing, it does not replace length.
MIN_PASSPHRASE_LENGTH = 20
MIN_PASSPHRASE_BITS = 90
GENERATE = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
#: Separates the keys of a key ring in ``CHANNEL_ENCRYPTION_KEY`` (newest first).
RING_SEPARATOR = ","


def new_key() -> str:
    return Fernet.generate_key().decode()


def estimated_bits(value: str) -> float:
    """A conservative guess of a secret's entropy: Shannon entropy of its characters
    times its length, and nothing for text that repeats itself (``abcabc...``)."""
    if not value:
        return 0.0
    counts = Counter(value)
    per_char = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    grams = [value[i:i + 3] for i in range(len(value) - 2)]
    if grams and len(set(grams)) / len(grams) < 0.75:
        return 0.0
    return per_char * len(value)


def weakness(value: str, min_length: int, min_bits: int) -> str | None:
    """Why ``value`` is too weak to be a secret, or None."""
    if len(value) < min_length:
        return f"it has {len(value)} characters, at least {min_length} are needed"
    if estimated_bits(value) < min_bits:
        return "it is too predictable (repeated or too few different characters)"
    return None


def _fernet_key(key: str) -> bytes | None:
    """The 32 raw bytes when ``key`` is a Fernet key, else None (a passphrase)."""
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    return raw if len(raw) == 32 and len(key.strip()) == 44 else None


def check_bridge_secret(secret: str) -> None:
    if not secret:
        return
    why = weakness(secret, MIN_SECRET_LENGTH, MIN_SECRET_BITS)
    if why:
        raise ConfigurationError(f"CHANNEL_BRIDGE_SECRET is too weak: {why}. Generate one with {GENERATE} and"
                                 " set the same value in Magento (Stores > Configuration > Amazon Channel).")


def ring(key: str) -> list[str]:
    """The keys of ``CHANNEL_ENCRYPTION_KEY``: the one that writes first, then those that still read."""
    keys = [k.strip() for k in str(key).split(RING_SEPARATOR)]
    if not all(keys):
        raise ConfigurationError("CHANNEL_ENCRYPTION_KEY has an empty key in its ring: separate keys by one comma,"
                                 " the new key first (NEW,OLD)")
    return keys


def check_encryption_key(key: str) -> None:
    if not key:
        return
    for one in ring(key):
        _check_one_key(one)


def _check_one_key(key: str) -> None:
    raw = _fernet_key(key)
    if raw is not None:
        if len(set(raw)) < 16:
            raise ConfigurationError("CHANNEL_ENCRYPTION_KEY is a Fernet key without randomness; generate one with"
                                     ' python -c "from channel.crypto import new_key; print(new_key())"')
        return
    why = weakness(key, MIN_PASSPHRASE_LENGTH, MIN_PASSPHRASE_BITS)
    if why:
        raise ConfigurationError(f"CHANNEL_ENCRYPTION_KEY is too weak: {why}. Use a Fernet key"
                                 ' (python -c "from channel.crypto import new_key; print(new_key())")'
                                 " or a long random passphrase.")


@functools.lru_cache(maxsize=64)
def _derived(passphrase: str, salt: bytes) -> Fernet:
    key = hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                         maxmem=64 * 1024 * 1024, dklen=32)
    return Fernet(base64.urlsafe_b64encode(key))


@functools.lru_cache(maxsize=16)
def _write_salt(passphrase_digest: str) -> bytes:
    """One random salt per passphrase and process: one scrypt run for all it writes."""
    return os.urandom(16)


def _legacy(passphrase: str) -> Fernet:
    """How a passphrase was turned into a key before scrypt (read-only, for old values)."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(passphrase.encode()).digest()))


class _Key:
    """One key of the ring: a Fernet key, or a passphrase with this process's write salt."""

    def __init__(self, key: str):
        self.passphrase: str | None = None
        if _fernet_key(key) is not None:
            self.fernet = Fernet(key.strip().encode())
        else:
            self.passphrase = key
            self.salt = _write_salt(hashlib.sha256(key.encode()).hexdigest())
            self.fernet = _derived(key, self.salt)

    def encrypt(self, plaintext: str) -> str:
        token = self.fernet.encrypt(plaintext.encode()).decode()
        if self.passphrase is None:
            return token
        return f"{SCRYPT_PREFIX}:{base64.urlsafe_b64encode(self.salt).decode()}:{token}"

    def decrypt(self, token: str) -> str:
        """The clear value; raises InvalidToken (or a decoding error) when not this key's."""
        if token.startswith(SCRYPT_PREFIX + ":"):
            if self.passphrase is None:
                raise InvalidToken
            _, salt, body = token.split(":", 2)
            return _derived(self.passphrase, base64.urlsafe_b64decode(salt)).decrypt(body.encode()).decode()
        if self.passphrase is not None:
            return _legacy(self.passphrase).decrypt(token.encode()).decode()
        return self.fernet.decrypt(token.encode()).decode()


class Vault:
    def __init__(self, key: str):
        if not key:
            raise ConfigurationError("CHANNEL_ENCRYPTION_KEY is required to store credentials")
        self._keys = [_Key(k) for k in ring(str(key))]

    def __repr__(self) -> str:
        return f"Vault(*** {len(self._keys)} key(s))"

    def encrypt(self, plaintext: str) -> str:
        return self._keys[0].encrypt(plaintext)

    def decrypt(self, token: str) -> str:
        """The clear value, under whichever key of the ring wrote it (the newest tried first)."""
        for key in self._keys:
            try:
                return key.decrypt(token)
            except (InvalidToken, ValueError, binascii.Error):
                continue
        raise InvalidInput("stored credential cannot be decrypted with the configured key") from None

    def is_current(self, token: str) -> bool:
        """Whether ``token`` is already under the key that writes (nothing to rotate)."""
        try:
            self._keys[0].decrypt(token)
        except (InvalidToken, ValueError, binascii.Error):
            return False
        return not (self._keys[0].passphrase is not None and not token.startswith(SCRYPT_PREFIX + ":"))

    def reencrypt(self, token: str) -> str | None:
        """``token`` under the key that writes, or None when it is there already.
        Raises InvalidInput when no key of the ring opens it."""
        return None if self.is_current(token) else self.encrypt(self.decrypt(token))

    def is_encrypted(self, value: str) -> bool:
        """Whether ``value`` looks like something this module wrote (a Fernet token or a
        passphrase value), so clear text left from before can be told apart."""
        if value.startswith(SCRYPT_PREFIX + ":"):
            return True
        try:
            raw = base64.urlsafe_b64decode(value.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return False
        return len(raw) >= 57 and raw[0] == 0x80
