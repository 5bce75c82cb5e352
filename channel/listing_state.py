"""The owner of ``channel_amazon_listing``: every write to it is a named transition here.

A listing's state is its tab and reason (``State``: the tabs of ``channel.tabs``). They
are never written directly: a transition writes the facts it learned (a report row, a
submission, Amazon's verdict, a merchant's action, the Magento facts of a classification
run), then ``_decide`` derives tab, reason and detail of the listings it touched in one
statement, and records a change row for each listing whose tab or reason changed, in
the same transaction. The decision is ``tabs.classify`` written in SQL over the facts
kept on the row (sql/0013); a property test holds both to the same answers.

Everything here is set-based: a transition over N listings is a few statements, never
N round trips, and a run that changes nothing writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ProgrammingError

from channel import tables, tabs
from channel.db import driver_connection, load_file, load_lines, load_rows
from channel.pricing import AccountSettings

LISTING = "channel_amazon_listing"
CHANGE = "channel_amazon_listing_change"
#: The new SKUs of the report being imported (``new_skus``).
NEW = "tmp_channel_new"

#: The states a listing can be in: the tabs, their in-progress states, and no tab at all.
State = tabs.Tab
NOT_ELIGIBLE = tabs.NOT_ELIGIBLE

#: Merchant actions a listing can wait for.
ACTIONS = ("publish", "relist", "end")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _ids(stmt: str):
    return text(stmt).bindparams(bindparam("ids", expanding=True))


# --- the decision: tabs.classify in SQL ---------------------------------------------------

_FBA = "UPPER(COALESCE(l.fulfillment_channel, 'DEFAULT')) LIKE 'AMAZON%'"
_ON_AMAZON = "l.amazon_status IS NOT NULL"
_ISSUES = "(l.amazon_issues IS NOT NULL AND l.amazon_issues NOT IN ('', '[]'))"
_HAS_ASIN = "COALESCE(l.asin, '') <> ''"
#: ``tabs.ineligibility``: why a product may not be offered, NULL when it may (or when its
#: facts are not read yet: nothing is known against it).
_EXCLUDED = (
    "(CASE WHEN l.facts_at IS NULL THEN NULL"
    " WHEN l.in_website = 0 THEN 'not_in_website' WHEN l.enabled = 0 THEN 'disabled_in_magento'"
    " WHEN l.passes_rules = 0 THEN 'excluded_by_rule'"
    f" WHEN COALESCE(l.calc_qty, 0) <= 0 AND NOT ({_FBA}) THEN 'below_stock_threshold' END)"
)


def _decision(auto_publish: bool) -> str:
    """``tab|reason`` of ``tabs.classify`` for the listing ``l`` (no tab: ``not_eligible``)."""
    ready = "'list_in_progress|publish_queued'" if auto_publish else (
        "IF(l.pending_action <=> 'publish', 'list_in_progress|publish_queued', 'ready_to_list|ready')")
    return (
        "(CASE"
        # An Amazon listing with no Magento product.
        " WHEN l.product_id IS NULL THEN (CASE l.match_status WHEN 'multiple_matches' THEN"
        " 'incomplete|multiple_matches' WHEN 'has_variants' THEN 'incomplete|has_variants'"
        " ELSE 'new_third_party|third_party_unmatched' END)"
        # Facts not read yet: a listing on Amazon is what Amazon says of it (nothing known
        # excludes it); any other keeps its tab until the first classification run.
        f" WHEN l.facts_at IS NULL AND NOT ({_ON_AMAZON}) THEN CONCAT(l.tab, '|', l.reason)"
        " WHEN l.ended_by_merchant = 1 THEN (CASE WHEN l.pending_action IN ('publish', 'relist')"
        " THEN 'relist_in_progress|relisting'"
        f" WHEN l.pending_action <=> 'end' AND {_ON_AMAZON} THEN 'ending_in_progress|ending'"
        " ELSE 'ended|ended_by_merchant' END)"
        " WHEN l.pending_action <=> 'end' THEN 'ending_in_progress|ending'"
        f" WHEN {_ON_AMAZON} THEN (CASE"
        f" WHEN {_EXCLUDED} IS NOT NULL THEN CONCAT('ineligible|', {_EXCLUDED})"
        " WHEN l.amazon_status = 'BUYABLE' THEN 'active|listed_buyable'"
        f" WHEN l.submitted_at IS NOT NULL AND NOT {_ISSUES} THEN 'list_in_progress|awaiting_amazon_approval'"
        " WHEN l.issue_suppressed = 1 THEN 'inactive|amazon_suppressed'"
        " ELSE 'inactive|amazon_not_buyable' END)"
        f" WHEN {_EXCLUDED} IS NOT NULL THEN CONCAT('not_eligible|', {_EXCLUDED})"
        f" WHEN l.submitted_at IS NOT NULL THEN IF({_ISSUES}, 'inactive|amazon_not_buyable',"
        " 'list_in_progress|awaiting_amazon_approval')"
        " WHEN l.is_parent = 1 OR l.match_status = 'has_variants' THEN 'incomplete|has_variants'"
        " WHEN l.match_status = 'multiple_matches' THEN 'incomplete|multiple_matches'"
        " WHEN l.match_status = 'no_match' THEN 'incomplete|unable_to_assign'"
        f" WHEN l.has_identifier = 0 AND NOT ({_HAS_ASIN}) THEN 'incomplete|missing_identifier'"
        " WHEN l.calc_price IS NULL THEN 'incomplete|missing_price'"
        " WHEN COALESCE(l.calc_condition, '') = '' THEN 'incomplete|missing_condition'"
        f" WHEN NOT ({_HAS_ASIN}) THEN 'incomplete|asin_lookup_pending'"
        f" ELSE {ready} END)"
    )


#: Amazon's words for an Inactive listing; no detail in any other state (a listing whose facts
#: are not read yet keeps its own).
_DETAIL = ("IF(SUBSTRING_INDEX(x.decision, '|', 1) = 'inactive', x.issue_text,"
           " IF(x.facts_at IS NULL AND x.product_id IS NOT NULL, x.old_detail, NULL))")


def _auto_publish(conn: Connection, account_id: int) -> bool:
    raw = conn.execute(text("SELECT settings FROM channel_amazon_account WHERE account_id = :a"),
                       {"a": account_id}).scalar()
    try:
        return AccountSettings.from_json(raw).auto_publish
    except Exception:  # settings a merchant must fix are reported where they are read; never auto-publish then
        return False


def _decide(conn: Connection, account_id: int, where: str = "", params: dict | None = None,
            now: datetime | None = None, auto_publish: bool | None = None) -> int:
    """Derive tab, reason and detail of the account's listings matching ``where`` (all of
    them when empty); write the ones that changed and a change row per new tab or reason.
    Returns how many listings changed state."""
    now = now or _utcnow()
    params = {"a": account_id, "now": now, **(params or {})}
    _decisions(conn, account_id, where, params, auto_publish)
    moved = _record_moves(conn, params)
    conn.execute(text(
        f"UPDATE {LISTING} l JOIN tmp_channel_decision t ON t.listing_id = l.listing_id"
        f" SET l.tab = t.tab, l.reason = t.reason, l.reason_detail = t.detail,"
        f" l.state_changed_at = IF(t.moved = 1, :now, l.state_changed_at)"), params)
    if moved:
        _count_moves(conn, account_id, now)
    conn.execute(text("DELETE FROM tmp_channel_decision"))
    return moved


def _decisions(conn: Connection, account_id: int, where: str, params: dict, auto_publish: bool | None,
               source: str = LISTING) -> None:
    """Into ``tmp_channel_decision`` (emptied first): tab, reason and detail of the account's
    listings matching ``where``, where they differ from the row's. ``source`` is the listing
    table, or a derived table of its rows with facts about to be written (the same columns)."""
    if auto_publish is None:
        auto_publish = _auto_publish(conn, account_id)
    conn.execute(text(
        "CREATE TEMPORARY TABLE IF NOT EXISTS tmp_channel_decision (listing_id bigint UNSIGNED NOT NULL PRIMARY KEY,"
        " from_tab varchar(32) NULL, from_reason varchar(64) NULL, tab varchar(32) NOT NULL,"
        " reason varchar(64) NOT NULL, detail text NULL, moved tinyint NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"))
    conn.execute(text("DELETE FROM tmp_channel_decision"))
    decide = text(
        f"INSERT INTO tmp_channel_decision (listing_id, from_tab, from_reason, tab, reason, detail, moved)"
        f" SELECT listing_id, from_tab, from_reason, tab, reason, detail,"
        f" NOT (from_tab <=> tab AND from_reason <=> reason) FROM ("
        f" SELECT x.listing_id, x.from_tab, x.from_reason, x.old_detail, SUBSTRING_INDEX(x.decision, '|', 1) AS tab,"
        f" SUBSTRING_INDEX(x.decision, '|', -1) AS reason, {_DETAIL} AS detail FROM ("
        f" SELECT l.listing_id, l.product_id, l.facts_at, l.issue_text, NULLIF(l.tab, '') AS from_tab,"
        f" NULLIF(l.reason, '') AS from_reason, l.reason_detail AS old_detail, {_decision(auto_publish)} AS decision"
        f" FROM {source} l WHERE l.account_id = :a{' AND ' + where if where else ''}) x) y"
        f" WHERE NOT (from_tab <=> tab AND from_reason <=> reason AND old_detail <=> detail)")
    if ":ids" in where:
        decide = decide.bindparams(bindparam("ids", expanding=True))
    conn.execute(decide, params)


def _record_moves(conn: Connection, params: dict) -> int:
    """A change row per decision in ``tmp_channel_decision`` that moves its listing."""
    return conn.execute(text(
        f"INSERT INTO {CHANGE} (listing_id, account_id, from_tab, to_tab, from_reason, to_reason, detail)"
        f" SELECT listing_id, :a, from_tab, tab, from_reason, reason, detail FROM tmp_channel_decision"
        f" WHERE moved = 1"), params).rowcount


def _count_moves(conn: Connection, account_id: int, now: datetime) -> None:
    """Keep the account's listings per tab (``channel_amazon_tab_count``) through the moves
    just decided (``tmp_channel_decision``), once a classification run has counted them."""
    params = {"a": account_id, "now": now}
    if conn.execute(text("SELECT 1 FROM channel_amazon_tab_count WHERE account_id = :a LIMIT 1"), params).first() is None:
        return
    conn.execute(text(
        "UPDATE channel_amazon_tab_count c JOIN (SELECT from_tab, COUNT(*) AS n FROM tmp_channel_decision"
        " WHERE from_tab IS NOT NULL AND NOT (from_tab <=> tab) GROUP BY from_tab) d"
        " ON c.account_id = :a AND c.tab = d.from_tab"
        " SET c.listings = IF(c.listings > d.n, c.listings - d.n, 0), c.counted_at = :now"), params)
    conn.execute(text(
        "INSERT INTO channel_amazon_tab_count (account_id, tab, listings, counted_at)"
        " SELECT :a, tab, COUNT(*), :now FROM tmp_channel_decision WHERE NOT (from_tab <=> tab) GROUP BY tab"
        " ON DUPLICATE KEY UPDATE listings = listings + VALUES(listings), counted_at = VALUES(counted_at)"), params)


def _count_new(conn: Connection, account_id: int, after: int, now: datetime) -> None:
    """The account's listings above id ``after`` came in, each straight into its tab."""
    if conn.execute(text("SELECT 1 FROM channel_amazon_tab_count WHERE account_id = :a LIMIT 1"),
                    {"a": account_id}).first() is not None:
        conn.execute(text(
            f"INSERT INTO channel_amazon_tab_count (account_id, tab, listings, counted_at)"
            f" SELECT :a, tab, COUNT(*), :now FROM {LISTING} WHERE account_id = :a AND listing_id > :after"
            f" GROUP BY tab"
            f" ON DUPLICATE KEY UPDATE listings = listings + VALUES(listings), counted_at = VALUES(counted_at)"),
            {"a": account_id, "after": after, "now": now})


