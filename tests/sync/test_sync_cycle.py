"""Sync cycles end to end: generated Magento catalog, the sandbox marketplace over HTTP."""

import json

from sqlalchemy import text

from sandbox_fixtures import SELLER


def tabs(channel_db):
    with channel_db.engine.connect() as conn:
        rows = conn.execute(text("SELECT seller_sku, tab, reason, reason_detail, asin FROM channel_amazon_listing"))
        return {r.seller_sku: r for r in rows}


def advance(market, seconds=600):
    market.admin("POST", "/clock", json={"seconds": seconds})


def test_cycles_take_new_products_through_approval_to_active(cycle, channel_db, market):
    first = cycle()
    t = tabs(channel_db)
    assert (t["MG-0000001"].tab, t["MG-0000002"].tab) == ("active", "active")
    assert t["LEGACY-1"].tab == "new_third_party"
    # Product 13 has its ASIN in Magento: published at once (auto-publish), awaiting Amazon.
    assert (t["MG-0000013"].tab, t["MG-0000013"].reason) == ("list_in_progress", "awaiting_amazon_approval")
    # Product 4 has only barcodes: its ASIN is looked up in the same cycle, then it is published.
    assert t["MG-0000004"].asin == "B000000004"
    assert (t["MG-0000004"].tab, t["MG-0000004"].reason) == ("list_in_progress", "awaiting_amazon_approval")
    assert first["published"] > 0 and first["asins_looked_up"] > 0
    cycle()
    t = tabs(channel_db)
    # Its tab follows Amazon's answer (approved by now, or still awaiting).
    assert t["MG-0000004"].tab in ("list_in_progress", "active")
    advance(market)
    cycle()
    t = tabs(channel_db)
    assert t["MG-0000013"].tab == "active" and t["MG-0000004"].tab == "active"
    listed = market.listings(SELLER)
    assert listed["MG-0000013"]["status"] == "BUYABLE"
    # Amazon's catalog does not know product 3's ASIN: rejected, Inactive with Amazon's words.
    assert t["MG-0000003"].tab == "inactive" and "approval" in t["MG-0000003"].reason_detail


def test_price_and_quantity_changes_in_magento_reach_amazon_next_cycle(cycle, channel_db, market):
    cycle()
    with channel_db.raw() as raw:
        cur = raw.cursor()
        p = channel_db.prefix
        cur.execute(f"UPDATE `{p}catalog_product_entity_decimal` SET value = 123.45 WHERE {channel_db.schema.link} ="
                    f" (SELECT {channel_db.schema.link} FROM `{p}catalog_product_entity` WHERE sku = 'MG-0000001'"
                    f" LIMIT 1) AND attribute_id = (SELECT attribute_id FROM `{p}eav_attribute`"
                    f" WHERE attribute_code = 'price') AND store_id = 0")
        cur.execute(f"UPDATE `{p}inventory_source_item` SET quantity = 42 WHERE sku = 'MG-0000001'"
                    f" AND source_code = 'default'")
        raw.commit()
    cycle()
    listed = market.listings(SELLER)
    assert listed["MG-0000001"]["price"] == 123.45
    assert listed["MG-0000001"]["quantity"] == 42
    calls_before = dict(market.market.calls)
    cycle()
    # Nothing changed since: no price or stock push.
    assert market.market.calls.get("patchListingsItem", 0) == calls_before.get("patchListingsItem", 0)


def test_end_and_relist(cycle, channel_db, market):
    cycle()
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_listing SET pending_action = 'end' WHERE seller_sku = 'MG-0000001'"))
    cycle()
    assert tabs(channel_db)["MG-0000001"].tab == "ended"
    assert "MG-0000001" not in market.listings(SELLER)
    cycle()
    assert tabs(channel_db)["MG-0000001"].tab == "ended"  # never relisted by itself
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_listing SET pending_action = 'publish'"
                          " WHERE seller_sku = 'MG-0000001'"))
    cycle()
    assert tabs(channel_db)["MG-0000001"].tab == "list_in_progress"
    advance(market)
    cycle()
    assert tabs(channel_db)["MG-0000001"].tab == "active"


def test_ineligible_listing_gets_quantity_zero_but_stays(cycle, channel_db, market):
    cycle()
    with channel_db.raw() as raw:
        raw.cursor().execute(f"UPDATE `{channel_db.prefix}catalog_product_entity_int` SET value = 2"
                             f" WHERE value = 1 AND store_id = 0 AND {channel_db.schema.link} IN"
                             f" (SELECT {channel_db.schema.link} FROM `{channel_db.prefix}catalog_product_entity`"
                             f" WHERE sku = 'MG-0000002') AND attribute_id = (SELECT attribute_id FROM"
                             f" `{channel_db.prefix}eav_attribute` WHERE attribute_code = 'status')")
        raw.commit()
    cycle()
    assert tabs(channel_db)["MG-0000002"].tab == "ineligible"
    listed = market.listings(SELLER)
    assert listed["MG-0000002"]["quantity"] == 0 and listed["MG-0000002"]["status"] == "BUYABLE"


def test_throttling_and_faults_slow_the_cycle_without_losing_updates(cycle, channel_db, market):
    market.fault(operation="getListingsItem", status=429, count=4)
    market.fault(operation="patchListingsItem", status=503, count=2)
    cycle()
    with channel_db.engine.connect() as conn:
        logged = conn.execute(text("SELECT operation, http_status FROM channel_amazon_log")).all()
    assert ("getListingsItem", 429) in [tuple(r) for r in logged] or ("patchListingsItem", 503) in [
        tuple(r) for r in logged]
    listed = market.listings(SELLER)
    with channel_db.engine.connect() as conn:
        wanted = conn.execute(text("SELECT calc_qty FROM channel_amazon_listing WHERE seller_sku = 'MG-0000001'")
                              ).scalar()
    assert listed["MG-0000001"]["quantity"] == wanted


