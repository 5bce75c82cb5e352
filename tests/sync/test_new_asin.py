"""New ASINs end to end against the sandbox over HTTP, in both Magento shapes: a product
refused locally with the attribute named, fixed, sent and given an ASIN; a configurable
product becoming a variation family that a later child joins and an unlinked child
leaves; many products as one listings feed; a gated brand stopped before anything is
sent, with Amazon's reason; products chosen by rule."""

import json

import pytest
from sqlalchemy import text

from channel import new_asin
from channel.new_asin import MappingRow
from sandbox import catalog as sample
from sandbox.product_types import relationships
from worker.new_asin_jobs import run_account

SIMPLE = 46  # no identifier in the generated catalog: Incomplete, nothing to match on Amazon
PARENT = 1001
HOME_MAPPING = [MappingRow("item_name", "attribute", "name"), MappingRow("brand", "attribute", "manufacturer"),
                MappingRow("product_description", "attribute", "description"),
                MappingRow("bullet_point", "template", "{{name}} by {{manufacturer}}"),
                MappingRow("supplier_declared_has_product_identifier_exemption", "fixed", "true")]
SHIRT_MAPPING = [MappingRow("item_name", "attribute", "name"), MappingRow("brand", "attribute", "manufacturer"),
                 MappingRow("product_description", "attribute", "description"),
                 MappingRow("bullet_point", "template", "{{name}} - {{color}}"),
                 MappingRow("department", "fixed", "Unisex Adult"),
                 MappingRow("color", "attribute", "color"), MappingRow("size", "attribute", "size"),
                 MappingRow("externally_assigned_product_identifier.type", "fixed", "ean"),
                 MappingRow("externally_assigned_product_identifier.value", "attribute", "ean")]


def advance(market, seconds):
    market.admin("POST", "/clock", json={"seconds": seconds})


@pytest.fixture
def create(channel_db, redis_client, settings, sync_account):
    def run(feed_above=20):
        return run_account(channel_db.engine, redis_client, settings, sync_account, rate_scale=100,
                           client_kwargs={"backoff_base": 0.01, "backoff_cap": 0.05}, feed_above=feed_above)
    return run


def choose(channel_db, account_id, items, mapping, product_type):
    with channel_db.engine.begin() as conn:
        new_asin.save_mapping(conn, account_id, product_type, mapping)
        new_asin.queue_products(conn, account_id, items)


def flow(channel_db, account_id, product_id):
    with channel_db.engine.connect() as conn:
        (row,) = new_asin.rows(conn, account_id, product_ids=[product_id])
        return row


def listing(channel_db, account_id, product_id):
    with channel_db.engine.connect() as conn:
        return conn.execute(text("SELECT asin, tab, reason, amazon_issues FROM channel_amazon_listing"
                                 " WHERE account_id = :a AND product_id = :p"), {"a": account_id, "p": product_id}
                            ).mappings().one()


def test_missing_attribute_is_refused_locally_then_fixed_sent_and_assigned_an_asin(
        cycle, channel_db, market, sync_account, create):
    cycle()
    assert listing(channel_db, sync_account, SIMPLE)["tab"] == "incomplete"
    choose(channel_db, sync_account, [(SIMPLE, sample.product_sku(SIMPLE), "HOME")], HOME_MAPPING, "HOME")
    puts = market.market.calls.get("putListingsItem", 0)

    assert create()["invalid"] == 1
    row = flow(channel_db, sync_account, SIMPLE)
    assert row["status"] == "invalid"
    assert [i["attribute"] for i in row["issues"]] == ["item_type_keyword"]
    assert "Item Type Keyword" in row["issues"][0]["message"]
    assert market.market.calls.get("putListingsItem", 0) == puts  # nothing went to Amazon

    choose(channel_db, sync_account, [(SIMPLE, sample.product_sku(SIMPLE), "HOME")],
           [*HOME_MAPPING, MappingRow("item_type_keyword", "fixed", "Cushions")], "HOME")
    assert create()["submitted"] == 1
    assert flow(channel_db, sync_account, SIMPLE)["status"] == "submitted"
    assert listing(channel_db, sync_account, SIMPLE)["tab"] == "list_in_progress"
    sent = next(iter(market.market.sellers.values())).listings[sample.product_sku(SIMPLE)]
    assert sent.attributes["item_type_keyword"][0]["value"] == "cushions"  # the enum value, from its display name

    advance(market, 200)
    assert create()["assigned"] == 1
    row = flow(channel_db, sync_account, SIMPLE)
    assert row["status"] == "assigned" and row["asin"].startswith("B0")
    assert listing(channel_db, sync_account, SIMPLE)["asin"] == row["asin"]
    assert listing(channel_db, sync_account, SIMPLE)["tab"] == "active"