# --- issues ----------------------------------------------------------------------------

def _issue_values(issues: Sequence[dict] | None) -> dict:
    """``amazon_issues`` and what the decision reads of it, computed once when written."""
    issues = list(issues or [])
    return {"issues": json.dumps(issues) if issues else None, "itext": tabs.issue_text(tuple(issues)),
            "isup": int(any(isinstance(i, dict) and "SUPPRESS" in str(i.get("categories", "")).upper()
                            for i in issues))}


_SET_ISSUES = "amazon_issues = :issues, issue_text = :itext, issue_suppressed = :isup"
_NO_ISSUES = "amazon_issues = NULL, issue_text = NULL, issue_suppressed = 0"


# --- the listings report ----------------------------------------------------------------

def imported(conn: Connection, account_id: int, stage: str, taken_at: datetime, has_status: bool,
             matches: str | None = None, facts: tuple[str, datetime] | None = None,
             new: str | None = None) -> int:
    """The rows of a judged listings report (staged in ``stage``): new SKUs come in as
    third-party listings until matched; known ones take Amazon's values. A report without
    a status column keeps the statuses we know. A listing that changed state after the
    report's data was taken (``taken_at``) keeps its status. New SKUs named in ``matches``
    (seller_sku, product_id, magento_sku, product_name: ``matching.match_new_by_sku``) come in
    matched by seller SKU under their product's name, their facts unread, in the tab Amazon's
    word gives them, as the match step would leave them. With ``facts`` (the table
    classification staged its facts in, when they were read), those whose product's facts
    are staged come in with them, in the tab classification gives them: each row is written
    once, not once here and again by classification. ``new``: the report's new SKUs as
    ``new_skus`` found them for the prematch, else found here. Returns how many came in matched."""
    params = {"a": account_id, "t": taken_at}
    newer = "(l.state_changed_at >= :t OR l.submitted_at >= :t)"  # we know more than this report
    if has_status:
        cleared = f"s.amazon_status = 'BUYABLE' AND NOT {newer}"
        status_set = [
            ("amazon_status", f"IF({newer} OR (l.submitted_at IS NOT NULL AND s.amazon_status <> 'BUYABLE'),"
                              f" l.amazon_status, s.amazon_status)"),
            ("amazon_issues", f"IF({cleared}, NULL, l.amazon_issues)"),
            ("issue_text", f"IF({cleared}, NULL, l.issue_text)"),
            ("issue_suppressed", f"IF({cleared}, 0, l.issue_suppressed)"),
            ("submitted_at", f"IF({cleared}, NULL, l.submitted_at)")]
    else:  # Amazon's status is unknown: keep ours, pending submissions and issue texts included
        status_set = [("amazon_status", "IF(l.submitted_at IS NULL, COALESCE(l.amazon_status, s.amazon_status),"
                                        " l.amazon_status)")]
    # A product we created the row for, found on Amazon under its own SKU: matched by seller SKU.
    found = "l.product_id IS NOT NULL AND l.match_status IN ('unresolved', 'no_match') AND s.asin IS NOT NULL"
    assignments = [
        ("asin", "COALESCE(s.asin, l.asin)"), ("external_id", "s.external_id"),
        ("external_id_type", "s.external_id_type"),
        ("product_name", "IF(l.product_id IS NULL, s.product_name, l.product_name)"), *status_set,
        ("matched_by", f"IF({found}, 'seller_sku', l.matched_by)"),
        ("match_status", f"IF({found}, 'matched', l.match_status)"),
        ("amazon_price", "s.amazon_price"), ("amazon_qty", "s.amazon_qty"),
        ("fulfillment_channel", "s.fulfillment_channel")]
    first_new = newest_id(conn)
    # An account's first report: every row is new, none is looked up (a million lookups saved).
    known = has_listings(conn, account_id)
    if known and new is None:
        new = new_skus(conn, account_id, stage)
    # A new SKU without a product comes in as third-party. One matched by seller SKU comes in
    # linked, with its product's facts when classification staged them, else unread: what
    # Amazon says of it until classification reads them (in the same cycle).
    if matches:
        join = f" LEFT JOIN {matches} m ON m.seller_sku = s.seller_sku"
        product = ("IF(m.product_id IS NULL, 'third_party', 'matched') AS match_status, m.product_id AS product_id,"
                   " IF(m.product_id IS NULL, NULL, 'seller_sku') AS matched_by")
        name = "IF(m.product_id IS NULL, s.product_name, m.product_name)"
        sku = "m.magento_sku"
    else:
        join = ""
        product = "'third_party' AS match_status, NULL AS product_id, NULL AS matched_by"
        name, sku = "s.product_name", "NULL"
    # A matched product's facts, when staged: as classification writes them (``classified``).
    # Without them a row's are unread: the columns' defaults.
    fact_values = {"in_website": "1", "enabled": "1", "passes_rules": "1", "has_identifier": "0", "is_parent": "0",
                   "calc_qty": "NULL", "calc_price": "NULL", "calc_condition": "NULL", "calc_business": "NULL",
                   "facts_at": "NULL"}
    asin = "s.asin"
    if matches and facts:
        join += f" LEFT JOIN {facts[0]} f ON f.product_id = m.product_id"
        params["facts_at"] = facts[1]
        read = "f.product_id IS NOT NULL"
        fact_values = {"in_website": "1", "enabled": "COALESCE(f.enabled, 1)",
                       "passes_rules": "COALESCE(f.passes_rules, 1)",
                       "has_identifier": "COALESCE(f.has_identifier, 0)", "is_parent": "COALESCE(f.is_parent, 0)",
                       "calc_qty": "f.qty", "calc_price": "f.price", "calc_condition": "f.condition_type",
                       "calc_business": "f.business", "facts_at": f"IF({read}, CAST(:facts_at AS datetime), NULL)"}
        name, sku, asin = f"IF({read}, f.name, {name})", f"COALESCE(f.sku, {sku})", "COALESCE(s.asin, f.asin)"
    columns = ("account_id, seller_sku, asin, external_id, external_id_type, product_name, amazon_status,"
               " amazon_price, amazon_qty, fulfillment_channel, seen_in_report_at, match_status, product_id,"
               f" magento_sku, matched_by, {', '.join(fact_values)}")
    # The new rows as the decision reads a listing (``l``): on Amazon, nothing submitted,
    # no issue; their facts, when read.
    new_rows = (
        f"SELECT :a AS account_id, s.seller_sku, {asin} AS asin, s.external_id, s.external_id_type,"
        f" COALESCE(s.amazon_status, 'INACTIVE') AS amazon_status, s.amazon_price, s.amazon_qty,"
        f" s.fulfillment_channel, CAST(:t AS datetime) AS seen_in_report_at, {product},"
        f" {name} AS product_name, {sku} AS magento_sku,"
        f" 'new_third_party' AS tab, 'third_party_unmatched' AS reason,"
        f" 0 AS ended_by_merchant, NULL AS pending_action, NULL AS submitted_at, NULL AS amazon_issues,"
        f" 0 AS issue_suppressed, {', '.join(f'{e} AS {c}' for c, e in fact_values.items())}"
        + (f" FROM {new} n JOIN {stage} s ON s.seller_sku = n.seller_sku{join}" if known and new
           else f" FROM {stage} s{join} WHERE s.bad = 0"))
    conn.execute(text(
        f"INSERT INTO {LISTING} ({columns}, tab, reason, state_changed_at)"
        f" SELECT {columns}, SUBSTRING_INDEX(decision, '|', 1), SUBSTRING_INDEX(decision, '|', -1), :t"
        f" FROM (SELECT l.*, {_decision(False)} AS decision FROM ({new_rows}) l) x"), params)
    # Read by their ids, in the table itself: a covering secondary index of rows this
    # transaction just wrote sends each read to the table anyway (8.3-9.6 s for a million
    # new rows against 3.9-5.8 s).
    arrived = conn.execute(text(
        f"INSERT INTO {CHANGE} (listing_id, account_id, from_tab, to_tab, from_reason, to_reason)"
        f" SELECT listing_id, :a, NULL, tab, NULL, reason FROM {LISTING} FORCE INDEX (PRIMARY)"
        f" WHERE account_id = :a AND listing_id > :first"), {**params, "first": first_new}).rowcount
    if arrived:
        _count_new(conn, account_id, first_new, taken_at)
    # The listings known before this report (the rows just inserted already hold its values)
    # whose values it changes: a listing it leaves as it is costs a read, not a write.
    if known:
        conn.execute(text(
            f"UPDATE {LISTING} l JOIN {stage} s ON l.account_id = :a AND l.seller_sku = s.seller_sku"
            f" AND l.listing_id <= :first SET {', '.join(f'l.{c} = {e}' for c, e in assignments)}"
            f" WHERE s.bad = 0 AND NOT ({' AND '.join(f'l.{c} <=> {e}' for c, e in assignments)})"),
            {**params, "first": first_new})
    return conn.execute(text(f"SELECT COUNT(*) FROM {matches}")).scalar_one() if matches else 0