def test_copied_database_switches_to_read_only_and_sends_nothing(cycle, channel_db, market):
    cycle()  # records the install's fingerprint
    with channel_db.raw() as raw:  # the database now runs behind another base URL: a staging copy
        raw.cursor().execute(f"UPDATE `{channel_db.prefix}core_config_data` SET value = 'https://staging.example.com/'"
                             f" WHERE path = 'web/secure/base_url'")
        raw.commit()
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_listing SET pending_action = 'end' WHERE seller_sku = 'MG-0000001'"))
    calls = dict(market.market.calls)
    cycle()
    with channel_db.engine.connect() as conn:
        read_only, reason = conn.execute(text("SELECT read_only, read_only_reason FROM channel_amazon_account")).one()
        logged = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_log WHERE operation = 'read_only_mode'"
                                   )).scalar()
    assert read_only == 1 and "copy" in reason and logged == 1
    assert "MG-0000001" in market.listings(SELLER)  # the end stays queued
    for op in ("deleteListingsItem", "putListingsItem", "patchListingsItem", "createFeed"):
        assert market.market.calls.get(op, 0) == calls.get(op, 0)


def test_mapped_amazon_attributes_are_imported_into_magento(cycle, channel_db, market, sync_account):
    from channel.magento.catalog import CatalogReader

    seller = market.market.sellers[SELLER]
    seller.listings["MG-0000001"].title = "Amazon's own title"
    seller.listings["MG-0000001"].attributes = {"brand": [{"value": "Stark"}], "color": [{"value": "Blue"}],
                                               "list_price": [{"value": "not a number"}]}
    with channel_db.engine.begin() as conn:
        conn.execute(text("UPDATE channel_amazon_account SET settings = :s"), {"s": json.dumps({
            "auto_publish": True, "attribute_import": [
                {"amazon": "item_name", "magento": "name", "overwrite": True},
                {"amazon": "brand", "magento": "manufacturer", "overwrite": False},
                {"amazon": "color", "magento": "color", "overwrite": True},
                {"amazon": "list_price", "magento": "cost", "overwrite": True}]})})
    cycle()
    with channel_db.engine.connect() as conn:
        p = next(CatalogReader.connect(conn, channel_db.prefix).products(
            1, skus=["MG-0000001"], attributes=["manufacturer", "color", "cost"]))
        logged = conn.execute(text("SELECT message FROM channel_amazon_log WHERE operation = 'attribute_import'")
                              ).scalars().all()
    assert p.get("name") == "Amazon's own title"  # overwrite on
    assert p.get("manufacturer_label") == "Globex"  # a value exists and overwrite is off
    assert p.get("color_label") == "Blue"  # a select takes the option with that label
    assert any("not a number" in m for m in logged)  # what does not fit is logged, not written


def test_a_cycle_reads_a_big_website_ahead_while_amazon_builds_the_report(cycle, channel_db, market, monkeypatch):
    from channel import classification as cls

    # The catalog (120 products) counts as a big website here, read by two processes.
    monkeypatch.setattr(cls, "FORK_FROM", 40)
    monkeypatch.setattr(cls, "available_cores", lambda: 2)
    order: list[str] = []
    started, staged = cls.ReadAhead.__init__, cls.ReadAhead.staged
    monkeypatch.setattr(cls.ReadAhead, "__init__", lambda self, *a: (order.append("read started"), started(self, *a))[1])
    monkeypatch.setattr(cls.ReadAhead, "staged", lambda self, conn: (order.append("read staged"), staged(self, conn))[1])
    from worker.sync.importer import ListingsReportImporter

    from worker.sync import cycle as cycle_module

    document = ListingsReportImporter._document
    monkeypatch.setattr(ListingsReportImporter, "_document",
                        lambda self: (order.append("report requested"), document(self))[1])
    prematch, name = cycle_module.prematch_new_skus, cycle_module.name_prematched
    monkeypatch.setattr(cycle_module, "prematch_new_skus",
                        lambda *a: (order.append("new SKUs matched"), prematch(*a))[1])
    monkeypatch.setattr(cycle_module, "name_prematched", lambda *a: (order.append("named"), name(*a))[1])
    summary = cycle()
    # The new SKUs are matched while the read finishes, then its facts are staged, then the
    # names no facts hold are read.
    assert order == ["read started", "report requested", "new SKUs matched", "read staged", "named"]
    assert summary["steps"]["import"]["status"] == "ok" and summary["steps"]["classify"]["status"] == "ok"
    assert summary["classified"] > 80 and summary["matched_on_import"] > 0
    t = tabs(channel_db)
    assert (t["MG-0000001"].tab, t["MG-0000002"].tab) == ("active", "active")
    assert t["LEGACY-1"].tab == "new_third_party"
    assert (t["MG-0000013"].tab, t["MG-0000013"].reason) == ("list_in_progress", "awaiting_amazon_approval")


def test_new_skus_whose_names_cannot_be_read_on_import_are_linked_by_the_match_step(cycle, channel_db, monkeypatch):
    from worker.sync import cycle as cycle_module

    def fails(*a):
        raise RuntimeError("the name attribute cannot be read")

    monkeypatch.setattr(cycle_module, "name_prematched", fails)
    summary = cycle()
    assert summary["steps"]["import"]["status"] == "ok" and summary["steps"]["match"]["status"] == "ok"
    assert summary["matched_on_import"] == 0  # come in third-party, none half-named
    t = tabs(channel_db)
    assert (t["MG-0000001"].tab, t["MG-0000002"].tab) == ("active", "active")  # linked by the match step
    assert t["LEGACY-1"].tab == "new_third_party"