def test_configurable_product_becomes_a_family_and_a_later_child_joins_it(
        cycle, channel_db, market, sync_account, create):
    with channel_db.raw() as raw:
        children = sample.add_configurable_family(raw, channel_db.schema, PARENT)
    assert len(children) == 6
    cycle()
    choose(channel_db, sync_account, [(PARENT, sample.FAMILY_PARENT_SKU, "SHIRT")], SHIRT_MAPPING, "SHIRT")

    stats = create()
    assert stats["joined"] == 6 and stats["submitted"] == 7, stats
    seller = next(iter(market.market.sellers.values()))
    parent = seller.listings[sample.FAMILY_PARENT_SKU]
    assert parent.attributes["parentage_level"][0]["value"] == "parent"
    assert parent.attributes["variation_theme"] == [{"name": "SIZE/COLOR"}]
    assert "purchasable_offer" not in parent.attributes
    kids = [li for sku, li in seller.listings.items() if sku.startswith(sample.FAMILY_PARENT_SKU + "-")]
    assert len(kids) == 6
    for kid in kids:
        assert kid.attributes["child_parent_sku_relationship"][0]["parent_sku"] == sample.FAMILY_PARENT_SKU
        assert kid.attributes["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"] > 0
    assert {(k.attributes["size"][0]["value"], k.attributes["color"][0]["value"]) for k in kids} == \
        set(sample.FAMILY_CHILDREN)

    with channel_db.raw() as raw:  # a new size in Magento
        sample.add_configurable_child(raw, channel_db.schema, PARENT, PARENT + 7, "XL", "Black")
    cycle()
    stats = create()
    assert stats["joined"] == 1 and stats["submitted"] == 1, stats
    late = seller.listings[f"{sample.FAMILY_PARENT_SKU}-XL-BLA"]
    assert late.attributes["child_parent_sku_relationship"][0]["parent_sku"] == sample.FAMILY_PARENT_SKU
    assert late.attributes["variation_theme"] == [{"name": "SIZE/COLOR"}]

    advance(market, 200)
    create()
    with channel_db.engine.connect() as conn:
        assert new_asin.counts(conn, sync_account)["assigned"] == 8

    gone = f"{sample.FAMILY_PARENT_SKU}-S-WHI"  # unlinked from the configurable product in Magento
    with channel_db.raw() as raw:
        cur = raw.cursor()
        cur.execute(f"DELETE l FROM {channel_db.schema.t('catalog_product_super_link')} l"
                    f" JOIN {channel_db.schema.t('catalog_product_entity')} e ON e.entity_id = l.product_id"
                    f" WHERE e.sku = %s", (gone,))
        raw.commit()
    assert create()["left"] == 1
    assert "child_parent_sku_relationship" not in seller.listings[gone].attributes
    assert "purchasable_offer" in seller.listings[gone].attributes  # its offer stays
    assert seller.listings[gone].asin
    (family,) = relationships(seller, seller.listings[sample.FAMILY_PARENT_SKU])
    assert gone not in family["childSkus"] and len(family["childSkus"]) == 6
    assert create()["left"] == 0


