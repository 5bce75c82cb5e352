"""The tab of a listing is decided in SQL (``channel.listing_state``) for any number of
listings at once; ``tabs.classify`` is the same rule in Python. Both must agree on every
combination of Magento facts and listing state, and the classification run over a real
catalog (both Magento shapes) must give each product the tab ``classify`` gives it."""

import itertools
from datetime import datetime
from decimal import Decimal

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings
from sqlalchemy import text

from channel import listing_state, tabs
from channel.classification import AccountContext, classify_account, product_facts, state_of
from channel.magento.catalog import CatalogReader

NOW = datetime(2026, 11, 24, 12, 0)
_sku = itertools.count(1)

issues = st.lists(st.fixed_dictionaries(
    {"code": st.sampled_from(["8541", "90220", "18027"]),
     "message": st.sampled_from(["Brand not approved", "Missing image", "Price too low"]),
     "severity": st.sampled_from(["ERROR", "WARNING", "error"])},
    optional={"categories": st.sampled_from([["INVALID_ATTRIBUTE"], ["SEARCH_SUPPRESSED"], []])}), max_size=3)

facts = st.builds(
    lambda in_website, enabled, passes, qty, price, condition, has_asin, barcode, parent: tabs.ProductFacts(
        in_website=in_website, enabled=enabled, passes_rules=passes, quantity=qty, price=price,
        condition=condition, has_asin=has_asin, has_identifier=has_asin or barcode, is_parent=parent),
    st.booleans(), st.booleans(), st.booleans(), st.integers(-2, 5),
    st.sampled_from([None, Decimal("12.5000"), Decimal("0.9900")]), st.sampled_from([None, "", "new_new", "used_good"]),
    st.booleans(), st.booleans(), st.booleans())

states = st.builds(
    lambda status, iss, match, action, ended, submitted, fba: tabs.ListingState(
        on_amazon=status is not None, amazon_status=status or None, issues=tuple(iss), match_status=match,
        pending_action=action, ended_by_merchant=ended, submitted=submitted, fulfilled_by_amazon=fba),
    st.sampled_from([None, "BUYABLE", "DISCOVERABLE", "INACTIVE"]), issues,
    st.sampled_from(["matched", "unresolved", "no_match", "multiple_matches", "has_variants", "third_party"]),
    st.sampled_from([None, "publish", "relist", "end", "update"]), st.booleans(), st.booleans(), st.booleans())

cases = st.lists(st.tuples(st.one_of(st.none(), facts), states), min_size=1, max_size=40)


def _row(account_id: int, product_id: int, f: tabs.ProductFacts | None, s: tabs.ListingState) -> dict:
    values = listing_state._issue_values(list(s.issues))
    return {
        "a": account_id, "sku": f"EQ-{next(_sku)}", "p": None if f is None else product_id,
        "asin": "B0EQUIVAL1" if f is not None and f.has_asin else None,
        "in_website": int(f.in_website) if f else 1, "enabled": int(f.enabled) if f else 1,
        "passes": int(f.passes_rules) if f else 1, "has_id": int(f.has_identifier) if f else 0,
        "parent": int(f.is_parent) if f else 0, "price": f.price if f else None, "qty": f.quantity if f else None,
        "cond": f.condition if f else None, "status": s.amazon_status if s.on_amazon else None,
        "match": s.match_status, "action": s.pending_action, "ended": int(s.ended_by_merchant),
        "submitted": NOW if s.submitted else None, "channel": "AMAZON_NA" if s.fulfilled_by_amazon else "DEFAULT",
        **values,
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=cases, auto_publish=st.booleans())
def test_sql_decision_is_classify(channel_db, account, cases, auto_publish):
    with channel_db.engine.begin() as conn:
        conn.execute(text("DELETE FROM channel_amazon_listing"))
        rows = [_row(account.account_id, n, f, s) for n, (f, s) in enumerate(cases, start=1)]
        conn.execute(text(
            "INSERT INTO channel_amazon_listing (account_id, seller_sku, product_id, asin, in_website, enabled,"
            " passes_rules, has_identifier, is_parent, calc_price, calc_qty, calc_condition, amazon_status,"
            " amazon_issues, issue_text, issue_suppressed, match_status, pending_action, ended_by_merchant,"
            " submitted_at, fulfillment_channel, facts_at, tab, reason) VALUES (:a, :sku, :p, :asin, :in_website,"
            " :enabled, :passes, :has_id, :parent, :price, :qty, :cond, :status, :issues, :itext, :isup, :match,"
            " :action, :ended, :submitted, :channel, NOW(), '', '')"), rows)
        listing_state._decide(conn, account.account_id, now=NOW, auto_publish=auto_publish)
        got = {r.seller_sku: (r.tab, r.reason, r.reason_detail) for r in conn.execute(text(
            "SELECT seller_sku, tab, reason, reason_detail FROM channel_amazon_listing"))}
    policy = tabs.Policy(auto_publish=auto_publish)
    for row, (f, s) in zip(rows, cases):
        result = tabs.classify(f, s, policy)
        if result is None:
            expected = (tabs.NOT_ELIGIBLE, tabs.ineligibility(f, s.fulfilled_by_amazon).value, None)
        else:
            expected = (result.tab.value, result.reason.value, result.detail)
        assert got[row["sku"]] == expected, (f, s)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(out_of_stock=st.sets(st.integers(1, 120), max_size=30), disabled=st.sets(st.integers(1, 120), max_size=20),
       listed=st.dictionaries(st.integers(1, 120), states, max_size=25), threshold=st.integers(0, 3),
       auto_publish=st.booleans())
