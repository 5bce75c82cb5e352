"""Dry run: a cycle of an account in dry run sends Amazon nothing that changes anything,
records every such call with its body, and still reads; turned off, the same offers go out."""

import json
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from channel import payloads
from channel.models import Account
from channel.offer import Offer
from channel.pricing import AccountSettings

WRITES = ("putListingsItem", "patchListingsItem", "deleteListingsItem", "createFeed", "createFeedDocument",
          "confirmShipment")


def _settings(channel_db, account_id, **changes):
    with Session(channel_db.engine) as session:
        acc = session.get(Account, account_id)
        acc.settings = {**acc.settings, **changes}
        session.commit()


def test_dry_run_records_every_write_with_its_body_and_sends_none(channel_db, market, cycle, sync_account):
    _settings(channel_db, sync_account, dry_run=True)
    cycle()
    calls = market.market.calls
    assert not {op: calls[op] for op in WRITES if calls.get(op)}, "a write reached Amazon during the dry run"
    assert calls.get("createReport") and calls.get("getReportDocument"), "reads still happen"
    with channel_db.engine.connect() as conn:
        recorded = conn.execute(text(
            "SELECT operation, method, path, seller_sku, body FROM channel_amazon_dry_run_call"
            " WHERE account_id = :a ORDER BY call_id"), {"a": sync_account}).mappings().all()
        puts = [r for r in recorded if r["operation"] == "putListingsItem"]
        assert puts, recorded
        row = conn.execute(text(
            "SELECT seller_sku, asin, calc_price, calc_qty, calc_condition, fulfillment_channel FROM"
            " channel_amazon_listing WHERE account_id = :a AND seller_sku = :s"),
            {"a": sync_account, "s": puts[0]["seller_sku"]}).mappings().one()
        logged = conn.execute(text(
            "SELECT COUNT(*) FROM channel_amazon_log WHERE account_id = :a AND message LIKE '%dry run, not sent%'"),
            {"a": sync_account}).scalar()
    assert puts[0]["method"] == "PUT"
    assert puts[0]["path"].startswith(f"/listings/2021-08-01/items/A2SANDBOXSELLER/{row['seller_sku']}?")
    offer = Offer.stored(row, AccountSettings.from_json({"auto_publish": True}))
    expected = payloads.put_body(payloads.publish_attributes("ATVPDKIKX0DER", "USD", row["asin"], offer))
    assert json.loads(puts[0]["body"]) == json.loads(json.dumps(expected))
    assert Decimal(str(json.loads(puts[0]["body"])["attributes"]["purchasable_offer"][0]["our_price"][0]["schedule"][0]
                       ["value_with_tax"])) == row["calc_price"]
    assert logged == len(recorded)

    # Switched off: what the dry run recorded is undone and sent for real by the next cycle.
    from datetime import datetime

    from channel import listing_state

    with channel_db.engine.begin() as conn:
        assert listing_state.dry_run_ended(conn, sync_account, datetime(1970, 1, 1)) >= len({c["seller_sku"] for c in
                                                                                              recorded if c["seller_sku"]})
    _settings(channel_db, sync_account, dry_run=False)
    before = len(recorded)
    cycle()
    on_amazon = market.listings("A2SANDBOXSELLER")
    assert {c["seller_sku"] for c in puts} <= set(on_amazon), "every offer the dry run held back reached Amazon"
    with channel_db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_dry_run_call WHERE account_id = :a"),
                            {"a": sync_account}).scalar() == before
        patched = [r for r in recorded if r["operation"] == "patchListingsItem" and r["seller_sku"]]
        for call in patched:
            price = conn.execute(text("SELECT calc_price FROM channel_amazon_listing WHERE account_id = :a AND"
                                      " seller_sku = :s"), {"a": sync_account, "s": call["seller_sku"]}).scalar()
            assert Decimal(str(on_amazon[call["seller_sku"]]["price"])) == price, call["seller_sku"]