def test_many_products_go_as_one_listings_feed(cycle, channel_db, market, sync_account, create):
    with channel_db.raw() as raw:
        sample.add_configurable_family(raw, channel_db.schema, PARENT)
    cycle()
    choose(channel_db, sync_account, [(PARENT, sample.FAMILY_PARENT_SKU, "SHIRT")], SHIRT_MAPPING, "SHIRT")
    stats = create(feed_above=3)
    assert stats["feeds"] == 1 and stats["submitted"] == 7
    advance(market, 200)
    create(feed_above=3)  # the processing report: all accepted, created from now on
    advance(market, 200)
    create(feed_above=3)
    with channel_db.engine.connect() as conn:
        assert new_asin.counts(conn, sync_account)["assigned"] == 7
        accepted = conn.execute(text("SELECT accepted FROM channel_amazon_feed WHERE kind = 'new_asin'")).scalar()
    assert accepted == 7


def test_gated_brand_is_stopped_before_submission_with_amazons_reason(
        cycle, channel_db, market, sync_account, create):
    brand = sample.OPTIONS["manufacturer"][SIMPLE % 5]
    market.market.load({"catalog": [{"asin": "B0GATED001", "title": f"{brand} lamp", "brand": brand}], "sellers": []})
    market.admin("POST", "/gated_brands", json={"brands": [brand]})
    cycle()
    choose(channel_db, sync_account, [(SIMPLE, sample.product_sku(SIMPLE), "HOME")],
           [*HOME_MAPPING, MappingRow("item_type_keyword", "fixed", "cushions")], "HOME")
    puts = market.market.calls.get("putListingsItem", 0)
    assert create()["restricted"] == 1
    row = flow(channel_db, sync_account, SIMPLE)
    assert row["status"] == "restricted"
    (issue,) = row["issues"]
    assert issue["code"] == "APPROVAL_REQUIRED" and brand in issue["message"] and issue["attribute"] == "brand"
    assert issue["link"].startswith("https://sellercentral.amazon.com/")
    assert market.market.calls.get("putListingsItem", 0) == puts
    assert json.loads(json.dumps(row["issues"])) == row["issues"]




def test_products_chosen_by_rule_are_queued_and_created(cycle, channel_db, market, sync_account, create):
    cycle()
    with channel_db.engine.begin() as conn:
        new_asin.save_mapping(conn, sync_account, "HOME", [*HOME_MAPPING,
                                                          MappingRow("item_type_keyword", "fixed", "vases")])
        new_asin.save_rule(conn, sync_account, "HOME", {
            "type": "combine", "aggregator": "all", "value": True, "conditions": [
                {"type": "attribute", "attribute": "name", "operator": "==", "value": f"Sample product {SIMPLE}"}]})
    stats = create()
    assert stats["chosen"] == 1 and stats["submitted"] == 1, stats
    row = flow(channel_db, sync_account, SIMPLE)
    assert (row["product_type"], row["seller_sku"]) == ("HOME", sample.product_sku(SIMPLE))
    assert create()["chosen"] == 0  # chosen once


def test_a_run_with_products_awaiting_amazon_schedules_the_next_once(
        cycle, channel_db, market, sync_account, worker_env, redis_client):
    from rq.registry import ScheduledJobRegistry

    from channel.jobs import QUEUE
    from worker.new_asin_jobs import run_job

    cycle()
    choose(channel_db, sync_account, [(SIMPLE, sample.product_sku(SIMPLE), "HOME")],
           [*HOME_MAPPING, MappingRow("item_type_keyword", "fixed", "vases")], "HOME")
    assert run_job(sync_account)["submitted"] == 1
    run_job(sync_account)  # still awaiting Amazon: no second follow-up
    registry = ScheduledJobRegistry(QUEUE, connection=redis_client)
    assert len(registry.get_job_ids()) == 1


