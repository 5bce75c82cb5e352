"""Key rotation: every stored secret re-encrypted under the newest key of the ring.

``python -m channel rotate-key`` runs ``rotate``. The ring in ``CHANNEL_ENCRYPTION_KEY``
(``NEW,OLD``) lets every process read both keys meanwhile, so nothing stops: each value
is rewritten only if it is still what was read (compare and set), in short transactions,
and a value a running process rewrote in between is left as that process wrote it,
under the new key already. What is rotated: the accounts' LWA client secret and refresh
token, the buyer data of orders, the LWA access tokens sealed in Redis and the pending
connections (their client secret and authorization code) in Redis. Running it again
finds nothing to do.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import text
from sqlalchemy.engine import Engine

from channel.crypto import RING_SEPARATOR, Vault, check_encryption_key
from channel.db import retry_on_lock_conflict
from channel.errors import InvalidInput

logger = logging.getLogger(__name__)

#: Orders re-encrypted per transaction.
BATCH = 500
#: Redis keys holding sealed values: LWA access tokens (a string) and pending connections (JSON).
TOKEN_KEYS = "channel:lwa:*"
CONNECT_KEYS = "channel:connect:*"
#: Sets a key to a new value, keeping its expiry, only while it still holds the value read.
_SWAP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 1
end
return 0
"""


@dataclass
class Rotation:
    """What a rotation did, per place: values re-encrypted, already under the new key, unreadable."""

    rotated: dict[str, int] = field(default_factory=dict)
    current: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)

    def count(self, place: str, outcome: str) -> None:
        counts = getattr(self, outcome)
        counts[place] = counts.get(place, 0) + 1

    def add(self, other: Rotation) -> None:
        for outcome in ("rotated", "current", "unreadable"):
            counts = getattr(self, outcome)
            for place, n in getattr(other, outcome).items():
                counts[place] = counts.get(place, 0) + n

    def summary(self) -> str:
        places = sorted(set(self.rotated) | set(self.current) | set(self.unreadable))
        return "; ".join(f"{p}: {self.rotated.get(p, 0)} re-encrypted, {self.current.get(p, 0)} already current,"
                         f" {self.unreadable.get(p, 0)} unreadable" for p in places) or "nothing stored"


def _new_value(vault: Vault, stored: str | None, place: str, result: Rotation) -> str | None:
    """The value under the new key, or None when there is nothing to write."""
    if not stored:
        return None
    if not vault.is_encrypted(stored):
        return None  # clear buyer data of an older version: the buyer data step seals it
    try:
        new = vault.reencrypt(stored)
    except InvalidInput:
        result.count(place, "unreadable")
        return None
    result.count(place, "current" if new is None else "rotated")
    return new


def rotate(engine: Engine, redis, vault: Vault) -> Rotation:
    """Re-encrypt every stored secret under the first key of ``vault``'s ring."""
    result = Rotation()
    _rotate_accounts(engine, vault, result)
    _rotate_orders(engine, vault, result)
    if redis is not None:
        _rotate_redis(redis, vault, result)
    logger.info("Key rotation: %s", result.summary())
    return result


def _rotate_accounts(engine: Engine, vault: Vault, result: Rotation) -> None:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT account_id, lwa_client_secret_enc, refresh_token_enc"
                                 " FROM channel_amazon_account")).all()
    for account_id, secret, token in rows:
        for column, stored in (("lwa_client_secret_enc", secret), ("refresh_token_enc", token)):
            new = _new_value(vault, stored, "account credentials", result)
            if new is not None:
                # A worker's transaction on the same row may win a deadlock: ours is run again.
                retry_on_lock_conflict(partial(_swap_account_value, engine, account_id, column, stored, new))


def _swap_account_value(engine: Engine, account_id: int, column: str, old: str, new: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE channel_amazon_account SET {column} = :new WHERE account_id = :a"
                          f" AND {column} = :old"), {"new": new, "a": account_id, "old": old})


def _rotate_orders(engine: Engine, vault: Vault, result: Rotation) -> None:
    last = 0
    while True:
        # A deadlock with a worker's order import rolls a batch back: it is read and run again,
        # and only the run that committed is counted.
        rows, batch = retry_on_lock_conflict(partial(_rotate_order_batch, engine, vault, last))
        result.add(batch)
        if len(rows) < BATCH:
            return
        last = rows[-1][0]


def _rotate_order_batch(engine: Engine, vault: Vault, last: int) -> tuple[list, Rotation]:
    """Re-encrypt the buyer data of the orders after ``last``, one transaction."""
    columns = ("buyer_name", "buyer_email", "shipping_address")
    batch = Rotation()
    with engine.begin() as conn:
        rows = conn.execute(text(
            "SELECT order_id, buyer_name, buyer_email, shipping_address FROM channel_amazon_order"
            " WHERE order_id > :last AND (buyer_name IS NOT NULL OR buyer_email IS NOT NULL"
            " OR shipping_address IS NOT NULL) ORDER BY order_id LIMIT :n"), {"last": last, "n": BATCH}).all()
        for row in rows:
            for column, stored in zip(columns, row[1:]):
                new = _new_value(vault, stored, "buyer data", batch)
                if new is not None:
                    conn.execute(text(f"UPDATE channel_amazon_order SET {column} = :new"
                                      f" WHERE order_id = :o AND {column} = :old"),
                                 {"new": new, "o": row[0], "old": stored})
    return list(rows), batch


def _rotate_redis(redis, vault: Vault, result: Rotation) -> None:
    swap = redis.register_script(_SWAP)
    for key in redis.scan_iter(match=TOKEN_KEYS, count=500):
        stored = redis.get(key)
        if stored is None:
            continue
        new = _new_value(vault, stored.decode(), "access tokens in Redis", result)
        if new is not None:
            swap(keys=[key], args=[stored, new])
    for key in redis.scan_iter(match=CONNECT_KEYS, count=500):
        stored = redis.get(key)
        try:
            record = json.loads(stored) if stored is not None else None
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        changed = False
        for name, value in list(record.items()):
            if name.endswith("_enc") and isinstance(value, str):
                new = _new_value(vault, value, "pending connections in Redis", result)
                if new is not None:
                    record[name], changed = new, True
        if changed:
            swap(keys=[key], args=[stored, json.dumps(record)])


def add_command(sub) -> None:
    """``python -m channel rotate-key [--to KEY]``."""
    rot = sub.add_parser("rotate-key", help="re-encrypt every stored secret under a new key",
                         description="Re-encrypts account credentials, buyer data and the tokens in Redis under"
                         " the first key of CHANNEL_ENCRYPTION_KEY (NEW,OLD), or under --to. Processes configured"
                         " with the ring keep reading both keys meanwhile.")
    rot.add_argument("--to", default=None, help="the new key (default: the first key of the ring)")
    rot.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    import redis

    from channel.db import make_engine
    from channel.settings import Settings

    settings = Settings.from_env()
    key_ring = str(settings.encryption_key)
    if args.to:
        check_encryption_key(args.to)
        key_ring = RING_SEPARATOR.join([args.to, key_ring]) if key_ring else args.to
    engine = make_engine(settings.database_url, settings.table_prefix)
    try:
        result = rotate(engine, redis.Redis.from_url(settings.redis_url), Vault(key_ring))
    finally:
        engine.dispose()
    print(f"key rotation: {result.summary()}")
    if result.unreadable:
        print("error: some values open with no key of the ring; add the key that wrote them and run again",
              file=sys.stderr)
        return 1
    return 0