def new_skus(conn: Connection, account_id: int, stage: str) -> str | None:
    """The good rows of a staged report (``stage``) whose SKU the account has no listing for,
    by SKU in ``tmp_channel_new``: looked up once for the import's prematch and its insert.
    None when the account has no listing yet: every good row is new, none is looked up. Read
    as the insert reads, with its locks: a listing for one of them cannot come in meanwhile."""
    conn.execute(text(f"DROP TEMPORARY TABLE IF EXISTS {NEW}"))
    if not has_listings(conn, account_id):
        return None
    conn.execute(text(f"CREATE TEMPORARY TABLE {NEW} (seller_sku varchar(255) NOT NULL PRIMARY KEY)"
                      f" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"))
    conn.execute(text(
        f"INSERT INTO {NEW} (seller_sku) SELECT s.seller_sku FROM {stage} s"
        f" LEFT JOIN {LISTING} l ON l.account_id = :a AND l.seller_sku = s.seller_sku"
        f" WHERE s.bad = 0 AND l.listing_id IS NULL"), {"a": account_id})
    return NEW


def newest_id(conn: Connection) -> int:
    """The highest listing id so far (0 for none): the rows written from here on have higher ones."""
    return int(conn.execute(text(f"SELECT COALESCE(MAX(listing_id), 0) FROM {LISTING}")).scalar() or 0)


def has_listings(conn: Connection, account_id: int) -> bool:
    """Whether the account has any listing yet (its first report finds none to compare with)."""
    return conn.execute(text(f"SELECT 1 FROM {LISTING} WHERE account_id = :a LIMIT 1"),
                        {"a": account_id}).first() is not None


def gone(conn: Connection, account_id: int, stage: str, taken_at: datetime) -> int:
    """Listings live on Amazon that a complete report taken at ``taken_at`` (staged in
    ``stage``, unreadable rows included) no longer holds, and that did not change since:
    no longer on Amazon. Returns how many."""
    params = {"a": account_id, "t": taken_at}
    conn.execute(text("DROP TEMPORARY TABLE IF EXISTS tmp_channel_gone"))
    conn.execute(text(
        f"CREATE TEMPORARY TABLE tmp_channel_gone (listing_id bigint UNSIGNED NOT NULL PRIMARY KEY) ENGINE=InnoDB"
        f" SELECT l.listing_id FROM {LISTING} l LEFT JOIN {stage} s ON s.seller_sku = l.seller_sku"
        f" WHERE l.account_id = :a AND l.amazon_status IS NOT NULL AND s.seller_sku IS NULL"
        f" AND (l.submitted_at IS NULL OR l.submitted_at < :t) AND l.state_changed_at < :t"), params)
    count = conn.execute(text(
        f"UPDATE {LISTING} l JOIN tmp_channel_gone g ON g.listing_id = l.listing_id"
        f" SET l.amazon_status = NULL, l.amazon_issues = NULL, l.issue_text = NULL, l.issue_suppressed = 0"),
        params).rowcount
    if count:
        _decide(conn, account_id, "l.listing_id IN (SELECT listing_id FROM tmp_channel_gone)")
    conn.execute(text("DROP TEMPORARY TABLE IF EXISTS tmp_channel_gone"))
    return count


