"""Key rotation in one command: ``python -m channel rotate-key`` re-encrypts account
credentials, buyer data, the LWA tokens and the pending connections in Redis from key A
to key B; afterwards everything opens with B and nothing with A alone, and a worker
configured with the ring ``B,A`` imports orders while the rotation runs."""

import dataclasses
import json
import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from channel import key_rotation, pii
from channel.__main__ import main as channel_main
from channel.crypto import Vault, new_key
from channel.errors import InvalidInput
from channel.models import Account
from sandbox_fixtures import CLIENT_ID, CLIENT_SECRET, MARKETPLACE, REFRESH_TOKEN, SELLER
from sync.conftest import market, settings  # noqa: F401 - fixtures
from worker.sync.orders_job import OrdersOptions, OrdersSynchronizer

KEY_A, KEY_B = new_key(), new_key()
#: Enough orders for several rotation batches (``key_rotation.BATCH``).
ORDERS = 1200
OPTIONS = OrdersOptions(rate_scale=100, client_kwargs={"backoff_base": 0.01, "backoff_cap": 0.05})


@pytest.fixture
def under_a(channel_db, redis_client, settings, market):  # noqa: F811
    """An account, Amazon orders, an LWA token and a pending connection, all under key A."""
    vault = Vault(KEY_A)
    with Session(channel_db.engine) as session:
        acc = Account(name="US", region="na", marketplace_id=MARKETPLACE, seller_id=SELLER, lwa_client_id=CLIENT_ID,
                      website_id=1, lwa_client_secret_enc="", refresh_token_enc="", status="active")
        acc.set_credentials(vault, client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN)
        acc.identifier_mapping = {"seller_sku": "sku"}
        session.add(acc)
        session.commit()
        account_id = acc.account_id
    market.admin("POST", f"/sellers/{SELLER}/orders", json={"items": [{"sku": "MG-0000001", "quantity": 1,
                                                                        "price": "19.99"}]})
    OrdersSynchronizer(channel_db.engine, redis_client, dataclasses.replace(settings, encryption_key=KEY_A),
                       account_id, OPTIONS).run()
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, purchase_date,"
            " last_update_date, buyer_name, buyer_email, shipping_address) VALUES (:a, :id, 'UNSHIPPED', :t, :t,"
            " :n, :e, :addr)"),
            [{"a": account_id, "id": f"900-{i:07d}", "t": datetime(2026, 11, 1), "n": pii.seal(vault, f"Buyer {i}"),
              "e": pii.seal(vault, f"b{i}@example.com"), "addr": pii.seal_address(vault, {"addressLine1": f"{i} Road"})}
             for i in range(ORDERS)])
    redis_client.set("channel:connect:pending1", json.dumps({
        "name": "EU", "lwa_client_secret_enc": vault.encrypt("amzn1.oa2-cs.v1.PENDING"),
        "code_enc": vault.encrypt("ANcode123")}), ex=600)
    assert redis_client.keys("channel:lwa:*")
    return account_id


def _stored_secrets(channel_db, redis_client) -> list[str]:
    """Every encrypted value at rest: account credentials, buyer data, Redis tokens and connections."""
    values = []
    with channel_db.engine.connect() as conn:
        for row in conn.execute(text("SELECT lwa_client_secret_enc, refresh_token_enc FROM channel_amazon_account")):
            values += list(row)
        for row in conn.execute(text("SELECT buyer_name, buyer_email, shipping_address FROM channel_amazon_order")):
            values += [v for v in row if v is not None]
    for key in redis_client.keys("channel:lwa:*"):
        values.append(redis_client.get(key).decode())
    for key in redis_client.keys("channel:connect:*"):
        record = json.loads(redis_client.get(key))
        values += [v for k, v in record.items() if k.endswith("_enc")]
    return values


def _env(monkeypatch, channel_db, settings, key):  # noqa: F811
    for name, value in (("DATABASE_URL", channel_db.url), ("REDIS_URL", settings.redis_url),
                        ("ENCRYPTION_KEY", key), ("TABLE_PREFIX", channel_db.prefix)):
        monkeypatch.setenv("CHANNEL_" + name, value)


