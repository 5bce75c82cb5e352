"""LWA access tokens are encrypted in Redis: written sealed, read back opened, a value
left in clear (or under another key) is not used, and invalidation still compares the
token itself."""

from channel.crypto import Vault, new_key
from worker.amazon.auth import TokenProvider


def provider(redis_client, vault):
    return TokenProvider(redis_client, "http://127.0.0.1:9/lwa", "client", "secret", "Atzr|refresh", vault=vault)


def test_cached_token_is_sealed_and_opened(redis_client):
    vault = Vault(new_key())
    tokens = provider(redis_client, vault)
    redis_client.set(tokens.key, vault.encrypt("Atza|one"))
    assert tokens.token() == "Atza|one"
    assert b"Atza|one" not in redis_client.get(tokens.key)


def test_token_in_clear_or_under_another_key_is_not_used(redis_client):
    tokens = provider(redis_client, Vault(new_key()))
    redis_client.set(tokens.key, "Atza|clear")
    assert tokens._cached() is None
    redis_client.set(tokens.key, Vault(new_key()).encrypt("Atza|other"))
    assert tokens._cached() is None


def test_invalidate_removes_only_the_refused_token(redis_client):
    vault = Vault(new_key())
    tokens = provider(redis_client, vault)
    redis_client.set(tokens.key, vault.encrypt("Atza|fresh"))
    tokens.invalidate("Atza|stale")  # another worker already cached a fresh one
    assert tokens._cached() == "Atza|fresh"
    tokens.invalidate("Atza|fresh")
    assert redis_client.get(tokens.key) is None