# --- matching -----------------------------------------------------------------------------

def matched(conn: Connection, account_id: int, results: str, product_table: str, version: str,
            params: dict) -> None:
    """Matching's outcome for the listings in the ``results`` table (listing_id, product_id,
    match_status, candidates, matched_by)."""
    conn.execute(text(
        f"UPDATE {LISTING} l JOIN {results} r ON r.listing_id = l.listing_id"
        f" LEFT JOIN {product_table} e ON e.entity_id = r.product_id{version}"
        f" SET l.product_id = r.product_id, l.magento_sku = e.sku, l.match_status = r.match_status,"
        f" l.match_candidates = r.candidates, l.matched_by = r.matched_by,"
        f" l.facts_at = IF(r.product_id <=> l.product_id, l.facts_at, NULL)"), params)
    _decide(conn, account_id, f"l.listing_id IN (SELECT listing_id FROM {results})")


def unmatched_third_party(conn: Connection, account_id: int, unmatched: str, results: str) -> int:
    """Amazon listings no product matched: third party."""
    return conn.execute(text(
        f"UPDATE {LISTING} l LEFT JOIN {results} r ON r.listing_id = l.listing_id"
        f" SET l.match_status = 'third_party', l.match_candidates = NULL, l.matched_by = NULL"
        f" WHERE {unmatched} AND r.listing_id IS NULL"), {"a": account_id}).rowcount


def assigned(conn: Connection, account_id: int, listing_id: int, product_id: int, sku: str) -> bool:
    """The merchant links a listing to a product by hand; matching never undoes it."""
    done = conn.execute(text(
        f"UPDATE {LISTING} SET product_id = :p, magento_sku = :sku, match_status = 'matched',"
        f" match_candidates = NULL, matched_by = 'manual', facts_at = NULL"
        f" WHERE listing_id = :l AND account_id = :a"),
        {"p": product_id, "sku": sku, "l": listing_id, "a": account_id}).rowcount
    return bool(done)


def match_reset(conn: Connection, account_id: int, listing_ids: list[int]) -> int:
    """Matching is attempted again for these listings (manual links included): Amazon
    listings go back to unmatched, Magento products not yet on Amazon to ``unresolved``
    so their ASIN is searched again."""
    if not listing_ids:
        return 0
    params = {"a": account_id, "ids": listing_ids}
    amazon = _ids(f"UPDATE {LISTING} SET product_id = NULL, magento_sku = NULL, matched_by = NULL,"
                  f" match_status = 'third_party', facts_at = NULL WHERE account_id = :a AND listing_id IN :ids"
                  f" AND amazon_status IS NOT NULL")
    magento = _ids(f"UPDATE {LISTING} SET asin = NULL, matched_by = NULL, match_candidates = NULL,"
                   f" match_status = 'unresolved' WHERE account_id = :a AND listing_id IN :ids"
                   f" AND amazon_status IS NULL")
    changed = conn.execute(amazon, params).rowcount + conn.execute(magento, params).rowcount
    _decide(conn, account_id, "l.listing_id IN :ids", {"ids": listing_ids})
    return changed


def asins_looked_up(conn: Connection, account_id: int, outcomes: list[tuple[int, str, str | None, list | None]]) -> None:
    """The catalog's answer for products waiting for an ASIN: (listing_id, match_status,
    asin or None, candidate ASINs or None)."""
    if not outcomes:
        return
    conn.execute(text(
        f"UPDATE {LISTING} SET match_status = :s, asin = :asin, match_candidates = :c,"
        f" matched_by = IF(:asin IS NULL, matched_by, 'catalog') WHERE listing_id = :id"),
        [{"id": i, "s": s, "asin": asin, "c": json.dumps(c) if c else None} for i, s, asin, c in outcomes])
    _decide(conn, account_id, "l.listing_id IN :ids", {"ids": [o[0] for o in outcomes]})


# --- the merchant's actions -----------------------------------------------------------------

def action_requested(conn: Connection, account_id: int, listing_ids: list[int], action: str) -> int:
    """The merchant asks to publish, relist or end these listings; the next cycle sends it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not listing_ids:
        return 0
    changed = conn.execute(_ids(
        f"UPDATE {LISTING} SET pending_action = :act WHERE account_id = :a AND listing_id IN :ids"),
        {"a": account_id, "ids": listing_ids, "act": action}).rowcount
    _decide(conn, account_id, "l.listing_id IN :ids", {"ids": listing_ids})
    return changed


# --- publishing, ending, tracking -------------------------------------------------------------

def submitting(conn: Connection, account_id: int, listing_id: int, now: datetime) -> None:
    """About to send an offer: recorded first, so a killed worker tracks it instead of resending."""
    conn.execute(text(
        f"UPDATE {LISTING} SET submitted_at = :now, pending_action = NULL, ended_by_merchant = 0, {_NO_ISSUES}"
        f" WHERE listing_id = :id"), {"now": now, "id": listing_id})
    _decide(conn, account_id, "l.listing_id = :id", {"id": listing_id}, now=now)


def submitted(conn: Connection, account_id: int, listing_id: int, submission_id: str | None,
              issues: list[dict], invalid: bool, price: Decimal | None, quantity: int) -> None:
    """Amazon's answer to the offer sent: its submission id, or INVALID with its issues."""
    conn.execute(text(
        f"UPDATE {LISTING} SET submission_ref = :ref, {_SET_ISSUES},"
        f" amazon_status = IF(:bad, 'INACTIVE', amazon_status), pushed_price = :price, pushed_qty = :qty,"
        # The offer sent carries the stored business offer beside its price (channel.payloads).
        f" pushed_business = IF(:price IS NULL, NULL, calc_business) WHERE listing_id = :id"),
        {"ref": submission_id, **_issue_values(issues), "bad": invalid, "price": price, "qty": quantity,
         "id": listing_id})
    _decide(conn, account_id, "l.listing_id = :id", {"id": listing_id})


def feed_publishing(conn: Connection, account_id: int, listing_ids: list[int], now: datetime) -> None:
    """About to send these offers in one listings feed: recorded first, as ``submitting``
    does for one, so a killed worker tracks them instead of resending."""
    for start in range(0, len(listing_ids), 5000):
        chunk = listing_ids[start:start + 5000]
        conn.execute(_ids(
            f"UPDATE {LISTING} SET submitted_at = :now, submission_ref = NULL, pending_action = NULL,"
            f" ended_by_merchant = 0, {_NO_ISSUES} WHERE listing_id IN :ids"), {"now": now, "ids": chunk})
        _decide(conn, account_id, "l.listing_id IN :ids", {"ids": chunk}, now=now)


def _stage_offers(conn: Connection, items: list[tuple[int, Decimal | None, int | None]]) -> None:
    """(listing_id, price, quantity) into ``tmp_channel_ack``, emptied first."""
    conn.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS tmp_channel_ack (listing_id bigint UNSIGNED"
                      " NOT NULL PRIMARY KEY, price decimal(20,4) NULL, qty int NULL) ENGINE=InnoDB"))
    conn.execute(text("DELETE FROM tmp_channel_ack"))
    cur = driver_connection(conn).cursor()
    try:
        for start in range(0, len(items), 5000):
            cur.executemany("INSERT INTO tmp_channel_ack (listing_id, price, qty) VALUES (%s, %s, %s)"
                            " ON DUPLICATE KEY UPDATE price = VALUES(price), qty = VALUES(qty)",
                            [(i, p, q) for i, p, q in items[start:start + 5000]])
    finally:
        cur.close()


