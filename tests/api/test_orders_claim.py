"""The module claims an offered order before placing it in Magento: our reservation goes
first, so Magento's own is the only one when it checks the salable quantity; a failure
reported afterwards holds the stock again; a result is matched within its store."""

import json

import pytest
from sqlalchemy import text

from channel.magento.catalog import CatalogReader
from channel.magento.contracts import write_stock_event
from channel.magento.schema import MagentoSchema

SKU = "MG-0000001"


def salable(channel_db, sku=SKU):
    with channel_db.engine.connect() as conn:
        reader = CatalogReader.connect(conn, channel_db.prefix)
        return next(reader.products(1, skus=[sku])).salable_qty


def ledger(channel_db, order_id):
    with channel_db.engine.connect() as conn:
        return sorted(conn.execute(text(
            "SELECT r.kind, r.quantity FROM channel_amazon_reservation r JOIN channel_amazon_order_item i"
            " ON i.item_id = r.item_id WHERE i.order_id = :o"), {"o": order_id}).all())


def status(channel_db, order_id):
    with channel_db.engine.connect() as conn:
        return conn.execute(text("SELECT magento_status, magento_order_id, magento_attempts FROM channel_amazon_order"
                                 " WHERE order_id = :o"), {"o": order_id}).one()


@pytest.fixture
def offered(channel_db, account_id):
    """An offered merchant-fulfilled order of two units, reserved as the order importer does."""
    with channel_db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO channel_amazon_order (account_id, amazon_order_id, amazon_status, fulfilled_by, purchase_date,"
            " last_update_date, currency, order_total, shipping_address, magento_status) VALUES (:a, '111-0000001-0000001',"
            " 'UNSHIPPED', 'MERCHANT', NOW(), NOW(), 'USD', 39.98, :addr, 'offered')"),
            {"a": account_id, "addr": json.dumps({"name": "Jane", "addressLine1": "1 Main St", "city": "Seattle",
                                                  "postalCode": "98101", "countryCode": "US"})})
        order_id = conn.execute(text("SELECT order_id FROM channel_amazon_order")).scalar()
        conn.execute(text("INSERT INTO channel_amazon_order_item (order_id, amazon_order_item_id, seller_sku,"
                          " product_id, magento_sku, qty_ordered, price) VALUES (:o, 'I1', :s, 1, :s, 2, 19.99)"),
                     {"o": order_id, "s": SKU})
        item_id = conn.execute(text("SELECT item_id FROM channel_amazon_order_item")).scalar()
        reader = CatalogReader.connect(conn, channel_db.prefix)
        stock_id = reader.website(1).stock_id if reader.stock.msi else None
        assert write_stock_event(conn, reader.schema, item_id=item_id, kind="reserve", sku=SKU, qty=2,
                                 amazon_order_id="111-0000001-0000001", msi_stock_id=stock_id, product_id=1)
    return order_id


def test_claim_releases_our_reservation_once_and_marks_the_order_creating(api, channel_db, offered):
    reserved = salable(channel_db)
    first = api.post(f"/api/v1/orders/{offered}/claim")
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"order_id": offered, "magento_status": "creating", "released": 1}
    assert salable(channel_db) == reserved + 2  # the last units are salable for Magento's own check
    again = api.post(f"/api/v1/orders/{offered}/claim")  # a retried claim gives back nothing more
    assert again.status_code == 200 and again.get_json()["released"] == 0
    assert salable(channel_db) == reserved + 2
    assert status(channel_db, offered)[0] == "creating"
    offers = api.get("/api/v1/orders/offered").get_json()["items"]  # a lost result: offered again, to be looked up
    assert [o["order_id"] for o in offers] == [offered] and offers[0]["magento_status"] == "creating"
    assert offers[0]["settings"]["import_fba"] is True


def test_failure_after_a_claim_reserves_again_once(api, channel_db, offered):
    reserved = salable(channel_db)
    api.post(f"/api/v1/orders/{offered}/claim")
    failed = api.post(f"/api/v1/orders/{offered}/magento-result",
                      json={"ok": False, "reason_code": "out_of_stock", "message": "not salable"})
    assert failed.status_code == 200 and failed.get_json()["magento_status"] == "offered"
    assert salable(channel_db) == reserved
    assert [k for k, _ in ledger(channel_db, offered)] == ["reserve"]
    again = api.post(f"/api/v1/orders/{offered}/magento-result",
                     json={"ok": False, "reason_code": "store_invalid", "message": "no store"})
    assert again.status_code == 200 and again.get_json()["attempts"] == 2
    assert salable(channel_db) == reserved  # not claimed this time: nothing held twice
    api.post(f"/api/v1/orders/{offered}/claim")  # claimed again after a failure: released again
    assert salable(channel_db) == reserved + 2


def test_result_is_matched_by_increment_id_within_its_store(api, channel_db, offered):
    p = channel_db.prefix
    with channel_db.raw() as raw:  # the same Magento order number in two stores
        cur = raw.cursor()
        cur.execute(f"INSERT INTO `{p}sales_order` (entity_id, increment_id, state, status, store_id)"
                    f" VALUES (601, '000000042', 'new', 'pending', 1), (602, '000000042', 'new', 'pending', 2)")
        raw.commit()
    api.post(f"/api/v1/orders/{offered}/claim")
    done = api.post(f"/api/v1/orders/{offered}/magento-result",
                    json={"ok": True, "increment_id": "000000042", "store_id": 2})
    assert done.status_code == 200 and done.get_json()["magento_status"] == "created"
    assert tuple(status(channel_db, offered))[:2] == ("created", 602)
    assert [k for k, _ in ledger(channel_db, offered)] == ["release_created", "reserve"]
    assert api.post(f"/api/v1/orders/{offered}/claim").status_code == 409  # created: nothing to claim


def test_ambiguous_increment_id_without_a_store_is_not_guessed(api, channel_db, offered):
    p = channel_db.prefix
    with channel_db.raw() as raw:
        cur = raw.cursor()
        cur.execute(f"INSERT INTO `{p}sales_order` (entity_id, increment_id, state, status, store_id)"
                    f" VALUES (701, '000000043', 'new', 'pending', 1), (702, '000000043', 'new', 'pending', 2)")
        raw.commit()
    done = api.post(f"/api/v1/orders/{offered}/magento-result", json={"ok": True, "increment_id": "000000043"})
    assert done.status_code == 200
    assert tuple(status(channel_db, offered))[:2] == ("created", None)


def test_claim_needs_the_orders_actions_grant_and_an_existing_order(api, channel_db, offered):
    denied = api.post(f"/api/v1/orders/{offered}/claim", grants=["Channel_Amazon::orders"])
    assert denied.status_code == 403
    assert denied.get_json()["error"]["details"]["resource"] == "Channel_Amazon::orders_actions"
    assert api.post(f"/api/v1/orders/{offered}/magento-result", json={"ok": False, "reason_code": "other"},
                    grants=["Channel_Amazon::listings_actions"]).status_code == 403
    assert api.post("/api/v1/orders/999999/claim").status_code == 404
    bad = api.post(f"/api/v1/orders/{offered}/magento-result", json={"ok": True, "increment_id": "1", "store_id": "x"})
    assert bad.status_code == 400
    with channel_db.engine.connect() as conn:
        schema = MagentoSchema.detect(conn, channel_db.prefix)
        assert conn.execute(text(f"SELECT COUNT(*) FROM {schema.t('sales_order')}")).scalar() == 0
