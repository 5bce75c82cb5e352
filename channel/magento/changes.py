"""Which of a website's products changed since an account last read them.

Magento's own way of following changes is the mview: with the module's indexer "Amazon
channel: changed products" (``channel_amazon_product``) set to Update by Schedule,
Magento keeps triggers on every table the channel reads (product values, websites,
categories, tier prices, stock items, MSI source items and reservations) that log the
changed product's entity id into the changelog ``channel_amazon_product_cl``; its cron
(``indexer_update_all_views``, every minute) hands the ids it has not handled yet
(above ``mview_state.version_id``) to the indexer, which appends them to our feed
(``channel_amazon_product_feed``; product 0 for a full reindex).

The products an account must read again are then the feed's rows above the account's
cursor and the changelog's rows Magento's cron has not handed on yet (``plan``), plus
the products whose special price or dated rule values start or end since the last read
(``dated``: no row changes when a date passes) and those of listings linked since
(``channel.listing_state.facts_unread``). Everything is read instead when nothing can vouch for the
feed, and the plan says why:

- the indexer is not Update by Schedule (no triggers: a change leaves no trace);
- the account never read its website, or its settings, rules, identifier mapping or
  Magento's configuration changed since (every product's offer may differ);
- Magento asked for a full reindex, or too many products changed for a partial read
  to be the cheaper one;
- the last full read is older than ``FULL_EVERY`` (what no trigger sees: attribute
  definitions, store settings pinned in app/etc, writes made with triggers off).

A feed row joins the cursor only once ``GRACE_SECONDS`` old: a writer whose transaction commits
after a later one must not be skipped; rows newer than that are read again next time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from channel.magento.schema import MagentoSchema

VIEW = "channel_amazon_product"
CHANGELOG = "channel_amazon_product_cl"
FEED = "channel_amazon_product_feed"
CURSOR = "channel_amazon_feed_cursor"

#: Everything is read at least this often.
FULL_EVERY = timedelta(hours=24)
#: From this many changed products on, reading the whole website is the cheaper read.
MANY = 20_000
#: Feed rows younger than this are read but stay above the cursor (late commits).
GRACE_SECONDS = 120
#: Attributes whose dates change a product's offer when they pass.
DATED = ("special_from_date", "special_to_date")


@dataclasses.dataclass(frozen=True)
class Plan:
    """What a classification run reads: ``ids`` (None: every product of the website)."""

    ids: frozenset[int] | None
    #: Why every product is read ('' when only changed ones are).
    why: str
    fingerprint: str
    #: The feed's cursor once this read is done.
    feed_seq: int
    #: The feed's last row before the last whole read (this one's, when it is whole).
    whole_seq: int
    #: When the website was last read whole (now, when this read is whole).
    full_at: datetime

    @property
    def whole(self) -> bool:
        return self.ids is None


#: The configuration the facts read: stock options, time zones, price scope.
CONFIG_PATHS = ("cataloginventory/%", "general/locale/timezone", "catalog/price/scope")


def fingerprint(conn: Connection, schema: MagentoSchema, account) -> str:
    """What every product's facts depend on besides the product: the account's settings,
    listing rule, identifier mapping and website, the Magento configuration they read
    (``CONFIG_PATHS``) and, in Adobe Commerce, the staging version in force."""
    config = conn.execute(text(
        f"SELECT COUNT(*), MAX(config_id), MAX(updated_at), SUM(CRC32(CONCAT_WS('|', scope, scope_id, path, value)))"
        f" FROM {schema.t('core_config_data')} WHERE {' OR '.join(f'path LIKE {p!r}' for p in CONFIG_PATHS)}")).one()
    staging = None
    if schema.is_commerce:
        staging = conn.execute(text(
            f"SELECT flag_data FROM {schema.t('flag')} WHERE flag_code = 'staging'")).scalar()
    raw = json.dumps([account.website_id, account.settings, account.listing_rule, account.identifier_mapping,
                      [str(v) for v in config], staging], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _scheduled(conn: Connection, schema: MagentoSchema) -> tuple[bool, int]:
    """Whether Magento keeps the view's changelog (Update by Schedule), and the last
    version its cron handed on."""
    try:
        row = conn.execute(text(
            f"SELECT mode, COALESCE(version_id, 0) AS version FROM {schema.t('mview_state')}"
            f" WHERE view_id = :v ORDER BY state_id DESC LIMIT 1"), {"v": VIEW}).first()
        if row is None or row.mode != "enabled":
            return False, 0
        conn.execute(text(f"SELECT 1 FROM {CHANGELOG} LIMIT 0"))
    except DBAPIError:  # no mview_state or no changelog: nothing is logged
        return False, 0
    return True, int(row.version)


def plan(conn: Connection, schema: MagentoSchema, account, now: datetime) -> Plan:
    """What the account's next classification reads (see the module's description)."""
    print_ = fingerprint(conn, schema, account)
    scheduled, version = _scheduled(conn, schema)
    cursor = conn.execute(text(
        f"SELECT feed_seq, whole_seq, fingerprint, full_at FROM {CURSOR} WHERE account_id = :a"),
        {"a": account.account_id}).first()
    after = int(cursor.feed_seq) if cursor is not None else 0
    settled = conn.execute(text(
        f"SELECT MAX(seq) FROM {FEED} WHERE seq > :c AND logged_at < NOW() - INTERVAL {GRACE_SECONDS} SECOND"),
        {"c": after}).scalar()
    feed_seq = max(after, int(settled or 0))
    head = int(conn.execute(text(f"SELECT COALESCE(MAX(seq), 0) FROM {FEED}")).scalar_one())

    def whole(why: str) -> Plan:
        return Plan(None, why, print_, feed_seq, head, now)

    if not scheduled:
        return whole("the indexer \"Amazon channel: changed products\" is not Update by Schedule")
    if cursor is None:
        return whole("first read of the website")
    if cursor.fingerprint != print_:
        return whole("settings, rules or Magento's configuration changed")
    if now - cursor.full_at >= FULL_EVERY:
        return whole(f"daily full read (last {cursor.full_at:%Y-%m-%d %H:%M} UTC)")
    if conn.execute(text(f"SELECT 1 FROM {FEED} WHERE seq > :c AND product_id = 0 LIMIT 1"),
                    {"c": max(after, int(cursor.whole_seq))}).first() is not None:
        return whole("Magento reindexed the channel's products")
    ids = {int(i) for i, in conn.execute(text(
        f"SELECT DISTINCT product_id FROM {FEED} WHERE seq > :c AND product_id <> 0 LIMIT {MANY + 1}"),
        {"c": after})}
    ids |= {int(i) for i, in conn.execute(text(
        f"SELECT DISTINCT entity_id FROM {CHANGELOG} WHERE version_id > :v LIMIT {MANY + 1}"), {"v": version})}
    if len(ids) > MANY:
        return whole(f"more than {MANY:,} products changed")
    return Plan(frozenset(ids), "", print_, feed_seq, int(cursor.whole_seq), cursor.full_at)


def whole_read(conn: Connection, plan: Plan, now: datetime) -> Plan:
    """``plan`` made a whole read (too many products changed to read them one by one)."""
    head = int(conn.execute(text(f"SELECT COALESCE(MAX(seq), 0) FROM {FEED}")).scalar_one())
    return dataclasses.replace(plan, ids=None, whole_seq=head, full_at=now)


def dated(conn: Connection, schema: MagentoSchema, attribute_ids: Iterable[int], since: datetime | None,
          now: datetime, zone: str) -> set[int]:
    """Products with a value of the given date attributes that began or ended a day
    between ``since`` and ``now`` (UTC): a date ``D`` starts at midnight and a "to" date
    ends at the next one, in the website's time zone ``zone`` (and in UTC, for rules that
    compare with UTC)."""
    ids = [int(i) for i in attribute_ids]
    if not ids or since is None or now <= since:
        return set()
    s = schema
    table = s.t("catalog_product_entity_datetime")
    source = (f"e.entity_id, d.value FROM {table} d JOIN {s.t('catalog_product_entity')} e ON e.row_id = d.row_id"
              if s.is_commerce else f"d.entity_id, d.value FROM {table} d")
    rows = conn.execute(text(
        f"SELECT DISTINCT {source} WHERE d.attribute_id IN ({', '.join(map(str, ids))})"
        f" AND d.value >= :lo AND d.value < :hi"),
        {"lo": since - timedelta(days=2), "hi": now + timedelta(days=2)})
    local = ZoneInfo(zone)
    found = set()
    for entity_id, value in rows:
        if value is None:
            continue
        day = datetime(value.year, value.month, value.day)
        for midnight in (day, day + timedelta(days=1)):
            for at in (midnight, midnight.replace(tzinfo=local).astimezone(timezone.utc).replace(tzinfo=None)):
                if since < at <= now:
                    found.add(int(entity_id))
    return found


def last_read(conn: Connection, account_id: int) -> datetime | None:
    return conn.execute(text(f"SELECT read_at FROM {CURSOR} WHERE account_id = :a"), {"a": account_id}).scalar()


def done(conn: Connection, account_id: int, plan: Plan, now: datetime) -> None:
    """The account read what ``plan`` said: its cursor moves on, and feed rows every
    account has read (or older than a full read's period) are dropped."""
    conn.execute(text(
        f"INSERT INTO {CURSOR} (account_id, feed_seq, whole_seq, fingerprint, full_at, read_at)"
        f" VALUES (:a, :seq, :whole, :fp, :full, :now) ON DUPLICATE KEY UPDATE feed_seq = VALUES(feed_seq),"
        f" whole_seq = VALUES(whole_seq), fingerprint = VALUES(fingerprint), full_at = VALUES(full_at),"
        f" read_at = VALUES(read_at)"),
        {"a": account_id, "seq": plan.feed_seq, "whole": plan.whole_seq, "fp": plan.fingerprint,
         "full": plan.full_at, "now": now})
    trim(conn)


def trim(conn: Connection, limit: int | None = None) -> int:
    """Drop the feed rows every account has read, and those older than two full-read
    periods (every account has read everything since; none left behind when no account
    reads at all). ``limit``: at most that many. Returns how many."""
    return conn.execute(text(
        f"DELETE FROM {FEED} WHERE seq <= (SELECT COALESCE(MIN(c.feed_seq), 0) FROM {CURSOR} c"
        f" JOIN channel_amazon_account a ON a.account_id = c.account_id)"
        f" OR logged_at < NOW() - INTERVAL {int(FULL_EVERY.total_seconds()) * 2} SECOND"
        + (f" ORDER BY seq LIMIT {int(limit)}" if limit else ""))).rowcount