def feed_publish_sent(conn: Connection, account_id: int, items: list[tuple[int, Decimal | None, int | None]],
                      marker: str) -> None:
    """These (listing_id, price, quantity) offers travel in the listings feed ``marker``:
    not tracked until its processing report is read (``feed_publish_settled``)."""
    if not items:
        return
    _stage_offers(conn, items)
    conn.execute(text(
        f"UPDATE {LISTING} l JOIN tmp_channel_ack a ON a.listing_id = l.listing_id"
        f" SET l.submission_ref = :m, l.pushed_price = a.price, l.pushed_qty = a.qty,"
        f" l.pushed_business = IF(a.price IS NULL, NULL, l.calc_business)"
        f" WHERE l.submitted_at IS NOT NULL"), {"m": marker})
    conn.execute(text("DELETE FROM tmp_channel_ack"))
    ids = [i for i, _, _ in items]
    for start in range(0, len(ids), 5000):
        _decide(conn, account_id, "l.listing_id IN :ids", {"ids": ids[start:start + 5000]})


def feed_publish_settled(conn: Connection, account_id: int, marker: str, accepted_ref: str,
                         refused: list[tuple[int, list[dict]]], resend: list[int]) -> None:
    """The processing report of the listings feed ``marker``: ``refused`` (listing_id,
    Amazon's issues) are Inactive with them; ``resend`` (a feed Amazon did not process) go
    back to the queue; the rest were accepted and await Amazon's decision under
    ``accepted_ref``, tracked like a put."""
    for listing_id, errors in refused:
        conn.execute(text(
            f"UPDATE {LISTING} SET amazon_status = 'INACTIVE', {_SET_ISSUES}, submitted_at = NULL"
            f" WHERE listing_id = :id AND submission_ref = :m"), {**_issue_values(errors), "id": listing_id, "m": marker})
    for start in range(0, len(resend), 5000):
        conn.execute(_ids(f"UPDATE {LISTING} SET submitted_at = NULL, submission_ref = NULL"
                          f" WHERE listing_id IN :ids AND submission_ref = :m AND amazon_status IS NULL"),
                     {"ids": resend[start:start + 5000], "m": marker})
    touched = [i for i, _ in refused] + list(resend)
    conn.execute(text(f"UPDATE {LISTING} SET submission_ref = :ok WHERE account_id = :a AND submission_ref = :m"),
                 {"ok": accepted_ref, "a": account_id, "m": marker})
    for start in range(0, len(touched), 5000):
        _decide(conn, account_id, "l.listing_id IN :ids", {"ids": touched[start:start + 5000]})


def ended(conn: Connection, account_id: int, listing_id: int) -> None:
    """The offer is no longer on Amazon at the merchant's request."""
    conn.execute(text(
        f"UPDATE {LISTING} SET pending_action = NULL, ended_by_merchant = 1, amazon_status = NULL,"
        f" submitted_at = NULL, {_NO_ISSUES} WHERE listing_id = :id"), {"id": listing_id})
    _decide(conn, account_id, "l.listing_id = :id", {"id": listing_id})


def unseen_after_accept(conn: Connection, account_id: int, listing_id: int) -> None:
    """Amazon accepted a submission but never showed it: it is sent again."""
    conn.execute(text(f"UPDATE {LISTING} SET submitted_at = NULL, submission_ref = NULL"
                      f" WHERE listing_id = :id AND amazon_status IS NULL"), {"id": listing_id})
    _decide(conn, account_id, "l.listing_id = :id", {"id": listing_id})


def never_received(conn: Connection, account_id: int, listing_id: int, cutoff: datetime) -> None:
    """Recorded as sent before ``cutoff`` but unknown to Amazon (a worker killed between
    recording and sending): it is sent again."""
    conn.execute(text(f"UPDATE {LISTING} SET submitted_at = NULL WHERE listing_id = :id AND submitted_at < :cutoff"
                      f" AND amazon_status IS NULL"), {"id": listing_id, "cutoff": cutoff})
    _decide(conn, account_id, "l.listing_id = :id", {"id": listing_id})


def approved(conn: Connection, account_id: int, listing_id: int) -> None:
    """Amazon made the offer buyable."""
    conn.execute(text(f"UPDATE {LISTING} SET amazon_status = 'BUYABLE', submitted_at = NULL, {_NO_ISSUES}"
                      f" WHERE listing_id = :id"), {"id": listing_id})
    _decide(conn, account_id, "l.listing_id = :id", {"id": listing_id})


def rejected(conn: Connection, account_id: int, listing_id: int, errors: list[dict]) -> None:
    """Amazon refused the offer, with its issues."""
    conn.execute(text(f"UPDATE {LISTING} SET amazon_status = 'INACTIVE', {_SET_ISSUES}, submitted_at = NULL"
                      f" WHERE listing_id = :id"), {**_issue_values(errors), "id": listing_id})
    _decide(conn, account_id, "l.listing_id = :id", {"id": listing_id})


def discoverable(conn: Connection, account_id: int, listing_id: int) -> None:
    """Live on Amazon, not buyable (no stock): no longer tracked, so stock pushes reach it."""
    conn.execute(text(f"UPDATE {LISTING} SET amazon_status = 'DISCOVERABLE', submitted_at = NULL, {_NO_ISSUES}"
                      f" WHERE listing_id = :id"), {"id": listing_id})
    _decide(conn, account_id, "l.listing_id = :id", {"id": listing_id})


# --- Amazon's notifications ---------------------------------------------------------------

#: What a LISTINGS_ITEM_STATUS_CHANGE says of a listing, and what it sets.
_NOTIFIED_STATUS = {
    # Buyable: approved, tracking over, issues gone.
    "BUYABLE": f"amazon_status = 'BUYABLE', submitted_at = NULL, {_NO_ISSUES}",
    # Live, not buyable (no stock, no price): no longer tracked.
    "DISCOVERABLE": f"amazon_status = 'DISCOVERABLE', submitted_at = NULL, {_NO_ISSUES}",
    # Neither: not buyable; an offer awaiting approval stays tracked (its issues decide).
    "INACTIVE": "amazon_status = 'INACTIVE'",
    # No longer on Amazon.
    "DELETED": f"amazon_status = NULL, submitted_at = NULL, {_NO_ISSUES}",
}


def status_notified(conn: Connection, account_id: int, items: Sequence[tuple[int, str]]) -> int:
    """Amazon's LISTINGS_ITEM_STATUS_CHANGE for these (listing_id, status) pairs, status one
    of ``BUYABLE``, ``DISCOVERABLE``, ``INACTIVE`` or ``DELETED``: one update per status
    and one decision over them all. Returns how many listings changed state."""
    if not items:
        return 0
    by_status: dict[str, list[int]] = {}
    for listing_id, status in items:
        if status not in _NOTIFIED_STATUS:
            raise ValueError(f"unknown notified status {status!r}")
        by_status.setdefault(status, []).append(int(listing_id))
    for status, ids in by_status.items():
        conn.execute(_ids(f"UPDATE {LISTING} SET {_NOTIFIED_STATUS[status]} WHERE account_id = :a"
                          f" AND listing_id IN :ids"), {"a": account_id, "ids": ids})
    return _decide(conn, account_id, "l.listing_id IN :ids", {"ids": [int(i) for i, _ in items]})