def test_a_family_already_on_amazon_is_understood_and_only_new_children_are_sent(
        cycle, channel_db, market, sync_account, create):
    seller = next(iter(market.market.sellers.values()))
    market.market.load({"catalog": [{"asin": "B0TEEPARNT", "title": "Classic tee", "parent": True}], "sellers": []})
    with market.market.lock:
        from sandbox.state import Listing

        seller.listings[sample.FAMILY_PARENT_SKU] = Listing(
            sku=sample.FAMILY_PARENT_SKU, asin="B0TEEPARNT", status="BUYABLE", product_type="SHIRT",
            title="Classic tee", attributes={"parentage_level": [{"value": "parent"}],
                                             "variation_theme": [{"name": "SIZE/COLOR"}]})
    with channel_db.raw() as raw:
        sample.add_configurable_family(raw, channel_db.schema, PARENT)
    cycle()
    with channel_db.engine.connect() as conn:  # the report's variation parent: understood, not matched
        assert conn.execute(text("SELECT match_status FROM channel_amazon_listing WHERE seller_sku = :s"),
                            {"s": sample.FAMILY_PARENT_SKU}).scalar() == "has_variants"
    choose(channel_db, sync_account, [(PARENT, sample.FAMILY_PARENT_SKU, "SHIRT")], SHIRT_MAPPING, "SHIRT")
    puts = market.market.calls.get("putListingsItem", 0)
    stats = create()
    assert stats["submitted"] == 6, stats  # the children; the parent Amazon has is not sent again
    assert market.market.calls.get("putListingsItem", 0) == puts + 6
    row = flow(channel_db, sync_account, PARENT)
    assert (row["status"], row["asin"], row["variation_theme"]) == ("assigned", "B0TEEPARNT", "SIZE/COLOR")
    assert seller.listings[sample.FAMILY_PARENT_SKU].asin == "B0TEEPARNT"


def test_amazon_refusing_a_new_product_brings_it_back_with_amazons_issues(
        cycle, channel_db, market, sync_account, create):
    brand = sample.OPTIONS["manufacturer"][SIMPLE % 5]
    market.admin("POST", "/gated_brands", json={"brands": [brand]})  # no catalog item to check it on beforehand
    cycle()
    choose(channel_db, sync_account, [(SIMPLE, sample.product_sku(SIMPLE), "HOME")],
           [*HOME_MAPPING, MappingRow("item_type_keyword", "fixed", "vases")], "HOME")
    stats = create()
    assert stats["refused"] == 1, stats
    row = flow(channel_db, sync_account, SIMPLE)
    assert row["status"] == "refused"
    assert row["issues"] == [{"attribute": "brand", "code": "8541", "source": "amazon",
                              "message": f"You need approval to list products of the brand {brand} in this category."}]
    after = listing(channel_db, sync_account, SIMPLE)
    assert after["tab"] == "incomplete" and "8541" in after["amazon_issues"]


HOME_RULE = {"type": "combine", "aggregator": "all", "value": True, "conditions": [
    {"type": "attribute", "attribute": "name", "operator": "==", "value": f"Sample product {SIMPLE}"}]}


def choose_by_rule(channel_db, account_id, mapping, product_type="HOME", rule=HOME_RULE):
    with channel_db.engine.begin() as conn:
        if mapping:
            new_asin.save_mapping(conn, account_id, product_type, mapping)
        new_asin.save_rule(conn, account_id, product_type, rule)


def test_a_plain_cycle_sends_rule_chosen_products_and_a_later_cycle_gets_their_asin(
        cycle, channel_db, market, sync_account):
    cycle()
    choose_by_rule(channel_db, sync_account, [*HOME_MAPPING, MappingRow("item_type_keyword", "fixed", "vases")])

    summary = cycle()
    assert summary["steps"]["new_asin"]["status"] == "ok", summary["steps"]
    assert summary["new_asin"]["chosen"] == 1 and summary["new_asin"]["submitted"] == 1, summary["new_asin"]
    assert flow(channel_db, sync_account, SIMPLE)["status"] == "submitted"
    assert listing(channel_db, sync_account, SIMPLE)["tab"] == "list_in_progress"
    puts = market.market.calls.get("putListingsItem", 0)

    summary = cycle()  # submitted, awaiting Amazon: tracked, not sent again
    assert summary["new_asin"]["chosen"] == 0 and summary["new_asin"]["submitted"] == 0, summary["new_asin"]
    assert market.market.calls.get("putListingsItem", 0) == puts
    # The sandbox's clock runs 100 times faster than ours: on a loaded machine Amazon may
    # have assigned the ASIN (90 of its seconds) by this cycle already.
    early = summary["new_asin"]["assigned"]

    advance(market, 200)
    summary = cycle()
    assert early + summary["new_asin"]["assigned"] == 1, summary["new_asin"]
    row = flow(channel_db, sync_account, SIMPLE)
    assert row["status"] == "assigned" and row["asin"].startswith("B0")
    assert listing(channel_db, sync_account, SIMPLE)["asin"] == row["asin"]
    assert listing(channel_db, sync_account, SIMPLE)["tab"] == "active"
    assert cycle()["new_asin"]["submitted"] == 0
    assert market.market.calls.get("putListingsItem", 0) == puts