def test_classification_run_gives_every_product_its_classify_tab(channel_db, account, out_of_stock, disabled,
                                                                 listed, threshold, auto_publish):
    """A random catalog (stock, status) and random listing states, in both Magento shapes."""
    prefix = channel_db.prefix
    with channel_db.raw() as raw:
        cur = raw.cursor()
        cur.execute(f"UPDATE `{prefix}cataloginventory_stock_item` SET qty = 100, is_in_stock = 1")
        for pid in out_of_stock:
            cur.execute(f"UPDATE `{prefix}cataloginventory_stock_item` SET qty = 0, is_in_stock = 0"
                        f" WHERE product_id = %s", (pid,))
        raw.commit()
    account.settings = {"auto_publish": auto_publish, "stock": {"out_of_stock_threshold": threshold}}
    # Disabled in Magento through the status attribute, saved as the admin saves it (committed:
    # the run reads the catalog on a connection of its own).
    _set_status(channel_db, disabled, 2)
    try:
        got, before, products, ctx = _run_classification(channel_db, account, listed)
    finally:
        _set_status(channel_db, disabled, 1)  # restore the catalog for the next example
    policy = tabs.Policy(auto_publish=auto_publish)
    for pid, product in products.items():
        row = before.get(pid)
        f, offer, _ = product_facts(ctx, product, row, NOW)
        result = tabs.classify(f, state_of(row), policy)
        if result is None:
            if row is None:
                assert pid not in got, product.sku
                continue
            expected = (tabs.NOT_ELIGIBLE, tabs.ineligibility(f, state_of(row).fulfilled_by_amazon).value, None)
        else:
            expected = (result.tab.value, result.reason.value, result.detail)
        assert got[pid][:3] == expected, (product.sku, f, state_of(row))
        assert got[pid][3] == offer.condition


def _set_status(channel_db, product_ids, status: int) -> None:
    if not product_ids:
        return
    prefix, link = channel_db.prefix, channel_db.schema.link
    with channel_db.engine.begin() as conn:
        for pid in product_ids:
            conn.execute(text(
                f"UPDATE {prefix}catalog_product_entity_int v JOIN {prefix}eav_attribute a"
                f" ON a.attribute_id = v.attribute_id AND a.attribute_code = 'status' AND a.entity_type_id = 4"
                f" SET v.value = :s WHERE v.{link} IN (SELECT {link}"
                f" FROM {prefix}catalog_product_entity WHERE entity_id = :p)"
                + (" AND v.store_id = 0" if status == 1 else "")), {"p": pid, "s": status})


