"""The offer Amazon gets is the one the merchant sees: the condition of each product comes
from its condition attribute when the account maps one, in the tab and in what is sent."""

import json

from sqlalchemy import text

from sandbox_fixtures import SELLER


def _set_condition(channel_db, label: str, every: int = 8) -> list[str]:
    """Give products whose id is a multiple of ``every`` the condition option ``label``."""
    p = channel_db.prefix
    with channel_db.raw() as raw:
        cur = raw.cursor()
        cur.execute(
            f"SELECT o.option_id, a.attribute_id FROM `{p}eav_attribute` a JOIN `{p}eav_attribute_option` o"
            f" ON o.attribute_id = a.attribute_id JOIN `{p}eav_attribute_option_value` v ON v.option_id = o.option_id"
            f" AND v.store_id = 0 WHERE a.attribute_code = 'amazon_condition' AND v.value = %s", (label,))
        option_id, attribute_id = cur.fetchone()
        link = channel_db.schema.link
        cur.execute(f"SELECT {link}, sku FROM `{p}catalog_product_entity` WHERE entity_id %% %s = 0", (every,))
        rows = cur.fetchall()
        cur.executemany(
            f"INSERT INTO `{p}catalog_product_entity_int` (attribute_id, store_id, {link}, value) VALUES"
            f" (%s, 0, %s, %s) ON DUPLICATE KEY UPDATE value = VALUES(value)",
            [(attribute_id, r[0], option_id) for r in rows])
        raw.commit()
    return sorted({r[1] for r in rows})


def test_publish_sends_the_per_product_condition_the_tab_shows(cycle, channel_db, market, sync_account):
    used = _set_condition(channel_db, "Used - Good")
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET settings = :s WHERE account_id = :a"), {
            "a": sync_account, "s": json.dumps({"auto_publish": True, "condition_attribute": "amazon_condition",
                                                "condition_default": "new_new"})})
    for _ in range(3):  # ASINs found by barcode in one cycle, published in the next
        cycle()
    with channel_db.engine.connect() as conn:
        rows = {r.seller_sku: r for r in conn.execute(text(
            "SELECT seller_sku, calc_condition, submitted_at, amazon_status FROM channel_amazon_listing"
            " WHERE account_id = :a AND product_id IS NOT NULL"), {"a": sync_account})}
    listings = market.market.sellers[SELLER].listings
    sent = {sku: (listings[sku].attributes.get("condition_type") or [{}])[0].get("value")
            for sku in rows if sku in listings and listings[sku].attributes.get("condition_type")}
    published_used = [sku for sku in sent if sku in used]
    assert published_used, "no product with the Used - Good condition was published"
    assert any(sku not in used for sku in sent)
    for sku, condition in sent.items():
        assert condition == rows[sku].calc_condition, sku
        assert condition == ("used_good" if sku in used else "new_new"), sku