def issues_notified(conn: Connection, account_id: int, listing_id: int, issues: list[dict]) -> int:
    """Amazon's issues of a listing after a LISTINGS_ITEM_ISSUES_CHANGE (read back from
    Amazon): an error refuses the offer, as ``rejected``; warnings only are kept without
    changing Amazon's status; none clears them."""
    errors = [i for i in issues if isinstance(i, dict) and str(i.get("severity", "")).upper() == "ERROR"]
    if errors:
        conn.execute(text(f"UPDATE {LISTING} SET amazon_status = 'INACTIVE', {_SET_ISSUES}, submitted_at = NULL"
                          f" WHERE listing_id = :id AND account_id = :a"),
                     {**_issue_values(issues), "id": listing_id, "a": account_id})
    else:
        conn.execute(text(f"UPDATE {LISTING} SET {_SET_ISSUES} WHERE listing_id = :id AND account_id = :a"),
                     {**_issue_values(issues), "id": listing_id, "a": account_id})
    return _decide(conn, account_id, "l.listing_id = :id", {"id": listing_id})


# --- repricing ------------------------------------------------------------------------------

#: The repriced price in force for a listing whose price rule still gives the price it was decided on.
_REPRICED = ("LEFT JOIN channel_amazon_repricing rp ON rp.listing_id = l.listing_id"
             " AND rp.price_source <=> f.price")
#: The business offer of a listing: the one worked out beside the repriced price while that
#: price is in force (``repriced``), else classification's (none there is none at any price).
_BUSINESS = "IF(rp.listing_id IS NULL OR f.business IS NULL, f.business, l.calc_business)"


def repriced(conn: Connection, account_id: int, items: Sequence[tuple[int, Decimal]],
             business: Sequence[tuple[int, str | None]] | None = None) -> int:
    """Repricing decided these (listing_id, price): the offer's price, which the delta push
    sends like any price change (tab and reason stay). ``business``: the (listing_id,
    business offer text) worked out beside the repriced price (``channel.business``), sent
    with it; classification keeps it while the repriced price is in force. Returns how
    many prices changed."""
    if not items:
        return 0
    _stage_offers(conn, [(int(i), p, None) for i, p in items])
    changed = conn.execute(text(
        f"UPDATE {LISTING} l JOIN tmp_channel_ack a ON a.listing_id = l.listing_id"
        f" SET l.calc_price = a.price WHERE l.account_id = :a AND NOT (l.calc_price <=> a.price)"),
        {"a": account_id}).rowcount
    conn.execute(text("DELETE FROM tmp_channel_ack"))
    if business:
        _stage_business(conn, business)
        conn.execute(text(
            f"UPDATE {LISTING} l JOIN tmp_channel_business a ON a.listing_id = l.listing_id"
            f" SET l.calc_business = a.business WHERE l.account_id = :a AND NOT (l.calc_business <=> a.business)"),
            {"a": account_id})
        conn.execute(text("DELETE FROM tmp_channel_business"))
    return changed


def repricing_dropped(conn: Connection, account_id: int) -> int:
    """Repricing is off for the account: its listings' prices go back to the price rule's at
    the next classification run (the prices in force are forgotten now)."""
    conn.execute(text(
        f"UPDATE {LISTING} l JOIN channel_amazon_repricing rp ON rp.listing_id = l.listing_id"
        f" SET l.calc_price = rp.price_source WHERE l.account_id = :a"), {"a": account_id})
    return conn.execute(text("DELETE FROM channel_amazon_repricing WHERE account_id = :a"),
                        {"a": account_id}).rowcount


# --- price and stock pushes (no state change: tab and reason stay) ----------------------------

def offers_acknowledged(conn: Connection, items: list[tuple[int, Decimal | None, int | None]]) -> None:
    """Amazon holds these (listing_id, price, quantity): one staged insert and one join."""
    if not items:
        return
    _stage_offers(conn, items)
    conn.execute(text(
        f"UPDATE {LISTING} l JOIN tmp_channel_ack a ON a.listing_id = l.listing_id"
        f" SET l.pushed_price = COALESCE(a.price, l.pushed_price), l.pushed_qty = a.qty, l.pushed_at = NOW()"))
    conn.execute(text("DELETE FROM tmp_channel_ack"))


def business_acknowledged(conn: Connection, items: Sequence[tuple[int, str | None]]) -> None:
    """Amazon holds these (listing_id, business offer text) business offers (None: none)."""
    if not items:
        return
    _stage_business(conn, items)
    conn.execute(text(f"UPDATE {LISTING} l JOIN tmp_channel_business a ON a.listing_id = l.listing_id"
                      f" SET l.pushed_business = a.business"))
    conn.execute(text("DELETE FROM tmp_channel_business"))


def _stage_business(conn: Connection, items: Sequence[tuple[int, str | None]]) -> None:
    """(listing_id, business offer text) into ``tmp_channel_business``, emptied first."""
    conn.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS tmp_channel_business (listing_id bigint UNSIGNED"
                      " NOT NULL PRIMARY KEY, business varchar(512) NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"))
    conn.execute(text("DELETE FROM tmp_channel_business"))
    cur = driver_connection(conn).cursor()
    try:
        for start in range(0, len(items), 5000):
            cur.executemany("INSERT INTO tmp_channel_business (listing_id, business) VALUES (%s, %s)"
                            " ON DUPLICATE KEY UPDATE business = VALUES(business)",
                            [(int(i), b) for i, b in items[start:start + 5000]])
    finally:
        cur.close()


def value_rejected(conn: Connection, listing_id: int, marker: str) -> None:
    """Amazon refused these values (``marker`` names them): not sent again until they change."""
    conn.execute(text(f"UPDATE {LISTING} SET submission_ref = :ref WHERE listing_id = :id"),
                 {"ref": marker, "id": listing_id})


def rejection_cleared(conn: Connection, listing_id: int, prefix: str) -> None:
    conn.execute(text(f"UPDATE {LISTING} SET submission_ref = NULL WHERE listing_id = :id"
                      f" AND submission_ref LIKE :p"), {"id": listing_id, "p": prefix + "%"})


def feed_submitted(conn: Connection, listing_ids: list[int], marker: str) -> None:
    """These listings' values travel in a feed (``marker``): not sent again meanwhile."""
    for start in range(0, len(listing_ids), 5000):
        conn.execute(_ids(f"UPDATE {LISTING} SET submission_ref = :f WHERE listing_id IN :ids"),
                     {"f": marker, "ids": listing_ids[start:start + 5000]})


def feed_settled(conn: Connection, marker: str) -> None:
    conn.execute(text(f"UPDATE {LISTING} SET submission_ref = NULL WHERE submission_ref = :f"), {"f": marker})


def attributes_imported(conn: Connection, listing_id: int, now: datetime) -> None:
    conn.execute(text(f"UPDATE {LISTING} SET attributes_imported_at = :t WHERE listing_id = :l"),
                 {"t": now, "l": listing_id})


# --- classification: Magento's facts for every product of the website --------------------------

FACTS = "tmp_channel_facts"
FACT_COLUMNS = ("product_id", "sku", "name", "enabled", "passes_rules", "qty", "price", "condition_type",
                "asin", "has_identifier", "is_parent", "eligible", "business")


def facts_reset(conn: Connection) -> None:
    # Dropped and made again (no commit, being temporary): emptying a million rows by DELETE
    # costs seconds.
    conn.execute(text(f"DROP TEMPORARY TABLE IF EXISTS {FACTS}"))
    conn.execute(text(
        f"CREATE TEMPORARY TABLE {FACTS} (product_id int UNSIGNED NOT NULL PRIMARY KEY,"
        f" sku varchar(64) NOT NULL, name varchar(500) NULL, enabled tinyint NOT NULL, passes_rules tinyint NOT NULL,"
        f" qty int NOT NULL, price decimal(20,4) NULL, condition_type varchar(32) NULL, asin varchar(16) NULL,"
        f" has_identifier tinyint NOT NULL, is_parent tinyint NOT NULL, eligible tinyint NOT NULL,"
        f" business varchar(512) NULL)"
        f" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"))