def test_a_rule_chosen_product_failing_validation_stays_incomplete_with_its_reason_each_cycle(
        cycle, channel_db, market, sync_account):
    cycle()
    choose_by_rule(channel_db, sync_account, HOME_MAPPING)  # no item type keyword
    puts = market.market.calls.get("putListingsItem", 0)
    for _ in range(2):
        summary = cycle()
        assert summary["steps"]["new_asin"]["status"] == "ok"
        row = flow(channel_db, sync_account, SIMPLE)
        assert row["status"] == "invalid"
        assert [i["attribute"] for i in row["issues"]] == ["item_type_keyword"]
        assert listing(channel_db, sync_account, SIMPLE)["tab"] == "incomplete"
    assert market.market.calls.get("putListingsItem", 0) == puts

    choose_by_rule(channel_db, sync_account, [*HOME_MAPPING, MappingRow("item_type_keyword", "fixed", "vases")])
    assert cycle()["new_asin"]["submitted"] == 1  # fixed: sent by the next cycle


def test_the_new_asin_step_does_nothing_without_a_rule_or_without_a_mapping(cycle, channel_db, market, sync_account):
    summary = cycle()
    assert summary["steps"]["new_asin"] == {"status": "ok", "message": "no new-ASIN rule with a mapping"}
    choose_by_rule(channel_db, sync_account, None)  # a rule, no mapping for its product type
    summary = cycle()
    assert summary["steps"]["new_asin"]["message"] == "no new-ASIN rule with a mapping"
    assert "new_asin" not in summary
    with channel_db.engine.connect() as conn:
        assert new_asin.rows(conn, sync_account) == []
    assert market.market.calls.get("getDefinitionsProductType", 0) == 0


def test_a_failing_new_asin_step_leaves_the_other_steps_outcomes_intact(cycle, channel_db, market, sync_account):
    cycle()
    choose_by_rule(channel_db, sync_account, [*HOME_MAPPING, MappingRow("item_type_keyword", "fixed", "vases")])
    market.admin("POST", "/faults", json={"operation": "getDefinitionsProductType", "status": 400, "count": 1})

    summary = cycle()
    steps = summary["steps"]
    assert steps["new_asin"]["status"] == "failed", steps
    assert {k: v["status"] for k, v in steps.items() if k != "new_asin"} == {
        "import": "ok", "match": "ok", "classify": "ok", "asin_lookup": "ok", "publish": "ok", "attributes": "ok",
        "price_stock": "ok", "record": "ok"}
    with channel_db.engine.connect() as conn:
        logged = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_log WHERE operation = 'step:new_asin'")).scalar()
    assert logged == 1

    summary = cycle()  # the fault is gone: the step picks up where it stopped
    assert summary["steps"]["new_asin"]["status"] == "ok"
    assert flow(channel_db, sync_account, SIMPLE)["status"] == "submitted"


def test_the_demos_family_is_sent_by_a_plain_cycle_through_its_rule(cycle, channel_db, market, sync_account):
    from sandbox import demo

    with channel_db.raw() as raw:
        sample.add_configurable_family(raw, channel_db.schema, PARENT)
    demo.choose_family(channel_db.engine, sync_account)
    summary = cycle()
    assert summary["new_asin"]["chosen"] == 1 and summary["new_asin"]["joined"] == 6, summary["new_asin"]
    assert summary["new_asin"]["submitted"] == 7, summary["new_asin"]
    parent = flow(channel_db, sync_account, PARENT)
    assert (parent["role"], parent["variation_theme"]) == ("parent", "SIZE/COLOR")
    advance(market, 200)
    cycle()
    with channel_db.engine.connect() as conn:
        assert new_asin.counts(conn, sync_account)["assigned"] == 7
