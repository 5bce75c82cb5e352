"""Business prices through the bridge: the settings section refuses what it cannot use with
the field's path, and the product page's trace says what Amazon Business customers get."""

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import text


def _tiers(channel_db, sku, rows):
    schema = channel_db.schema
    raw = channel_db.raw()
    try:
        cur = raw.cursor()
        cur.execute(f"SELECT {schema.link} FROM {schema.t('catalog_product_entity')} WHERE sku = %s", (sku,))
        for (link,) in cur.fetchall():
            for qty, value, percent in rows:
                cur.execute(f"INSERT INTO {schema.t('catalog_product_entity_tier_price')} ({schema.link}, all_groups,"
                            f" customer_group_id, qty, value, website_id, percentage_value)"
                            f" VALUES (%s, 0, 2, %s, %s, 0, %s)", (link, qty, value, percent))
        raw.commit()
    finally:
        raw.close()


def test_business_settings_are_refused_with_their_path(api, account_id):
    url = f"/api/v1/accounts/{account_id}/settings"
    resp = api.put(url, json={"business": {"enabled": True, "price_source": "tier_price"}})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["details"]["path"] == "business.customer_group_id"
    resp = api.put(url, json={"business": {"enabled": True, "customer_group_id": 2, "discount_type": "tiers"}})
    assert resp.status_code == 422 and resp.get_json()["error"]["details"]["path"] == "business.discount_type"
    assert api.get(url).get_json()["business"]["enabled"] is False  # nothing was saved
    resp = api.put(url, json={"business": {"enabled": True, "customer_group_id": 2}})
    assert resp.status_code == 200 and resp.get_json()["business"]["customer_group_id"] == 2


def test_the_product_page_traces_the_business_price_and_tiers(api, listed, channel_db):
    with channel_db.engine.connect() as conn:
        row = conn.execute(text("SELECT product_id, magento_sku, calc_price FROM channel_amazon_listing"
                                " WHERE account_id = :a AND seller_sku = 'MG-0000001'"), {"a": listed}).one()
    price = Decimal(row.calc_price)
    business = (price * Decimal("0.9")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    tier = (price * Decimal("0.85")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    _tiers(channel_db, row.magento_sku, [(1, business, None), (5, tier, None), (10, 0, Decimal(20))])
    url = f"/api/v1/accounts/{listed}/products/{row.product_id}"
    assert api.get(url).get_json()["trace"]["business"]["text"] == "Business prices are off for this account."
    assert api.put(f"/api/v1/accounts/{listed}/settings", json={"business": {
        "enabled": True, "customer_group_id": 2}}).status_code == 200
    trace = api.get(url).get_json()["trace"]["business"]
    tenth = (price * Decimal("0.8")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert trace["text"] == f"Business price {business} (tier price group Wholesale); 5+: {tier}, 10+: {tenth}"
    assert trace["offer"]["tiers"] == [{"lower_bound": 5, "value": str(tier.normalize())},
                                       {"lower_bound": 10, "value": str(tenth.normalize())}]


def test_the_settings_preview_says_what_business_customers_get(api, listed, channel_db):
    with channel_db.engine.connect() as conn:
        row = conn.execute(text("SELECT magento_sku, calc_price FROM channel_amazon_listing"
                                " WHERE account_id = :a AND seller_sku = 'MG-0000001'"), {"a": listed}).one()
    _tiers(channel_db, row.magento_sku, [(3, 0, Decimal(10))])
    resp = api.post(f"/api/v1/accounts/{listed}/settings/preview", json={
        "sku": row.magento_sku, "settings": {"business": {"enabled": True, "customer_group_id": 2}}})
    assert resp.status_code == 200, resp.get_json()
    price = Decimal(row.calc_price).quantize(Decimal("0.01"))
    assert resp.get_json()["business"]["text"] == (
        f"Business price {price} (the standard price; tier price group Wholesale has no 1-unit tier); 3+: 10 % off")