def test_rotation_moves_every_secret_from_a_to_b_while_the_worker_runs(monkeypatch, channel_db, redis_client,
                                                                       settings, market, under_a, capsys):  # noqa: F811
    before = _stored_secrets(channel_db, redis_client)
    assert len(before) >= 3 * ORDERS + 4 and all(Vault(KEY_A).decrypt(v) for v in before)
    ttl = redis_client.ttl("channel:connect:pending1")
    _env(monkeypatch, channel_db, settings, f"{KEY_B},{KEY_A}")
    market.admin("POST", f"/sellers/{SELLER}/orders", json={"items": [{"sku": "MG-0000001", "quantity": 2,
                                                                        "price": "19.99"}]})
    outcome = {}
    rotation = threading.Thread(target=lambda: outcome.update(rc=channel_main(["rotate-key"])))
    rotation.start()
    # A worker with the ring imports the new order (its credentials, its token) meanwhile.
    ring_settings = dataclasses.replace(settings, encryption_key=f"{KEY_B},{KEY_A}")
    during = OrdersSynchronizer(channel_db.engine, redis_client, ring_settings, under_a, OPTIONS).run()
    rotation.join(timeout=300)
    assert outcome == {"rc": 0}
    assert not during.get("error") and "failed" not in repr(during).lower(), during
    printed = capsys.readouterr().out
    assert "account credentials: 2 re-encrypted" in printed and "unreadable" in printed

    after = _stored_secrets(channel_db, redis_client)
    assert len(after) >= len(before) + 2  # the order imported during the rotation too
    b_only, a_only = Vault(KEY_B), Vault(KEY_A)
    clear = [b_only.decrypt(v) for v in after]
    assert CLIENT_SECRET in clear and REFRESH_TOKEN in clear and "ANcode123" in clear and "Buyer 1199" in clear
    assert any(v.startswith("Atza|") for v in clear)  # the access token in Redis
    for value in after:
        with pytest.raises(InvalidInput):
            a_only.decrypt(value)
    assert 0 < redis_client.ttl("channel:connect:pending1") <= ttl  # the expiry is kept
    with Session(channel_db.engine) as session:
        assert session.get(Account, under_a).client_secret(b_only) == CLIENT_SECRET

    # Run again: nothing left to do; the worker with key B alone keeps working.
    assert channel_main(["rotate-key"]) == 0
    assert "account credentials: 0 re-encrypted, 2 already current" in capsys.readouterr().out
    OrdersSynchronizer(channel_db.engine, redis_client, dataclasses.replace(settings, encryption_key=KEY_B),
                       under_a, OPTIONS).run()
    assert all(b_only.decrypt(v) for v in _stored_secrets(channel_db, redis_client))


def test_a_value_no_key_of_the_ring_opens_fails_the_rotation_and_is_left(monkeypatch, channel_db, redis_client,
                                                                         settings, under_a, capsys):  # noqa: F811
    foreign = Vault(new_key()).encrypt("written under a lost key")
    redis_client.set("channel:lwa:foreign", foreign, ex=600)
    _env(monkeypatch, channel_db, settings, KEY_A)
    assert channel_main(["rotate-key", "--to", KEY_B]) == 1
    out = capsys.readouterr()
    assert "access tokens in Redis: 1 re-encrypted, 0 already current, 1 unreadable" in out.out
    assert "add the key that wrote them" in out.err
    assert redis_client.get("channel:lwa:foreign").decode() == foreign


def _lock_waits(conn) -> int:
    return conn.execute(text("SELECT COUNT(*) FROM information_schema.INNODB_TRX"
                             " WHERE trx_state = 'LOCK WAIT'")).scalar_one()


def _wait_for_lock_wait(engine, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    with engine.connect() as watch:
        while not _lock_waits(watch):
            assert time.monotonic() < deadline, "the rotation never reached the locked order"
            time.sleep(0.2)


def test_a_rotation_batch_that_loses_a_deadlock_is_run_again_and_counted_once(channel_db, redis_client,
                                                                              under_a):
    """A worker's transaction holds the last order of the first batch and, while the rotation
    waits for it, asks for the first: InnoDB rolls back the smaller transaction, the rotation's
    batch. It is read and run again; every value ends under the new key, counted once."""
    engine = channel_db.engine
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT order_id FROM channel_amazon_order ORDER BY order_id")).scalars().all()
        sealed = conn.execute(text("SELECT COUNT(buyer_name) + COUNT(buyer_email) + COUNT(shipping_address)"
                                   " FROM channel_amazon_order")).scalar_one()
        deadlocks = int(conn.execute(text("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")).one()[1])
    first, blocker = ids[0], ids[key_rotation.BATCH - 1]
    outcome: dict = {}
    with engine.connect() as worker:
        trx = worker.begin()
        for _ in range(5):  # heavier than the rotation's batch, so InnoDB picks the rotation as the victim
            worker.execute(text("UPDATE channel_amazon_order SET last_update_date = last_update_date"
                                " + INTERVAL 1 SECOND WHERE order_id > :b"), {"b": blocker})
        worker.execute(text("UPDATE channel_amazon_order SET amazon_status = 'SHIPPED' WHERE order_id = :o"),
                       {"o": blocker})
        rotation = threading.Thread(target=lambda: outcome.update(
            result=key_rotation.rotate(engine, redis_client, Vault(f"{KEY_B},{KEY_A}"))))
        rotation.start()
        _wait_for_lock_wait(engine)  # the rotation's batch waits for the blocker
        worker.execute(text("UPDATE channel_amazon_order SET amazon_status = 'SHIPPED' WHERE order_id = :o"),
                       {"o": first})  # a deadlock: the rotation's batch is rolled back
        _wait_for_lock_wait(engine)  # its second run waits for the blocker again
        trx.commit()
    rotation.join(timeout=120)
    assert "result" in outcome, "the rotation failed"
    with engine.connect() as conn:
        assert int(conn.execute(text("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")).one()[1]) > deadlocks
        statuses = conn.execute(text("SELECT amazon_status FROM channel_amazon_order WHERE order_id IN (:a, :b)"),
                                {"a": first, "b": blocker}).scalars().all()
    assert statuses == ["SHIPPED", "SHIPPED"]  # the worker's transaction won and committed
    assert outcome["result"].rotated["buyer data"] == sealed >= 3 * ORDERS  # counted once, not once per run
    b_only = Vault(KEY_B)
    assert all(b_only.decrypt(v) for v in _stored_secrets(channel_db, redis_client))