def _run_classification(channel_db, account, listed):
    """Random listing states written, then a classification run; (tabs by product, listing
    rows before, products as the reader sees them, the account's context)."""
    prefix = channel_db.prefix
    with channel_db.engine.begin() as conn:
        conn.execute(text("DELETE FROM channel_amazon_listing"))
        reader = CatalogReader.connect(conn, prefix)
        ctx = AccountContext.of(account, reader)
        products = {p.entity_id: p for b in reader.iter_batches(ctx.website_id, attributes=ctx.attributes())
                    for p in b}
        for pid, s in listed.items():
            if pid not in products:
                continue
            p = products[pid]
            conn.execute(text(
                "INSERT INTO channel_amazon_listing (account_id, seller_sku, product_id, magento_sku, amazon_status,"
                " amazon_issues, issue_text, issue_suppressed, match_status, pending_action, ended_by_merchant,"
                " submitted_at, fulfillment_channel, tab, reason) VALUES (:a, :sku, :p, :sku, :status, :issues,"
                " :itext, :isup, :match, :action, :ended, :submitted, :channel, 'ready_to_list', 'ready')"),
                {"a": account.account_id, "sku": p.sku, "p": pid, "status": s.amazon_status if s.on_amazon else None,
                 "match": "matched" if s.match_status == "third_party" else s.match_status,
                 "action": s.pending_action, "ended": int(s.ended_by_merchant),
                 "submitted": NOW if s.submitted else None,
                 "channel": "AMAZON_NA" if s.fulfilled_by_amazon else "DEFAULT",
                 **listing_state._issue_values(list(s.issues))})
        before = {r["product_id"]: dict(r) for r in conn.execute(text(
            "SELECT * FROM channel_amazon_listing")).mappings()}
        classify_account(conn, reader, account, NOW, batch_size=37)
        got = {r.product_id: (r.tab, r.reason, r.reason_detail, r.calc_condition) for r in conn.execute(text(
            "SELECT product_id, tab, reason, reason_detail, calc_condition FROM channel_amazon_listing"))}
    return got, before, products, ctx


def test_an_unchanged_second_run_writes_nothing(channel_db, account):
    with channel_db.engine.begin() as conn:
        reader = CatalogReader.connect(conn, channel_db.prefix)
        classify_account(conn, reader, account, NOW)
    with channel_db.engine.begin() as conn:
        changes = conn.execute(text("SELECT COUNT(*) FROM channel_amazon_listing_change")).scalar()
        stamp = conn.execute(text("SELECT MAX(updated_at), COUNT(*) FROM channel_amazon_listing")).one()
        again = classify_account(conn, CatalogReader.connect(conn, channel_db.prefix), account, NOW)
        assert (again.written, again.changed) == (0, 0)
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_listing_change")).scalar() == changes
        assert conn.execute(text("SELECT MAX(updated_at), COUNT(*) FROM channel_amazon_listing")).one() == stamp


def test_tab_counts_follow_every_transition(channel_db, account):
    """The kept counts the pages read equal the listings per tab after any transition."""
    def kept_and_real(conn):
        kept = dict(conn.execute(text("SELECT tab, listings FROM channel_amazon_tab_count WHERE listings > 0")).all())
        real = dict(conn.execute(text("SELECT tab, COUNT(*) FROM channel_amazon_listing GROUP BY tab")).all())
        return kept, real

    with channel_db.engine.begin() as conn:
        classify_account(conn, CatalogReader.connect(conn, channel_db.prefix), account, NOW)
        kept, real = kept_and_real(conn)
        assert kept == real and sum(real.values()) > 10
        ids = conn.execute(text("SELECT listing_id FROM channel_amazon_listing WHERE tab = 'ready_to_list'"
                                " ORDER BY listing_id LIMIT 3")).scalars().all()
        assert len(ids) == 3
        listing_state.action_requested(conn, account.account_id, list(ids[:2]), "publish")
        listing_state.submitting(conn, account.account_id, ids[2], NOW)
        listing_state.approved(conn, account.account_id, ids[2])
        kept, real = kept_and_real(conn)
        assert kept == real and real.get("active") == 1 and real.get("list_in_progress") == 2
