"""Our tables, described once, and their names under Magento's table prefix.

The ``Table`` objects below are the SQLAlchemy Core description of every
``channel_amazon_*`` table as the migrations in ``sql/`` leave it: columns, types,
nullability, defaults, comments, keys and foreign keys (the triggers of migration 0014
live in SQL only). The migrations stay the DDL that runs; a test applies them and
compares the database they build with one built from these definitions, so the two
cannot drift. ORM models (``channel.models``) map these same tables.

A Magento install with a table prefix (``db/table_prefix`` in env.php) expects every
table in its database to carry it, ours included, so two installs can share one
database. Our SQL is written with the plain names (``channel_amazon_listing``); an
engine bound to a prefix rewrites them in every statement it sends, DDL and foreign
key names included (long ones hashed to 64 characters, as Magento does). Code that
writes through a raw DBAPI cursor asks ``name()`` for the table.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from typing import Any

from sqlalchemy import (
    Column,
    Computed,
    ForeignKeyConstraint,
    Index,
    Table,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.dialects.mysql import (
    BIGINT,
    CHAR,
    DATE,
    DATETIME,
    DECIMAL,
    INTEGER,
    LONGTEXT,
    SMALLINT,
    TEXT,
    TIMESTAMP,
    TINYINT,
    VARCHAR,
)
from sqlalchemy.engine import Connection, Engine

from channel.db import Base

metadata = Base.metadata
#: Table options every migration writes.
OPTIONS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_general_ci"}

#: The quantity a listing's offer sends (migration 0017): the one place this rule lives.
OFFER_QTY = """CASE WHEN fulfillment_channel <> 'DEFAULT' THEN NULL
    WHEN tab IN ('ineligible', 'ending_in_progress') THEN 0 ELSE COALESCE(calc_qty, 0) END"""

#: 1 while the wanted offer differs from the one Amazon acknowledged (migrations 0009, 0017,
#: 0025: price, quantity and business offer).
OFFER_DIRTY = """IF(
    amazon_status IS NOT NULL AND product_id IS NOT NULL AND tab IN ('active', 'inactive', 'ineligible')
    AND ((calc_price IS NOT NULL AND tab <> 'ineligible' AND NOT (calc_price <=> COALESCE(pushed_price, amazon_price)))
      OR (NOT (offer_qty <=> COALESCE(pushed_qty, amazon_qty)) AND fulfillment_channel = 'DEFAULT')
      OR (tab <> 'ineligible' AND NOT (calc_business <=> pushed_business))),
    1, NULL)"""

#: The seller SKU a log line is about: its prefix before ": " (migration 0016).
LOG_SKU = "IF(LOCATE(': ', message) BETWEEN 2 AND 256, LEFT(message, LOCATE(': ', message) - 1), NULL)"

account = Table(
    "channel_amazon_account", metadata,
    Column("account_id", INTEGER(unsigned=True), primary_key=True, autoincrement=True, comment="Account ID"),
    Column("name", VARCHAR(255), nullable=False, comment="Name the merchant gave the account"),
    Column("region", VARCHAR(2), nullable=False, comment="SP-API region: na, eu or fe"),
    Column("marketplace_id", VARCHAR(20), nullable=False, comment="Amazon marketplace id"),
    Column("seller_id", VARCHAR(32), nullable=False, comment="Amazon merchant (seller) id"),
    Column("lwa_client_id", VARCHAR(255), nullable=False, comment="Login with Amazon client id"),
    Column("lwa_client_secret_enc", TEXT(), nullable=False, comment="LWA client secret, encrypted"),
    Column("refresh_token_enc", TEXT(), nullable=False, comment="LWA refresh token, encrypted"),
    Column("secret_rotated_at", DATETIME(), comment="When the client secret was last rotated"),
    Column("website_id", SMALLINT(unsigned=True), nullable=False, comment="Magento website the account serves"),
    Column("status", VARCHAR(16), nullable=False, server_default="active", comment="active or paused"),
    Column("read_only", TINYINT(1), nullable=False, server_default=text("0"), comment="No state-changing Amazon call while set"),
    Column("read_only_reason", VARCHAR(255), comment="Why read-only mode is on"),
    Column("install_fingerprint", VARCHAR(64), comment="Hash of base URL and install the account was set up on"),
    Column("settings", LONGTEXT(), comment="Per-account settings as JSON"),
    Column("identifier_mapping", LONGTEXT(), comment="Amazon identifier to Magento attribute mapping as JSON"),
    Column("listing_rule", LONGTEXT(), comment="Listing rule condition tree as JSON"),
    Column("credential_status", VARCHAR(16), nullable=False, server_default="unchecked", comment="unchecked, ok or failed"),
    Column("credential_message", VARCHAR(1024), comment="Outcome of the last credential check"),
    Column("credential_checked_at", DATETIME(), comment="When credentials were last checked"),
    Column("sync_interval", INTEGER(unsigned=True), nullable=False, server_default=text("300"), comment="Seconds between sync cycles"),
    Column("last_sync_at", DATETIME(), comment="Start of the last finished cycle"),
    Column("last_sync_status", VARCHAR(16), comment="ok, failed or partial"),
    Column("last_sync_message", VARCHAR(1024), comment="Summary of the last cycle"),
    Column("next_sync_at", DATETIME(), comment="When the next cycle is due"),
    Column("order_cursor", DATETIME(), comment="Last-updated time of the newest imported order"),
    Column("orders_last_run_at", DATETIME(), comment="When the orders job last ran"),
    Column("orders_status", VARCHAR(16), comment="ok, failed, retry or skipped: outcome of the last orders run"),
    Column("orders_message", VARCHAR(1024), comment="What the last orders run did, or why it failed"),
    Column("orders_next_run_at", DATETIME(), comment="When the tick queues the orders job again"),
    Column("order_search_after", VARCHAR(32), comment="lastUpdatedAfter of the order search being paged through"),
    Column("order_search_token", TEXT(), comment="Next page token of that search (valid 24 hours)"),
    Column("order_search_saved_at", DATETIME(), comment="When the page token was saved"),
    Column("connected_at", DATETIME(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="When the account was connected"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="Created At"),
    Column("updated_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), comment="Updated At"),
    UniqueConstraint("seller_id", "marketplace_id", name="CHANNEL_AMAZON_ACCOUNT_SELLER_ID_MARKETPLACE_ID"),
    Index("CHANNEL_AMAZON_ACCOUNT_STATUS_NEXT_SYNC_AT", "status", "next_sync_at"),
    comment="Amazon seller accounts", **OPTIONS,
)

listing = Table(
    "channel_amazon_listing", metadata,
    Column("listing_id", BIGINT(unsigned=True), primary_key=True, autoincrement=True, comment="Listing ID"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, comment="Account ID"),
    Column("product_id", INTEGER(unsigned=True), comment="Magento product entity_id, NULL for unmatched third-party listings"),
    Column("magento_sku", VARCHAR(64), comment="Magento SKU"),
    Column("seller_sku", VARCHAR(255), nullable=False, comment="Amazon seller SKU"),
    Column("asin", VARCHAR(16), comment="Amazon ASIN"),
    Column("external_id", VARCHAR(64), comment="product-id from the listings report (ASIN, UPC, EAN, ISBN or GCID)"),
    Column("external_id_type", VARCHAR(8), comment="asin, upc, ean, isbn or gcid"),
    Column("product_name", VARCHAR(500), comment="Name in Magento or, for third party, on Amazon"),
    Column("match_status", VARCHAR(24), nullable=False, server_default="matched", comment="matched, no_match, multiple_matches, has_variants, third_party"),
    Column("match_candidates", VARCHAR(1024), comment="Candidate product ids as JSON when several match"),
    Column("matched_by", VARCHAR(16), comment="Identifier that matched: seller_sku, asin, upc, ean, isbn, gcid or manual"),
    Column("tab", VARCHAR(32), nullable=False, comment="Listing tab"),
    Column("reason", VARCHAR(64), nullable=False, comment="Stable reason code"),
    Column("reason_detail", TEXT(), comment="Amazon issue text or other detail"),
    Column("state_changed_at", DATETIME(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="When tab or reason last changed"),
    Column("amazon_status", VARCHAR(32), comment="BUYABLE, DISCOVERABLE or empty"),
    Column("amazon_issues", TEXT(), comment="Amazon issues as JSON"),
    Column("amazon_price", DECIMAL(20, 4), comment="Price on Amazon"),
    Column("amazon_qty", INTEGER(), comment="Quantity on Amazon"),
    Column("fulfillment_channel", VARCHAR(16), nullable=False, server_default="DEFAULT", comment="DEFAULT (merchant) or AMAZON_xx"),
    Column("listed_at", DATETIME(), comment="Open date on Amazon"),
    Column("pending_action", VARCHAR(16), comment="publish, end, relist or update waiting to be sent"),
    Column("ended_by_merchant", TINYINT(1), nullable=False, server_default=text("0"), comment="Ended by the merchant; never relisted by itself"),
    Column("submitted_at", DATETIME(), comment="When the last submission was sent"),
    Column("submission_ref", VARCHAR(64), comment="Feed id or submission id of the last submission"),
    Column("calc_price", DECIMAL(20, 4), comment="Price computed from Magento and settings"),
    Column("calc_qty", INTEGER(), comment="Quantity computed from Magento and settings"),
    Column("calc_condition", VARCHAR(32), comment="Amazon condition_type computed from Magento and settings"),
    Column("calc_business", VARCHAR(512), comment="Business offer computed from Magento and settings: price and quantity discounts as JSON"),
    Column("offer_qty", INTEGER(), Computed(OFFER_QTY, persisted=True), comment="Quantity the offer sends: none when fulfilled by Amazon, 0 while ineligible or ending"),
    Column("pushed_price", DECIMAL(20, 4), comment="Price Amazon last acknowledged"),
    Column("pushed_qty", INTEGER(), comment="Quantity Amazon last acknowledged"),
    Column("pushed_business", VARCHAR(512), comment="Business offer Amazon last acknowledged"),
    Column("pushed_at", DATETIME(), comment="When Amazon last acknowledged a push"),
    Column("seen_in_report_at", DATETIME(), comment="Last time the listing was in Amazon's report"),
    Column("attributes_imported_at", DATETIME(), comment="Last attribute import from Amazon"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="Created At"),
    Column("updated_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), comment="Updated At"),
    Column("offer_dirty", TINYINT(unsigned=True), Computed(OFFER_DIRTY, persisted=True), comment="1 while the wanted offer differs from the one Amazon acknowledged"),
    Column("in_website", TINYINT(1), nullable=False, server_default=text("1"), comment="The product is assigned to the account website"),
    Column("enabled", TINYINT(1), nullable=False, server_default=text("1"), comment="The product is enabled in Magento"),
    Column("passes_rules", TINYINT(1), nullable=False, server_default=text("1"), comment="The product passes the listing rule"),
    Column("has_identifier", TINYINT(1), nullable=False, server_default=text("0"), comment="An ASIN or a mapped barcode is known"),
    Column("is_parent", TINYINT(1), nullable=False, server_default=text("0"), comment="Configurable, grouped or bundle product"),
    Column("issue_text", TEXT(), comment="Amazon error issues as one line, from amazon_issues"),
    Column("issue_suppressed", TINYINT(1), nullable=False, server_default=text("0"), comment="An Amazon issue suppresses the listing"),
    Column("facts_at", DATETIME(), comment="When the Magento facts were last read; NULL until the first classification"),
    Index("CHANNEL_AMAZON_LISTING_ACCOUNT_ID_ASIN", "account_id", "asin"),
    Index("CHANNEL_AMAZON_LISTING_ACCOUNT_ID_MATCH_STATUS", "account_id", "match_status"),
    Index("CHANNEL_AMAZON_LISTING_ACCOUNT_ID_OFFER_DIRTY", "account_id", "offer_dirty"),
    Index("CHANNEL_AMAZON_LISTING_ACCOUNT_ID_PENDING_ACTION", "account_id", "pending_action"),
    Index("CHANNEL_AMAZON_LISTING_ACCOUNT_ID_PRODUCT_ID", "account_id", "product_id"),
    UniqueConstraint("account_id", "seller_sku", name="CHANNEL_AMAZON_LISTING_ACCOUNT_ID_SELLER_SKU"),
    Index("CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_CALC_PRICE", "account_id", "tab", "calc_price"),
    Index("CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_LISTING_ID", "account_id", "tab", "listing_id"),
    Index("CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_REASON_CALC_PRICE", "account_id", "tab", "reason", "calc_price"),
    Index("CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_SELLER_SKU", "account_id", "tab", "seller_sku"),
    Index("CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_STATE_CHANGED_AT", "account_id", "tab", "state_changed_at"),
    Index("CHANNEL_AMAZON_LISTING_PRODUCT_NAME_FULLTEXT", "product_name", mysql_prefix="FULLTEXT"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_LISTING_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Magento products bound to Amazon listings", **OPTIONS,
)

listing_change = Table(
    "channel_amazon_listing_change", metadata,
    Column("change_id", BIGINT(unsigned=True), primary_key=True, autoincrement=True, comment="Change ID"),
    Column("listing_id", BIGINT(unsigned=True), nullable=False, comment="Listing ID"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, comment="Account ID"),
    Column("from_tab", VARCHAR(32), comment="Tab before"),
    Column("to_tab", VARCHAR(32), nullable=False, comment="Tab after"),
    Column("from_reason", VARCHAR(64), comment="Reason before"),
    Column("to_reason", VARCHAR(64), nullable=False, comment="Reason after"),
    Column("detail", TEXT(), comment="Detail of the change"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="When the change happened"),
    Index("CHANNEL_AMAZON_LISTING_CHANGE_ACCOUNT_ID_CREATED_AT", "account_id", "created_at"),
    Index("CHANNEL_AMAZON_LISTING_CHANGE_LISTING_ID", "listing_id"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_LISTING_CHANGE_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Listing tab and reason history", **OPTIONS,
)

log = Table(
    "channel_amazon_log", metadata,
    Column("log_id", BIGINT(unsigned=True), primary_key=True, autoincrement=True, comment="Log ID"),
    Column("account_id", INTEGER(unsigned=True), comment="Account ID"),
    Column("level", VARCHAR(8), nullable=False, server_default="error", comment="error, warning or info"),
    Column("operation", VARCHAR(64), nullable=False, comment="SP-API operation or sync step"),
    Column("http_status", SMALLINT(unsigned=True), comment="HTTP status Amazon answered"),
    Column("error_code", VARCHAR(64), comment="Amazon error code"),
    Column("message", TEXT(), comment="Amazon error message or what happened"),
    Column("request_id", VARCHAR(64), comment="x-amzn-RequestId"),
    Column("job_id", VARCHAR(64), comment="Worker job id"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="When it happened"),
    Column("seller_sku", VARCHAR(255), Computed(LOG_SKU, persisted=True),
           comment='Seller SKU the line is about (its prefix before ": ")'),
    Index("CHANNEL_AMAZON_LOG_ACCOUNT_ID_CREATED_AT", "account_id", "created_at"),
    Index("CHANNEL_AMAZON_LOG_CREATED_AT", "created_at"),
    Index("CHANNEL_AMAZON_LOG_ACCOUNT_ID_SELLER_SKU_LOG_ID", "account_id", "seller_sku", "log_id"),
    comment="Communication log with Amazon", **OPTIONS,
)

trend = Table(
    "channel_amazon_trend", metadata,
    Column("trend_id", BIGINT(unsigned=True), primary_key=True, autoincrement=True, comment="Trend ID"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, comment="Account ID"),
    Column("day", DATE(), nullable=False, comment="Day of the snapshot"),
    Column("tab_counts", VARCHAR(2048), nullable=False, server_default="{}", comment="Listings per tab as JSON, last snapshot of the day"),
    Column("orders", INTEGER(unsigned=True), nullable=False, server_default=text("0"), comment="Amazon orders purchased that day"),
    Column("units", INTEGER(unsigned=True), nullable=False, server_default=text("0"), comment="Units ordered that day"),
    Column("revenue", DECIMAL(20, 4), nullable=False, server_default=text("0"), comment="Order totals that day"),
    Column("updated_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), comment="Last snapshot"),
    UniqueConstraint("account_id", "day", name="CHANNEL_AMAZON_TREND_ACCOUNT_ID_DAY"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_TREND_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Daily listing and sales snapshots", **OPTIONS,
)

feed = Table(
    "channel_amazon_feed", metadata,
    Column("feed_id", VARCHAR(64), primary_key=True, comment="Amazon feed id"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, comment="Account ID"),
    Column("kind", VARCHAR(16), nullable=False, comment="price_stock, publish or end"),
    Column("status", VARCHAR(16), nullable=False, server_default="submitted", comment="submitted, done or fatal"),
    Column("messages", LONGTEXT(), nullable=False, comment="messageId to listing id, price and quantity sent, as JSON"),
    Column("message_count", INTEGER(unsigned=True), nullable=False, comment="Messages in the feed"),
    Column("accepted", INTEGER(unsigned=True), comment="Messages Amazon accepted"),
    Column("rejected", INTEGER(unsigned=True), comment="Messages Amazon rejected"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="Submitted At"),
    Column("processed_at", DATETIME(), comment="When the processing report was applied"),
    Column("report_attempts", INTEGER(unsigned=True), nullable=False, server_default=text("0"), comment="Processing reports that could not be read"),
    Column("verified", INTEGER(unsigned=True), comment="Messages confirmed one by one with getListingsItem"),
    Index("CHANNEL_AMAZON_FEED_ACCOUNT_ID_STATUS", "account_id", "status"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_FEED_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Listings feeds in flight", **OPTIONS,
)

order = Table(
    "channel_amazon_order", metadata,
    Column("order_id", INTEGER(unsigned=True), primary_key=True, autoincrement=True, comment="Order ID"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, comment="Account ID"),
    Column("amazon_order_id", VARCHAR(32), nullable=False, comment="Amazon order id"),
    Column("amazon_status", VARCHAR(32), nullable=False, comment="Amazon fulfillment status"),
    Column("fulfilled_by", VARCHAR(16), nullable=False, server_default="MERCHANT", comment="MERCHANT or AMAZON"),
    Column("purchase_date", DATETIME(), nullable=False, comment="When the buyer ordered"),
    Column("last_update_date", DATETIME(), nullable=False, comment="Amazon last-updated time"),
    Column("currency", VARCHAR(3), comment="Currency code"),
    Column("order_total", DECIMAL(20, 4), comment="Grand total"),
    Column("buyer_name", TEXT(), comment="Buyer name, encrypted (restricted data)"),
    Column("buyer_email", TEXT(), comment="Buyer email, encrypted (restricted data)"),
    Column("shipping_address", TEXT(), comment="Delivery address as JSON, encrypted (restricted data)"),
    Column("magento_status", VARCHAR(16), nullable=False, server_default="pending", comment="pending, offered, created, failed or skipped"),
    Column("magento_order_id", INTEGER(unsigned=True), comment="sales_order.entity_id once created"),
    Column("magento_increment_id", VARCHAR(50), comment="Magento order number once created"),
    Column("magento_failure_reason", VARCHAR(32), comment="product_missing, product_disabled, out_of_stock, address_invalid or other"),
    Column("magento_failure_message", TEXT(), comment="What the merchant can do"),
    Column("magento_attempts", SMALLINT(unsigned=True), nullable=False, server_default=text("0"), comment="Creation attempts so far"),
    Column("shipment_status", VARCHAR(16), nullable=False, server_default="none", comment="none, confirmed or failed"),
    Column("shipment_message", VARCHAR(1024), comment="Outcome of the shipment confirmation"),
    Column("shipment_confirmed_at", DATETIME(), comment="When Amazon accepted the shipment"),
    Column("closed_at", DATETIME(), comment="When Amazon first reported the order shipped or cancelled"),
    Column("buyer_data_purged_at", DATETIME(), comment="When the buyer data was deleted"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="Imported At"),
    Column("updated_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), comment="Updated At"),
    UniqueConstraint("account_id", "amazon_order_id", name="CHANNEL_AMAZON_ORDER_ACCOUNT_ID_AMAZON_ORDER_ID"),
    Index("CHANNEL_AMAZON_ORDER_ACCOUNT_ID_PURCHASE_DATE", "account_id", "purchase_date"),
    Index("CHANNEL_AMAZON_ORDER_AMAZON_STATUS_PURCHASE_DATE", "amazon_status", "purchase_date"),
    Index("CHANNEL_AMAZON_ORDER_CLOSED_AT", "closed_at"),
    Index("CHANNEL_AMAZON_ORDER_FULFILLED_BY_PURCHASE_DATE", "fulfilled_by", "purchase_date"),
    Index("CHANNEL_AMAZON_ORDER_MAGENTO_ORDER_ID", "magento_order_id"),
    Index("CHANNEL_AMAZON_ORDER_MAGENTO_STATUS_PURCHASE_DATE", "magento_status", "purchase_date"),
    Index("CHANNEL_AMAZON_ORDER_ORDER_TOTAL", "order_total"),
    Index("CHANNEL_AMAZON_ORDER_PURCHASE_DATE", "purchase_date"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_ORDER_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Amazon orders", **OPTIONS,
)

order_item = Table(
    "channel_amazon_order_item", metadata,
    Column("item_id", INTEGER(unsigned=True), primary_key=True, autoincrement=True, comment="Item ID"),
    Column("order_id", INTEGER(unsigned=True), nullable=False, comment="Order ID"),
    Column("amazon_order_item_id", VARCHAR(64), nullable=False, comment="Amazon order item id"),
    Column("seller_sku", VARCHAR(255), nullable=False, comment="Seller SKU"),
    Column("asin", VARCHAR(16), comment="ASIN"),
    Column("product_id", INTEGER(unsigned=True), comment="Magento product entity_id"),
    Column("magento_sku", VARCHAR(64), comment="Magento SKU"),
    Column("title", VARCHAR(500), comment="Title on Amazon"),
    Column("qty_ordered", INTEGER(unsigned=True), nullable=False, comment="Quantity ordered"),
    Column("price", DECIMAL(20, 4), comment="Unit price"),
    UniqueConstraint("order_id", "amazon_order_item_id", name="CHANNEL_AMAZON_ORDER_ITEM_ORDER_ID_AMAZON_ORDER_ITEM_ID"),
    ForeignKeyConstraint(["order_id"], ["channel_amazon_order.order_id"], name="CHANNEL_AMAZON_ORDER_ITEM_ORDER_ID_CHANNEL_AMAZON_ORDER", ondelete="CASCADE"),
    comment="Amazon order items", **OPTIONS,
)

reservation = Table(
    "channel_amazon_reservation", metadata,
    Column("reservation_id", INTEGER(unsigned=True), primary_key=True, autoincrement=True, comment="Ledger ID"),
    Column("item_id", INTEGER(unsigned=True), nullable=False, comment="Order item the stock is held for"),
    Column("kind", VARCHAR(16), nullable=False, comment="reserve, release_cancel or release_created"),
    Column("stock_model", VARCHAR(8), nullable=False, comment="msi or legacy"),
    Column("stock_id", INTEGER(unsigned=True), nullable=False, comment="MSI stock id, or 1 for legacy stock"),
    Column("sku", VARCHAR(64), nullable=False, comment="Magento SKU"),
    Column("quantity", DECIMAL(12, 4), nullable=False, comment="Signed quantity written"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="Written At"),
    UniqueConstraint("item_id", "kind", name="CHANNEL_AMAZON_RESERVATION_ITEM_ID_KIND"),
    ForeignKeyConstraint(["item_id"], ["channel_amazon_order_item.item_id"], name="CHANNEL_AMAZON_RESERVATION_ITEM_ID_CHANNEL_AMAZON_ORDER_ITEM", ondelete="CASCADE"),
    comment="Stock reserved for Amazon orders, once per item", **OPTIONS,
)

alert = Table(
    "channel_amazon_alert", metadata,
    Column("alert_id", INTEGER(unsigned=True), primary_key=True, autoincrement=True, comment="Alert ID"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, server_default=text("0"), comment="Account ID, 0 for the whole installation"),
    Column("code", VARCHAR(64), nullable=False, comment="Stable code, e.g. report_held, rule_invalid, credentials_rejected"),
    Column("severity", VARCHAR(16), nullable=False, server_default="error", comment="error or warning"),
    Column("message", VARCHAR(1024), nullable=False, comment="What happened, in the merchant's words"),
    Column("action", VARCHAR(1024), nullable=False, server_default="", comment="What to do about it"),
    Column("details", TEXT(), comment="JSON with the facts behind the alert"),
    Column("started_at", DATETIME(), nullable=False, comment="When the cause was first seen"),
    Column("updated_at", DATETIME(), nullable=False, comment="When the cause was last seen"),
    Column("cleared_at", DATETIME(), comment="When the cause went away; NULL while active"),
    Column("active_key", TINYINT(unsigned=True), Computed("IF(cleared_at IS NULL, 1, NULL)", persisted=True), comment="1 while active, for uniqueness"),
    UniqueConstraint("account_id", "code", "active_key", name="CHANNEL_AMAZON_ALERT_ACCOUNT_ID_CODE_ACTIVE_KEY"),
    Index("CHANNEL_AMAZON_ALERT_CLEARED_AT", "cleared_at"),
    comment="Alerts the merchant sees in the admin", **OPTIONS,
)

sync_step = Table(
    "channel_amazon_sync_step", metadata,
    Column("account_id", INTEGER(unsigned=True), primary_key=True, comment="Account ID"),
    Column("step", VARCHAR(32), primary_key=True, comment="import, match, asin_lookup, classify, publish, attributes, price_stock, record"),
    Column("status", VARCHAR(16), nullable=False, comment="ok, held, failed, retry or skipped"),
    Column("message", VARCHAR(1024), nullable=False, server_default="", comment="Outcome in words"),
    Column("started_at", DATETIME(), nullable=False, comment="When the step last ran"),
    Column("finished_at", DATETIME(), comment="When the step last finished"),
    Column("last_ok_at", DATETIME(), comment="When the step last succeeded"),
    Column("failures", INTEGER(unsigned=True), nullable=False, server_default=text("0"), comment="Failures in a row"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_SYNC_STEP_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Outcome of each step of the sync cycle", **OPTIONS,
)

held_report = Table(
    "channel_amazon_held_report", metadata,
    Column("held_report_id", INTEGER(unsigned=True), primary_key=True, autoincrement=True, comment="Held Report ID"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, comment="Account ID"),
    Column("report_id", VARCHAR(64), nullable=False, comment="Amazon report id"),
    Column("document_id", VARCHAR(255), nullable=False, comment="Amazon report document id"),
    Column("reason", VARCHAR(32), nullable=False, comment="truncated, short_row, too_few_rows or empty"),
    Column("message", VARCHAR(1024), nullable=False, comment="Why the report was held, in words"),
    Column("rows_read", INTEGER(unsigned=True), nullable=False, server_default=text("0"), comment="Complete rows in the report"),
    Column("rows_expected", INTEGER(unsigned=True), nullable=False, server_default=text("0"), comment="Listings live on Amazon as we knew them"),
    Column("held_at", DATETIME(), nullable=False, comment="When the report was held"),
    Column("accepted_at", DATETIME(), comment="When the merchant accepted it"),
    Column("accepted_by", VARCHAR(255), comment="Admin user who accepted it"),
    Column("applied_at", DATETIME(), comment="When an accepted report was applied"),
    Column("superseded_at", DATETIME(), comment="When a later complete report made it moot"),
    Index("CHANNEL_AMAZON_HELD_REPORT_ACCOUNT_ID", "account_id"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_HELD_REPORT_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Listings reports held back", **OPTIONS,
)

shipment = Table(
    "channel_amazon_shipment", metadata,
    Column("shipment_id", INTEGER(unsigned=True), primary_key=True, autoincrement=True, comment="Shipment ID"),
    Column("order_id", INTEGER(unsigned=True), nullable=False, comment="Amazon order (channel_amazon_order.order_id)"),
    Column("magento_shipment_id", INTEGER(unsigned=True), nullable=False, comment="sales_shipment.entity_id"),
    Column("package_reference_id", VARCHAR(20), nullable=False, comment="Positive number identifying the package within the order"),
    Column("carrier_code", VARCHAR(64), nullable=False, comment="Amazon carrier code"),
    Column("carrier_name", VARCHAR(255), comment="Carrier name, sent when the carrier code is Other"),
    Column("shipping_method", VARCHAR(255), comment="Shipping method"),
    Column("tracking_number", VARCHAR(255), nullable=False, comment="Tracking number"),
    Column("ship_date", DATETIME(), nullable=False, comment="When the package was shipped (UTC)"),
    Column("items", TEXT(), nullable=False, comment="Amazon order item ids and quantities in the package, as JSON"),
    Column("status", VARCHAR(16), nullable=False, server_default="pending", comment="pending, unknown (sent, outcome not known), confirmed, failed or skipped (nothing left to ship)"),
    Column("message", VARCHAR(1024), comment="Outcome as Amazon gave it"),
    Column("attempts", SMALLINT(unsigned=True), nullable=False, server_default=text("0"), comment="Confirmations sent"),
    Column("sent_at", DATETIME(), comment="When the last confirmation was sent"),
    Column("confirmed_at", DATETIME(), comment="When Amazon accepted or showed the package"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="Created At"),
    Column("updated_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), comment="Updated At"),
    UniqueConstraint("order_id", "package_reference_id", name="CHANNEL_AMAZON_SHIPMENT_ORDER_ID_PACKAGE_REFERENCE_ID"),
    Index("CHANNEL_AMAZON_SHIPMENT_STATUS", "status"),
    ForeignKeyConstraint(["order_id"], ["channel_amazon_order.order_id"], name="CHANNEL_AMAZON_SHIPMENT_ORDER_ID_CHANNEL_AMAZON_ORDER", ondelete="CASCADE"),
    comment="Packages confirmed to Amazon", **OPTIONS,
)

tab_count = Table(
    "channel_amazon_tab_count", metadata,
    Column("account_id", INTEGER(unsigned=True), primary_key=True, comment="Account ID"),
    Column("tab", VARCHAR(32), primary_key=True, comment="Stored tab (state) of the listings"),
    Column("listings", INTEGER(unsigned=True), nullable=False, server_default=text("0"), comment="Listings in the tab"),
    Column("counted_at", DATETIME(), nullable=False, comment="When the count was taken"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_TAB_COUNT_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Listings per tab, kept", **OPTIONS,
)

product_feed = Table(
    "channel_amazon_product_feed", metadata,
    Column("seq", BIGINT(unsigned=True), primary_key=True, autoincrement=True, comment="Order of arrival"),
    Column("product_id", INTEGER(unsigned=True), nullable=False, comment="Magento product entity ID; 0: every product"),
    Column("logged_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"),
           comment="When the indexer appended it"),
    comment="Changed Magento products, as the indexer hands them on", **OPTIONS,
)

feed_cursor = Table(
    "channel_amazon_feed_cursor", metadata,
    Column("account_id", INTEGER(unsigned=True), primary_key=True, autoincrement=False, comment="Account ID"),
    Column("feed_seq", BIGINT(unsigned=True), nullable=False, server_default=text("0"),
           comment="Feed rows up to this one are read"),
    Column("whole_seq", BIGINT(unsigned=True), nullable=False, server_default=text("0"),
           comment="Feed rows up to this one were there before the last whole read"),
    Column("fingerprint", CHAR(64), nullable=False, comment="Settings, rules and Magento configuration the last read used"),
    Column("full_at", DATETIME(), nullable=False, comment="When every product of the website was last read"),
    Column("read_at", DATETIME(), nullable=False, comment="When the last read was taken"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"],
                         name="CHANNEL_AMAZON_FEED_CURSOR_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="How far each account has read the product feed", **OPTIONS,
)

order_event = Table(
    "channel_amazon_order_event", metadata,
    Column("event_id", BIGINT(unsigned=True), primary_key=True, autoincrement=True, comment="Event ID"),
    Column("order_id", INTEGER(unsigned=True), nullable=False, comment="Amazon order (channel_amazon_order.order_id)"),
    Column("subject", VARCHAR(16), nullable=False, comment="amazon, magento, shipment or package"),
    Column("reference", VARCHAR(32), comment="Package reference for package events"),
    Column("from_status", VARCHAR(32), comment="Status before (NULL when the order or package was new)"),
    Column("to_status", VARCHAR(32), nullable=False, comment="Status after"),
    Column("attempts", SMALLINT(unsigned=True), comment="Creation attempts or confirmations sent so far"),
    Column("reason", VARCHAR(32), comment="Failure reason code at the time"),
    Column("detail", VARCHAR(1024), comment="Message at the time"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="When it happened"),
    Index("CHANNEL_AMAZON_ORDER_EVENT_ORDER_ID_EVENT_ID", "order_id", "event_id"),
    ForeignKeyConstraint(["order_id"], ["channel_amazon_order.order_id"], name="CHANNEL_AMAZON_ORDER_EVENT_ORDER_ID_CHANNEL_AMAZON_ORDER", ondelete="CASCADE"),
    comment="What happened to an Amazon order", **OPTIONS,
)

dry_run_call = Table(
    "channel_amazon_dry_run_call", metadata,
    Column("call_id", BIGINT(unsigned=True), primary_key=True, autoincrement=True, comment="Call ID"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, comment="Account ID"),
    Column("operation", VARCHAR(64), nullable=False, comment="SP-API operation, or the feed document upload"),
    Column("method", VARCHAR(8), nullable=False, comment="HTTP method"),
    Column("path", VARCHAR(1024), nullable=False, comment="Path (and query) the call would have gone to"),
    Column("seller_sku", VARCHAR(255), comment="Seller SKU a listings call is about"),
    Column("body", LONGTEXT(), comment="Request body as it would have been sent"),
    Column("job_id", VARCHAR(64), comment="Worker job id"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="When the call was recorded"),
    Index("CHANNEL_AMAZON_DRY_RUN_CALL_ACCOUNT_ID_CALL_ID", "account_id", "call_id"),
    Index("CHANNEL_AMAZON_DRY_RUN_CALL_ACCOUNT_ID_SELLER_SKU_CALL_ID", "account_id", "seller_sku", "call_id"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_DRY_RUN_CALL_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Amazon calls recorded instead of sent in dry run", **OPTIONS,
)

notification_subscription = Table(
    "channel_amazon_notification_subscription", metadata,
    Column("account_id", INTEGER(unsigned=True), primary_key=True, autoincrement=False, comment="Account ID"),
    Column("enabled", TINYINT(unsigned=True), nullable=False, server_default=text("0"), comment="The merchant wants notifications for this account"),
    Column("queue_arn", VARCHAR(1000), comment="ARN of the SQS queue Amazon delivers to"),
    Column("queue_url", VARCHAR(1000), comment="URL of that queue, as the worker reads it"),
    Column("destination_id", VARCHAR(64), comment="Amazon destination of the queue"),
    Column("subscriptions", TEXT(), comment="JSON: notification type to Amazon subscription id"),
    Column("status", VARCHAR(16), nullable=False, server_default=text("'off'"), comment="off, pending, live or fallback"),
    Column("status_message", VARCHAR(1024), comment="Why the status is what it is"),
    Column("last_event_at", DATETIME(), comment="When the last notification for the account was applied"),
    Column("last_poll_at", DATETIME(), comment="When the queue last answered the worker"),
    Column("checked_at", DATETIME(), comment="When the subscriptions were last confirmed with Amazon"),
    Column("updated_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), comment="Last change"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_NOTIFICATION_SUBSCRIPTION_ACCOUNT_ID", ondelete="CASCADE"),
    comment="Notification subscription per account", **OPTIONS,
)

notification = Table(
    "channel_amazon_notification", metadata,
    Column("notification_id", VARCHAR(64), primary_key=True, comment="Amazon NotificationId"),
    Column("account_id", INTEGER(unsigned=True), comment="Account ID, NULL when no account matched"),
    Column("notification_type", VARCHAR(64), nullable=False, comment="Amazon notification type"),
    Column("event_time", DATETIME(fsp=3), comment="EventTime of the notification"),
    Column("outcome", VARCHAR(32), nullable=False, comment="applied, stale, unknown_listing, unknown_account, ignored"),
    Column("applied_at", DATETIME(), nullable=False, comment="When it was applied"),
    Index("CHANNEL_AMAZON_NOTIFICATION_APPLIED_AT", "applied_at"),
    Index("CHANNEL_AMAZON_NOTIFICATION_ACCOUNT_ID_APPLIED_AT", "account_id", "applied_at"),
    Index("CHANNEL_AMAZON_NOTIFICATION_ACCOUNT_ID_TYPE_APPLIED_AT", "account_id", "notification_type", "applied_at"),
    comment="Notifications applied, once each", **OPTIONS,
)

listing_event = Table(
    "channel_amazon_listing_event", metadata,
    Column("account_id", INTEGER(unsigned=True), primary_key=True, autoincrement=False, comment="Account ID"),
    Column("seller_sku", VARCHAR(255), primary_key=True, comment="Amazon seller SKU"),
    Column("notification_type", VARCHAR(64), primary_key=True, comment="Amazon notification type"),
    Column("event_time", DATETIME(fsp=3), nullable=False, comment="EventTime of the newest notification applied"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_LISTING_EVENT_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Newest notification applied per listing", **OPTIONS,
)

product_type = Table(
    "channel_amazon_product_type", metadata,
    Column("product_type_id", INTEGER(unsigned=True), primary_key=True, autoincrement=True, comment="Product type definition ID"),
    Column("marketplace_id", VARCHAR(20), nullable=False, comment="Amazon marketplace id"),
    Column("product_type", VARCHAR(64), nullable=False, comment="Amazon product type name, e.g. SHIRT"),
    Column("locale", VARCHAR(16), nullable=False, comment="Locale of the definition, e.g. en_US"),
    Column("requirements", VARCHAR(32), nullable=False, server_default="LISTING", comment="LISTING, LISTING_PRODUCT_ONLY or LISTING_OFFER_ONLY"),
    Column("display_name", VARCHAR(255), comment="Amazon's name of the product type"),
    Column("version", VARCHAR(64), nullable=False, comment="productTypeVersion.version of the definition"),
    Column("schema_checksum", VARCHAR(64), comment="Base64 MD5 of the schema document"),
    Column("schema_json", LONGTEXT(), nullable=False, comment="The product type JSON schema"),
    Column("property_groups", LONGTEXT(), comment="Property groups of the definition as JSON"),
    Column("fetched_at", DATETIME(), nullable=False, comment="When the definition was fetched from Amazon"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="Created At"),
    Column("updated_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), comment="Updated At"),
    UniqueConstraint("marketplace_id", "product_type", "locale", "requirements",
                     name="CHANNEL_AMAZON_PRODUCT_TYPE_MARKETPLACE_PRODUCT_TYPE_LOCALE_REQS"),
    comment="Amazon product type definitions, cached", **OPTIONS,
)

attribute_map = Table(
    "channel_amazon_attribute_map", metadata,
    Column("attribute_map_id", INTEGER(unsigned=True), primary_key=True, autoincrement=True, comment="Attribute mapping ID"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, comment="Account ID"),
    Column("product_type", VARCHAR(64), nullable=False, comment="Amazon product type name"),
    Column("amazon_attribute", VARCHAR(128), nullable=False, comment="Amazon attribute, or attribute.member (e.g. externally_assigned_product_identifier.type)"),
    Column("source", VARCHAR(16), nullable=False, comment="attribute, fixed or template"),
    Column("value", TEXT(), comment="Magento attribute code, fixed value, or template such as {{brand}} {{name}}"),
    Column("value_map", TEXT(), comment="Magento option label to Amazon enum value, as JSON"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="Created At"),
    Column("updated_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), comment="Updated At"),
    UniqueConstraint("account_id", "product_type", "amazon_attribute", name="CHANNEL_AMAZON_ATTR_MAP_ACCOUNT_ID_PRODUCT_TYPE_AMAZON_ATTRIBUTE"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_ATTRIBUTE_MAP_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Amazon attributes mapped to Magento per account and product type", **OPTIONS,
)

new_asin = Table(
    "channel_amazon_new_asin", metadata,
    Column("new_asin_id", BIGINT(unsigned=True), primary_key=True, autoincrement=True, comment="New ASIN request ID"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, comment="Account ID"),
    Column("product_id", INTEGER(unsigned=True), nullable=False, comment="Magento product entity_id"),
    Column("seller_sku", VARCHAR(255), nullable=False, comment="Seller SKU the product is created under"),
    Column("product_type", VARCHAR(64), nullable=False, comment="Amazon product type"),
    Column("role", VARCHAR(8), nullable=False, server_default="single", comment="single, parent (a configurable product) or child"),
    Column("parent_sku", VARCHAR(255), comment="Seller SKU of the variation parent, for a child"),
    Column("variation_theme", VARCHAR(64), comment="Variation theme of the family"),
    Column("status", VARCHAR(16), nullable=False, server_default="queued", comment="queued, invalid, restricted, submitted, assigned or refused"),
    Column("issues", LONGTEXT(), comment="What stops it, as JSON: [{attribute, message, code, source}]"),
    Column("submission_ref", VARCHAR(64), comment="Submission id, or feed:<feed id> for a listings feed"),
    Column("asin", VARCHAR(16), comment="The ASIN Amazon assigned"),
    Column("checked_at", DATETIME(), comment="When it was last validated"),
    Column("submitted_at", DATETIME(), comment="When it was sent to Amazon"),
    Column("assigned_at", DATETIME(), comment="When Amazon's ASIN was seen"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="Created At"),
    Column("updated_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), comment="Updated At"),
    UniqueConstraint("account_id", "product_id", name="CHANNEL_AMAZON_NEW_ASIN_ACCOUNT_ID_PRODUCT_ID"),
    UniqueConstraint("account_id", "seller_sku", name="CHANNEL_AMAZON_NEW_ASIN_ACCOUNT_ID_SELLER_SKU"),
    Index("CHANNEL_AMAZON_NEW_ASIN_ACCOUNT_ID_STATUS", "account_id", "status"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_NEW_ASIN_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Magento products on their way to a new ASIN", **OPTIONS,
)

new_asin_rule = Table(
    "channel_amazon_new_asin_rule", metadata,
    Column("account_id", INTEGER(unsigned=True), primary_key=True, autoincrement=False, comment="Account ID"),
    Column("product_type", VARCHAR(64), primary_key=True, comment="Amazon product type the chosen products are created under"),
    Column("rule", LONGTEXT(), nullable=False, comment="Condition tree as JSON, in the listing rules' language"),
    Column("created_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="Created At"),
    Column("updated_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), comment="Updated At"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_NEW_ASIN_RULE_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT", ondelete="CASCADE"),
    comment="Rules choosing products for a new ASIN", **OPTIONS,
)

repricing_rule = Table(
    "channel_amazon_repricing_rule", metadata,
    Column("account_id", INTEGER(unsigned=True), primary_key=True, autoincrement=False, comment="Account ID"),
    Column("rule", TEXT(), nullable=False, comment="JSON: strategy, floor, ceiling and what to do without competitor or at the floor"),
    Column("updated_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"), comment="Last change"),
    Column("last_run_at", DATETIME(), comment="When the last scheduled run finished"),
    Column("last_run_status", VARCHAR(16), comment="ok or failed"),
    Column("last_run_message", VARCHAR(1024), comment="What the last run did, or why it failed"),
    Column("failures", SMALLINT(unsigned=True), nullable=False, server_default=text("0"), comment="Failed runs in a row"),
    Column("next_run_at", DATETIME(), comment="When the next run is due"),
    Index("CHANNEL_AMAZON_REPRICING_RULE_NEXT_RUN_AT", "next_run_at"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_REPRICING_RULE_ACCOUNT_ID", ondelete="CASCADE"),
    comment="Repricing rule per account", **OPTIONS,
)

competition = Table(
    "channel_amazon_competition", metadata,
    Column("account_id", INTEGER(unsigned=True), primary_key=True, autoincrement=False, comment="Account ID"),
    Column("asin", VARCHAR(16), primary_key=True, comment="ASIN"),
    Column("buybox_price", DECIMAL(20, 4), comment="Buy Box listing price held by another seller"),
    Column("buybox_fba", TINYINT(unsigned=True), comment="1 when that seller ships with Amazon"),
    Column("buybox_ours", TINYINT(unsigned=True), nullable=False, server_default=text("0"), comment="1 when the account holds the Buy Box"),
    Column("lowest_fba", DECIMAL(20, 4), comment="Lowest landed price of other sellers fulfilled by Amazon"),
    Column("lowest_mfn", DECIMAL(20, 4), comment="Lowest landed price of other merchant-fulfilled sellers"),
    Column("offers", SMALLINT(unsigned=True), nullable=False, server_default=text("0"), comment="Other sellers offers seen"),
    Column("source", VARCHAR(32), nullable=False, comment="getItemOffersBatch or ANY_OFFER_CHANGED"),
    Column("observed_at", DATETIME(fsp=3), nullable=False, comment="When Amazon saw these offers"),
    ForeignKeyConstraint(["account_id"], ["channel_amazon_account.account_id"], name="CHANNEL_AMAZON_COMPETITION_ACCOUNT_ID", ondelete="CASCADE"),
    comment="Competing offers per ASIN", **OPTIONS,
)

repricing = Table(
    "channel_amazon_repricing", metadata,
    Column("listing_id", BIGINT(unsigned=True), primary_key=True, autoincrement=False, comment="Listing ID"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, comment="Account ID"),
    Column("price_source", DECIMAL(20, 4), nullable=False, comment="The price rule price the decision started from"),
    Column("price", DECIMAL(20, 4), nullable=False, comment="The price decided"),
    Column("decided_at", DATETIME(), nullable=False, comment="When"),
    Index("CHANNEL_AMAZON_REPRICING_ACCOUNT_ID", "account_id"),
    comment="Repriced offer price per listing", **OPTIONS,
)

repricing_decision = Table(
    "channel_amazon_repricing_decision", metadata,
    Column("decision_id", BIGINT(unsigned=True), primary_key=True, autoincrement=True, comment="Decision ID"),
    Column("account_id", INTEGER(unsigned=True), nullable=False, comment="Account ID"),
    Column("listing_id", BIGINT(unsigned=True), nullable=False, comment="Listing ID"),
    Column("strategy", VARCHAR(32), nullable=False, comment="Rule strategy"),
    Column("price_source", DECIMAL(20, 4), comment="Price rule price"),
    Column("reference", DECIMAL(20, 4), comment="Competitor price the strategy followed"),
    Column("floor_price", DECIMAL(20, 4), comment="Floor"),
    Column("ceiling_price", DECIMAL(20, 4), comment="Ceiling"),
    Column("price", DECIMAL(20, 4), comment="Price decided, NULL when kept"),
    Column("outcome", VARCHAR(32), nullable=False, comment="followed, floor, ceiling, no_competitor, holding_buybox, no_price"),
    Column("trace", VARCHAR(512), nullable=False, comment="The decision in the merchant's words"),
    Column("created_at", DATETIME(), nullable=False, comment="When"),
    Index("CHANNEL_AMAZON_REPRICING_DECISION_LISTING_ID_DECISION_ID", "listing_id", "decision_id"),
    Index("CHANNEL_AMAZON_REPRICING_DECISION_ACCOUNT_ID_CREATED_AT", "account_id", "created_at"),
    comment="Every repricing decision", **OPTIONS,
)

schema_version = Table(
    "channel_amazon_schema_version", metadata,
    Column("version", INTEGER(unsigned=True), primary_key=True, autoincrement=False, comment="Migration number"),
    Column("name", VARCHAR(255), nullable=False, comment="Migration name"),
    Column("applied_at", TIMESTAMP(), nullable=False, server_default=text("CURRENT_TIMESTAMP"), comment="When it was applied"),
    comment="Applied channel_amazon migrations", **OPTIONS,
)


# -- names under Magento's table prefix ---------------------------------------------

#: Our table names in SQL text; never a column (none starts so) nor an upper-case index name.
_TABLE = re.compile(r"(?<![\w$])channel_amazon_[a-z_]+")
_CONSTRAINT = re.compile(r"\b(CONSTRAINT\s+`?)(CHANNEL_AMAZON_[A-Z0-9_]+)")
MAX_IDENTIFIER = 64
_PREFIXES: "weakref.WeakKeyDictionary[Engine, str]" = weakref.WeakKeyDictionary()


def _check(prefix: str) -> str:
    if not all(c.isalnum() or c == "_" for c in prefix):
        raise ValueError("table prefix may hold letters, digits and '_' only")
    return prefix


def constraint_name(prefix: str, name: str) -> str:
    """A foreign key name unique per database: prefixed, hashed when too long."""
    full = prefix.upper() + name
    if len(full) <= MAX_IDENTIFIER:
        return full
    return "FK_" + hashlib.sha1(full.encode()).hexdigest().upper()


def rewrite(prefix: str, statement: str) -> str:
    """``statement`` with our table (and foreign key) names under ``prefix``."""
    if not prefix:
        return statement
    statement = _TABLE.sub(lambda m: prefix + m.group(0), statement)
    return _CONSTRAINT.sub(lambda m: m.group(1) + constraint_name(prefix, m.group(2)), statement)


def bind_prefix(engine: Engine, prefix: str) -> Engine:
    """Make ``engine`` use our tables under ``prefix`` (idempotent)."""
    prefix = _check(prefix or "")
    if engine in _PREFIXES:
        if _PREFIXES[engine] != prefix:
            raise ValueError("this engine is already bound to another table prefix")
        return engine
    _PREFIXES[engine] = prefix
    if prefix:
        @event.listens_for(engine, "before_cursor_execute", retval=True)
        def _prefixed(conn, cursor, statement, parameters, context, executemany):
            return rewrite(prefix, statement), parameters
    return engine


def prefix_of(bind: Engine | Connection) -> str:
    engine = bind.engine if isinstance(bind, Connection) else bind
    return _PREFIXES.get(engine, "")


def name(bind: Engine | Connection, table: str) -> str:
    """The real name of our ``table`` for a raw DBAPI statement on ``bind``."""
    if not table.startswith("channel_amazon_"):
        raise ValueError(f"{table!r} is not one of our tables")
    return prefix_of(bind) + table