SCOPE = "tmp_channel_scope"


def facts_unread(conn: Connection, account_id: int) -> set[int]:
    """Products of the account's listings whose facts are not read yet: linked since the
    last classification (import, matching, a merchant's assignment)."""
    return {int(p) for p, in conn.execute(text(
        f"SELECT DISTINCT product_id FROM {LISTING} WHERE account_id = :a AND product_id IS NOT NULL"
        f" AND facts_at IS NULL"), {"a": account_id})}


def facts_scope(conn: Connection, product_ids: Iterable[int], add: bool = False) -> None:
    """The products a run reads (``classified(scoped=True)``): only their listings are
    compared with the staged facts; one of them with no facts staged left the website.
    ``add``: more of them, read after the others."""
    if not add:
        conn.execute(text(f"DROP TEMPORARY TABLE IF EXISTS {SCOPE}"))
        conn.execute(text(f"CREATE TEMPORARY TABLE {SCOPE} (product_id int UNSIGNED NOT NULL PRIMARY KEY) ENGINE=InnoDB"))
    load_rows(conn, SCOPE, ("product_id",), ((int(i),) for i in product_ids))


def facts_dropped(conn: Connection) -> None:
    """The staged facts are done with (a million rows are not left on a pooled connection)."""
    conn.execute(text(f"DROP TEMPORARY TABLE IF EXISTS {FACTS}"))
    conn.execute(text(f"DROP TEMPORARY TABLE IF EXISTS {SCOPE}"))


def facts_staged(conn: Connection) -> int:
    """How many products' facts are staged on ``conn`` (-1: none are, not even an empty set):
    staged rows go with a rolled-back transaction, and the table with the connection."""
    try:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {FACTS}")).scalar_one())
    except ProgrammingError:  # no such table on this connection
        return -1


def facts_stage(conn: Connection, rows: Iterable[tuple]) -> int:
    """Product facts (``FACT_COLUMNS``), consumed as they come, loaded in large chunks
    (``channel.db.load_rows``). Returns how many."""
    return load_rows(conn, FACTS, FACT_COLUMNS, rows)


def facts_stage_lines(conn: Connection, lines: Iterable[str]) -> int:
    """``facts_stage`` of rows already written as lines of ``LOAD DATA``'s text format
    (``channel.db.tsv_line``). Returns how many."""
    return load_lines(conn, FACTS, FACT_COLUMNS, lines)


def facts_stage_file(conn: Connection, path: str) -> int:
    """``facts_stage`` of a file of such lines (``channel.db.load_file``). Returns how many."""
    return load_file(conn, FACTS, FACT_COLUMNS, path)


def classified(conn: Connection, account_id: int, now: datetime, auto_publish: bool, scoped: bool = False,
               fresh_after: int | None = None) -> dict:
    """Apply the staged facts of every product of the account's website (``scoped``: of
    the products in ``facts_scope`` only): listings for the eligible products that have
    none, the facts of the others, products that left the website, then each listing's
    state. Only what changed is written. ``fresh_after``: the newest listing id when these
    facts were staged; a listing above it whose facts were read at ``now`` came in with
    these facts (an import of the same cycle) or later ones: its facts are not compared
    with them again (a million such listings: 0.9 s against 2.0-2.4 s)."""
    # The listings an import of this cycle wrote with these facts (those created here come
    # above them).
    params = {"a": account_id, "now": now, "fresh": fresh_after,
              "ours": None if fresh_after is None else newest_id(conn)}
    fresh = "" if fresh_after is None else \
        "NOT (l.listing_id > :fresh AND l.listing_id <= :ours AND l.facts_at <=> :now)"
    created = conn.execute(text(
        f"INSERT INTO {LISTING} (account_id, product_id, magento_sku, seller_sku, asin, product_name, tab, reason,"
        f" match_status, state_changed_at, in_website, enabled, passes_rules, has_identifier, is_parent, calc_price,"
        f" calc_qty, calc_condition, calc_business, facts_at)"
        f" SELECT :a, f.product_id, f.sku, f.sku, f.asin, f.name, '', '', IF(f.asin IS NULL, 'unresolved', 'matched'),"
        f" :now, 1, f.enabled, f.passes_rules, f.has_identifier, f.is_parent, f.price, f.qty, f.condition_type,"
        f" f.business, :now"
        f" FROM {FACTS} f LEFT JOIN {LISTING} l ON l.account_id = :a AND l.product_id = f.product_id"
        f" WHERE f.eligible = 1 AND l.listing_id IS NULL"
        # The SKU already on Amazon without its product: bound to it.
        f" ON DUPLICATE KEY UPDATE {LISTING}.product_id = VALUES(product_id),"
        f" {LISTING}.magento_sku = VALUES(magento_sku), {LISTING}.asin = COALESCE({LISTING}.asin, VALUES(asin)),"
        f" {LISTING}.facts_at = NULL"), params).rowcount
    same = ("l.in_website = 1 AND l.enabled = f.enabled AND l.passes_rules = f.passes_rules"
            " AND l.has_identifier = f.has_identifier AND l.is_parent = f.is_parent"
            " AND l.calc_price <=> COALESCE(rp.price, f.price)"
            " AND l.calc_qty <=> f.qty AND l.calc_condition <=> f.condition_type AND l.magento_sku <=> f.sku"
            f" AND l.calc_business <=> {_BUSINESS}"
            " AND l.product_name <=> f.name AND (l.asin IS NOT NULL OR f.asin IS NULL) AND l.facts_at IS NOT NULL")
    # One pass over the account's listings of products finds the few a run touches: those whose
    # facts changed, and those whose product left the website (none in a run that changes nothing).
    # A repriced listing keeps its repriced price while the price rule gives the same price.
    conn.execute(text(
        "CREATE TEMPORARY TABLE IF NOT EXISTS tmp_channel_touched (listing_id bigint UNSIGNED NOT NULL PRIMARY KEY,"
        " left_website tinyint NOT NULL) ENGINE=InnoDB"))
    conn.execute(text("DELETE FROM tmp_channel_touched"))
    conn.execute(text(
        f"INSERT INTO tmp_channel_touched (listing_id, left_website)"
        f" SELECT l.listing_id, f.product_id IS NULL FROM"
        f" {f'{SCOPE} sc JOIN {LISTING} l ON l.product_id = sc.product_id' if scoped else f'{LISTING} l'}"
        f" LEFT JOIN {FACTS} f ON f.product_id = l.product_id"
        f" {_REPRICED} WHERE l.account_id = :a AND l.product_id IS NOT NULL"
        + (f" AND {fresh}" if fresh else "")
        + f" AND IF(f.product_id IS NULL, l.in_website = 1 OR l.facts_at IS NULL, NOT ({same}))"), params)
    # Listings whose facts changed are decided on their new facts first, so that facts and
    # state are written together: one write per listing, not two.
    joined = (f"tmp_channel_touched c JOIN {LISTING} l ON l.listing_id = c.listing_id AND c.left_website = 0"
              f" JOIN {FACTS} f ON f.product_id = l.product_id {_REPRICED}")
    _decisions(conn, account_id, "", params, auto_publish, source=(
        f"(SELECT l.listing_id, l.account_id, l.product_id, l.match_status, l.tab, l.reason, l.reason_detail,"
        f" l.issue_text, l.ended_by_merchant, l.pending_action, l.amazon_status, l.amazon_issues,"
        f" l.fulfillment_channel, l.submitted_at, l.issue_suppressed, CAST(:now AS datetime) AS facts_at,"
        f" 1 AS in_website, f.enabled, f.passes_rules, f.qty AS calc_qty, f.is_parent, f.has_identifier,"
        f" COALESCE(l.asin, f.asin) AS asin, COALESCE(rp.price, f.price) AS calc_price,"
        f" f.condition_type AS calc_condition"
        f" FROM {joined})"))
    moved = _record_moves(conn, params)
    updated = conn.execute(text(
        f"UPDATE {joined} LEFT JOIN tmp_channel_decision t ON t.listing_id = l.listing_id"
        f" SET l.in_website = 1, l.enabled = f.enabled, l.passes_rules = f.passes_rules,"
        f" l.has_identifier = f.has_identifier, l.is_parent = f.is_parent, l.calc_price = COALESCE(rp.price, f.price),"
        f" l.calc_qty = f.qty, l.calc_condition = f.condition_type, l.calc_business = {_BUSINESS},"
        f" l.magento_sku = f.sku, l.product_name = f.name,"
        f" l.asin = COALESCE(l.asin, f.asin), l.facts_at = :now,"
        f" l.tab = IF(t.listing_id IS NULL, l.tab, t.tab), l.reason = IF(t.listing_id IS NULL, l.reason, t.reason),"
        f" l.reason_detail = IF(t.listing_id IS NULL, l.reason_detail, t.detail),"
        f" l.state_changed_at = IF(t.moved = 1, :now, l.state_changed_at)"), params).rowcount
    if moved:
        _count_moves(conn, account_id, now)
    conn.execute(text("DROP TEMPORARY TABLE IF EXISTS tmp_channel_decision"))  # all the rows of a first run
    left = conn.execute(text(
        f"UPDATE tmp_channel_touched c JOIN {LISTING} l ON l.listing_id = c.listing_id AND c.left_website = 1"
        f" SET l.in_website = 0, l.enabled = 0, l.passes_rules = 0, l.facts_at = :now"), params).rowcount
    conn.execute(text("DROP TEMPORARY TABLE IF EXISTS tmp_channel_touched"))
    moved += _decide(conn, account_id, now=now, auto_publish=auto_publish)
    facts_dropped(conn)
    return {"created": created, "updated": updated, "left_website": left, "changed": moved}


# --- dry run ----------------------------------------------------------------------------------

def dry_run_ended(conn: Connection, account_id: int, since: datetime) -> int:
    """The account's dry run (from ``since``) is over: what it recorded instead of sending is
    undone on the listings it touched, so the next cycle sends it for real. Offers the
    dry run "acknowledged" are compared with Amazon's own values again, submissions it
    answered go back to their queued action (publish, relist or end)."""
    touched = ("SELECT c.seller_sku, c.operation, c.body FROM channel_amazon_dry_run_call c JOIN ("
               "SELECT seller_sku, MAX(call_id) AS last FROM channel_amazon_dry_run_call WHERE account_id = :a"
               " AND created_at >= :since AND seller_sku IS NOT NULL GROUP BY seller_sku) d ON d.last = c.call_id")
    ended = "(t.operation = 'deleteListingsItem' OR (t.operation = 'patchListingsItem' AND t.body LIKE '%\"op\":\"delete\"%'))"
    params = {"a": account_id, "since": since}
    changed = conn.execute(text(
        f"UPDATE {LISTING} l JOIN ({touched}) t ON l.account_id = :a AND l.seller_sku = t.seller_sku"
        f" SET l.pushed_price = NULL, l.pushed_qty = NULL, l.pushed_business = NULL, l.pushed_at = NULL,"
        f" l.pending_action = CASE WHEN {ended} THEN 'end'"
        f" WHEN l.submission_ref LIKE 'dry-run-%' THEN IF(l.amazon_status IS NULL AND l.ended_by_merchant = 0,"
        f" 'publish', 'relist') ELSE l.pending_action END,"
        f" l.submitted_at = IF(l.submission_ref LIKE 'dry-run-%', NULL, l.submitted_at),"
        f" l.submission_ref = IF(l.submission_ref LIKE 'dry-run-%', NULL, l.submission_ref)"), params).rowcount
    _decide(conn, account_id, "l.seller_sku IN (SELECT seller_sku FROM channel_amazon_dry_run_call"
                              " WHERE account_id = :a AND created_at >= :since AND seller_sku IS NOT NULL)", params)
    return changed


def account_listings_dropped(conn: Connection, account_id: int, batch: int = 10_000) -> int:
    """A deleted account's listings leave the table (its orders stay), ``batch`` rows per
    transaction. Returns how many."""
    dropped = 0
    while True:
        n = conn.execute(text(f"DELETE FROM {LISTING} WHERE account_id = :a LIMIT :n"),
                         {"a": account_id, "n": batch}).rowcount
        conn.commit()
        dropped += n
        if n < batch:
            conn.execute(text("DELETE FROM channel_amazon_tab_count WHERE account_id = :a"), {"a": account_id})
            return dropped


def refresh_tab_counts(conn: Connection, account_id: int, now: datetime | None = None) -> None:
    """Keep the account's listings per tab (``channel_amazon_tab_count``) for the pages:
    one grouped read by the (account_id, tab) index and one replace."""
    now = now or _utcnow()
    conn.execute(text("DELETE FROM channel_amazon_tab_count WHERE account_id = :a"), {"a": account_id})
    conn.execute(text(
        f"INSERT INTO channel_amazon_tab_count (account_id, tab, listings, counted_at)"
        f" SELECT account_id, tab, COUNT(*), :t FROM {LISTING} WHERE account_id = :a GROUP BY account_id, tab"),
        {"a": account_id, "t": now})


def raw_name(conn: Connection) -> str:
    """The listing table's real name for raw cursors (Magento's table prefix)."""
    return tables.name(conn, LISTING)


# --- new ASINs: products Amazon creates (channel.new_asin) --------------------------------------

def new_asin_submitted(conn: Connection, account_id: int, product_ids: list[int], ref: str, now: datetime) -> None:
    """Sent to Amazon to create these products (no ASIN yet): recorded as submitted, so they
    show as in progress and are tracked until Amazon assigns the ASIN or raises issues."""
    for start in range(0, len(product_ids), 5000):
        chunk = product_ids[start:start + 5000]
        conn.execute(_ids(
            f"UPDATE {LISTING} SET submitted_at = :now, submission_ref = :ref, pending_action = NULL,"
            f" ended_by_merchant = 0, {_NO_ISSUES} WHERE account_id = :a AND product_id IN :ids"),
            {"now": now, "ref": ref[:64], "a": account_id, "ids": chunk})
        _decide(conn, account_id, "l.product_id IN :ids", {"ids": chunk}, now=now)


def new_asin_assigned(conn: Connection, account_id: int, product_id: int, asin: str, buyable: bool,
                      parent: bool = False) -> None:
    """Amazon created the product and assigned ``asin``. A buyable offer is Active; a
    variation parent (no offer of its own) is no longer tracked; the rest stay tracked
    until Amazon decides on the offer."""
    conn.execute(text(
        f"UPDATE {LISTING} SET asin = :asin, match_status = IF(match_status = 'no_match', 'matched', match_status),"
        f" amazon_status = IF(:buyable, 'BUYABLE', amazon_status),"
        f" submitted_at = IF(:buyable OR :parent, NULL, submitted_at) WHERE account_id = :a AND product_id = :p"),
        {"asin": asin, "buyable": int(buyable), "parent": int(parent), "a": account_id, "p": product_id})
    _decide(conn, account_id, "l.product_id = :p", {"p": product_id})


def new_asin_refused(conn: Connection, account_id: int, product_id: int, issues: list[dict]) -> None:
    """Amazon refused to create the product, with its issues: no longer in progress, back
    among the products that need the merchant (Incomplete), its issues kept on the row."""
    conn.execute(text(
        f"UPDATE {LISTING} SET submitted_at = NULL, submission_ref = NULL, {_SET_ISSUES}"
        f" WHERE account_id = :a AND product_id = :p AND amazon_status IS NULL"),
        {**_issue_values(issues), "a": account_id, "p": product_id})
    _decide(conn, account_id, "l.product_id = :p", {"p": product_id})
