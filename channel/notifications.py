"""Amazon's notifications: what they say, and applying each one exactly once.

Amazon pushes events (Notifications API) to an SQS queue; the notifications worker
(``worker.notifications``) reads them and hands each batch to ``NotificationApplier``,
which applies it in one transaction and deletes nothing itself: the worker deletes the
messages only after the transaction committed. Exactly once follows from two records
written in that same transaction:

- every applied ``NotificationId`` (``channel_amazon_notification``): a redelivered
  message finds its id and changes nothing;
- per listing and notification type, the ``EventTime`` of the newest event applied
  (``channel_amazon_listing_event``): an older event arriving after a newer one is
  recorded as ``stale`` and changes nothing.

What each type does: a listing's status change goes through the listing owner's
``status_notified``; an issues change reads the listing's issues back from Amazon and
goes through ``issues_notified``; an order change queues the account's orders job; a
processed feed queues the account's cycle (which reads its processing report); a
competitor's offer change is handed to the caller's ``on_offers`` (repricing). Polling
stays the check: when events stop, the account falls back to its cycle and an alert
says so (``fell_back``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel import alerts, listing_state
from channel.errors import InvalidInput

SUBSCRIPTION = "channel_amazon_notification_subscription"
APPLIED = "channel_amazon_notification"
LISTING_EVENT = "channel_amazon_listing_event"

#: The notification types an account is subscribed to, with the payload version asked for.
TYPES = {
    "LISTINGS_ITEM_STATUS_CHANGE": "1.0",
    "LISTINGS_ITEM_ISSUES_CHANGE": "1.0",
    "ANY_OFFER_CHANGED": "1.0",
    "ORDER_CHANGE": "1.0",
    "REPORT_PROCESSING_FINISHED": "2020-09-04",
    "FEED_PROCESSING_FINISHED": "2020-09-04",
}
#: Subscription statuses: not wanted, being set up, events flowing, events stopped.
STATUSES = ("off", "pending", "live", "fallback")
ALERT = "notifications_stopped"
ALERT_ACTION = ("Check the SQS queue and the account's subscriptions (Accounts > Settings > Amazon's notifications),"
                " then press Subscribe now; meanwhile the account's cycle keeps it in step.")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def parse_time(value: Any) -> datetime | None:
    """An ISO-8601 instant as a naive UTC datetime (milliseconds kept), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000)


@dataclasses.dataclass(frozen=True)
class Notification:
    """One notification as Amazon sends it, its envelope read (PascalCase or camelCase)."""

    notification_id: str
    notification_type: str
    event_time: datetime
    payload: dict

    @classmethod
    def parse(cls, body: str | bytes | dict) -> "Notification":
        """Read an SQS message body; ``InvalidInput`` when it is no notification."""
        try:
            data = body if isinstance(body, dict) else json.loads(body)
        except ValueError:
            raise InvalidInput("the message is not JSON") from None
        if not isinstance(data, dict):
            raise InvalidInput("the message is not a JSON object")

        def get(name: str) -> Any:
            return data.get(name, data.get(name[0].lower() + name[1:]))

        meta = get("NotificationMetadata") or {}
        kind = get("NotificationType")
        note_id = meta.get("NotificationId", meta.get("notificationId")) if isinstance(meta, dict) else None
        when = parse_time(get("EventTime")) or parse_time(meta.get("PublishTime", meta.get("publishTime"))
                                                          if isinstance(meta, dict) else None)
        payload = get("Payload")
        if not isinstance(kind, str) or not isinstance(note_id, str) or not note_id or when is None \
                or not isinstance(payload, dict):
            raise InvalidInput("the message lacks NotificationType, NotificationId, EventTime or Payload")
        # Amazon's schema spells the status change's type with a final D in one place.
        kind = "LISTINGS_ITEM_STATUS_CHANGE" if kind == "LISTINGS_ITEM_STATUS_CHANGED" else kind
        return cls(note_id[:64], kind, when, payload)

    def seller(self) -> tuple[str | None, str | None]:
        """(seller id, marketplace id) the notification is about; the marketplace may be unknown."""
        p = self.payload
        if self.notification_type == "ANY_OFFER_CHANGED":
            body = p.get("AnyOfferChangedNotification") or {}
            return body.get("SellerId"), (body.get("OfferChangeTrigger") or {}).get("MarketplaceId")
        if self.notification_type == "ORDER_CHANGE":
            body = p.get("OrderChangeNotification") or {}
            return body.get("SellerId"), (body.get("Summary") or {}).get("MarketplaceId")
        for key in ("reportProcessingFinishedNotification", "feedProcessingFinishedNotification"):
            if key in p:
                body = p[key] or {}
                return body.get("sellerId") or body.get("accountId"), None
        return p.get("SellerId"), p.get("MarketplaceId")


def listing_status(status: Sequence[str]) -> str:
    """The status a LISTINGS_ITEM_STATUS_CHANGE's ``Status`` list gives a listing."""
    values = {str(s).upper() for s in status or ()}
    if "DELETED" in values:
        return "DELETED"
    if "BUYABLE" in values:
        return "BUYABLE"
    if "DISCOVERABLE" in values:
        return "DISCOVERABLE"
    return "INACTIVE"


@dataclasses.dataclass
class Outcome:
    """What applying a batch did: outcome per notification id, and the follow-up work."""

    outcomes: dict[str, str] = dataclasses.field(default_factory=dict)
    orders: set[int] = dataclasses.field(default_factory=set)  # accounts whose orders job is due now
    cycles: set[int] = dataclasses.field(default_factory=set)  # accounts whose cycle is due now
    offers: list[tuple[int, dict]] = dataclasses.field(default_factory=list)  # (account, AnyOfferChanged body)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes.values() if o == outcome)


#: Reads a listing's issues back from Amazon: (account_id, seller_sku) -> issues, or None when unknown.
IssueReader = Callable[[int, str], "list[dict] | None"]


class NotificationApplier:
    """Applies batches of notifications, each exactly once, in one transaction per batch."""

    def __init__(self, read_issues: IssueReader | None = None):
        self.read_issues = read_issues
        self._accounts: dict[tuple[str, str | None], int | None] = {}

    def account_for(self, conn: Connection, seller_id: str | None, marketplace_id: str | None) -> int | None:
        """The active account of that seller (and marketplace, when given) that is subscribed."""
        if not seller_id:
            return None
        key = (seller_id, marketplace_id)
        if key not in self._accounts:
            row = conn.execute(text(
                f"SELECT a.account_id FROM channel_amazon_account a JOIN {SUBSCRIPTION} s"
                f" ON s.account_id = a.account_id AND s.enabled = 1"
                f" WHERE a.seller_id = :s AND (:m IS NULL OR a.marketplace_id = :m) AND a.status = 'active'"
                f" ORDER BY a.account_id LIMIT 1"), {"s": seller_id, "m": marketplace_id}).first()
            self._accounts[key] = int(row[0]) if row else None
        return self._accounts[key]

    def forget_accounts(self) -> None:
        self._accounts.clear()

    def apply(self, conn: Connection, notes: Sequence[Notification], now: datetime | None = None) -> Outcome:
        """Apply ``notes`` in the caller's transaction (committed by the caller before the
        messages are deleted). Already applied ids are skipped; within the batch and against
        what was applied before, only the newest event per listing and type counts."""
        now = now or _utcnow()
        result = Outcome()
        unique: dict[str, Notification] = {}
        for note in notes:
            unique.setdefault(note.notification_id, note)
        if not unique:
            return result
        seen = {r[0] for r in conn.execute(text(
            f"SELECT notification_id FROM {APPLIED} WHERE notification_id IN :ids").bindparams(
            bindparam("ids", expanding=True)), {"ids": list(unique)})}
        for note_id in seen:
            result.outcomes[note_id] = "duplicate"
        fresh = sorted((n for i, n in unique.items() if i not in seen), key=lambda n: n.event_time)
        rows: list[dict] = []
        listing_notes: dict[int, list[Notification]] = {}
        for note in fresh:
            seller_id, marketplace_id = note.seller()
            account_id = self.account_for(conn, seller_id, marketplace_id)
            outcome = "applied"
            if account_id is None:
                outcome = "unknown_account"
            elif note.notification_type in ("LISTINGS_ITEM_STATUS_CHANGE", "LISTINGS_ITEM_ISSUES_CHANGE"):
                listing_notes.setdefault(account_id, []).append(note)
                outcome = ""  # decided below
            elif note.notification_type == "ORDER_CHANGE":
                result.orders.add(account_id)
            elif note.notification_type == "FEED_PROCESSING_FINISHED":
                result.cycles.add(account_id)
            elif note.notification_type == "ANY_OFFER_CHANGED":
                result.offers.append((account_id, note.payload.get("AnyOfferChangedNotification") or {}))
            elif note.notification_type != "REPORT_PROCESSING_FINISHED":
                outcome = "ignored"
            result.outcomes[note.notification_id] = outcome
            rows.append({"id": note.notification_id, "a": account_id, "t": note.notification_type[:64],
                         "e": note.event_time, "now": now})
        for account_id, items in listing_notes.items():
            result.outcomes.update(self._apply_listings(conn, account_id, items))
        if rows:
            for row in rows:
                row["o"] = result.outcomes[row["id"]] or "applied"
            conn.execute(text(
                f"INSERT INTO {APPLIED} (notification_id, account_id, notification_type, event_time, outcome,"
                f" applied_at) VALUES (:id, :a, :t, :e, :o, :now)"), rows)
            touched = sorted({r["a"] for r in rows if r["a"] is not None})
            if touched:
                conn.execute(text(f"UPDATE {SUBSCRIPTION} SET last_event_at = :now WHERE account_id IN :ids")
                             .bindparams(bindparam("ids", expanding=True)), {"now": now, "ids": touched})
        return result

    def _apply_listings(self, conn: Connection, account_id: int, notes: list[Notification]) -> dict[str, str]:
        """Status and issues changes of one account's listings, newest per (SKU, type) only."""
        out: dict[str, str] = {}
        skus = sorted({str(n.payload.get("Sku") or "") for n in notes} - {""})
        for note in notes:
            if not note.payload.get("Sku"):
                out[note.notification_id] = "ignored"
        if not skus:
            return out
        listed: dict[str, int] = {r[0]: int(r[1]) for r in conn.execute(text(
            "SELECT seller_sku, listing_id FROM channel_amazon_listing WHERE account_id = :a AND seller_sku IN :s")
            .bindparams(bindparam("s", expanding=True)), {"a": account_id, "s": skus})}
        newest: dict[tuple[str, str], datetime] = {
            (r[0], r[1]): r[2] for r in conn.execute(text(
                f"SELECT seller_sku, notification_type, event_time FROM {LISTING_EVENT}"
                f" WHERE account_id = :a AND seller_sku IN :s").bindparams(bindparam("s", expanding=True)),
                {"a": account_id, "s": skus})}
        winners: dict[tuple[str, str], Notification] = {}
        for note in notes:  # sorted by event time: a later one replaces an earlier one
            sku = str(note.payload.get("Sku") or "")
            if not sku:
                continue
            key = (sku, note.notification_type)
            if sku not in listed:
                out[note.notification_id] = "unknown_listing"
            elif key in newest and note.event_time <= newest[key]:
                out[note.notification_id] = "stale"
            else:
                previous = winners.get(key)
                if previous is not None:
                    out[previous.notification_id] = "stale"
                winners[key] = note
                out[note.notification_id] = "applied"
        statuses = [(listed[sku], listing_status(n.payload.get("Status") or ()))
                    for (sku, kind), n in winners.items() if kind == "LISTINGS_ITEM_STATUS_CHANGE"]
        listing_state.status_notified(conn, account_id, statuses)
        for (sku, kind), note in winners.items():
            if kind != "LISTINGS_ITEM_ISSUES_CHANGE":
                continue
            severities = {str(s).upper() for s in note.payload.get("Severities") or ()}
            issues: list[dict] | None = []
            if severities - {"NONE"}:
                issues = self.read_issues(account_id, sku) if self.read_issues else None
            if issues is None:  # Amazon's issues could not be read: the cycle reads them
                out[note.notification_id] = "deferred"
                continue
            listing_state.issues_notified(conn, account_id, listed[sku], issues)
        applied = [{"a": account_id, "s": sku, "t": kind, "e": n.event_time} for (sku, kind), n in winners.items()
                   if out.get(n.notification_id) == "applied"]
        if applied:
            conn.execute(text(
                f"INSERT INTO {LISTING_EVENT} (account_id, seller_sku, notification_type, event_time)"
                f" VALUES (:a, :s, :t, :e) ON DUPLICATE KEY UPDATE event_time = GREATEST(event_time, VALUES(event_time))"),
                applied)
        return out


# --- the account's subscription ---------------------------------------------------------------

def subscription(conn: Connection, account_id: int) -> dict:
    """The account's notification settings and health (``status`` off when never set)."""
    row = conn.execute(text(
        f"SELECT enabled, queue_arn, queue_url, destination_id, subscriptions, status, status_message, last_event_at,"
        f" last_poll_at, checked_at FROM {SUBSCRIPTION} WHERE account_id = :a"), {"a": account_id}).mappings().first()
    if row is None:
        return {"account_id": account_id, "enabled": False, "queue_arn": None, "queue_url": None,
                "destination_id": None, "subscriptions": {}, "status": "off", "status_message": None,
                "last_event_at": None, "last_poll_at": None, "checked_at": None}
    out = dict(row)
    out["account_id"] = account_id
    out["enabled"] = bool(out["enabled"])
    out["subscriptions"] = json.loads(out["subscriptions"]) if out["subscriptions"] else {}
    return out


def configure(conn: Connection, account_id: int, enabled: bool, queue_arn: str | None, queue_url: str | None) -> dict:
    """The merchant's setting: notifications on (with the queue's ARN and URL) or off. The
    worker then subscribes or unsubscribes the account (``status`` pending meanwhile).
    On without a queue subscribes again to the queue the account already has."""
    if enabled and not queue_arn and not queue_url:  # "subscribe now": again, to the queue it has
        current = subscription(conn, account_id)
        queue_arn, queue_url = current["queue_arn"], current["queue_url"]
    if enabled:
        if not queue_arn or not queue_arn.startswith("arn:aws:sqs:") or len(queue_arn.split(":")) != 6:
            raise InvalidInput("queue_arn must be an SQS queue ARN (arn:aws:sqs:region:account:name)")
        if not queue_url or not queue_url.startswith(("https://", "http://")):
            raise InvalidInput("queue_url must be the queue's URL")
    conn.execute(text(
        f"INSERT INTO {SUBSCRIPTION} (account_id, enabled, queue_arn, queue_url, status, status_message)"
        f" VALUES (:a, :e, :arn, :url, 'pending', :m) ON DUPLICATE KEY UPDATE enabled = VALUES(enabled),"
        f" queue_arn = COALESCE(VALUES(queue_arn), queue_arn), queue_url = COALESCE(VALUES(queue_url), queue_url),"
        f" status = 'pending', status_message = VALUES(status_message)"),
        {"a": account_id, "e": int(enabled), "arn": queue_arn if enabled else None,
         "url": queue_url if enabled else None,
         "m": "subscribing with Amazon" if enabled else "unsubscribing from Amazon"})
    return subscription(conn, account_id)


def subscribed(conn: Connection, account_id: int, destination_id: str | None, subscriptions: dict[str, str],
               now: datetime | None = None) -> None:
    """Amazon confirmed the subscriptions (or, with none, that they are gone: off); either
    way a ``notifications_stopped`` alert has no cause left."""
    now = now or _utcnow()
    live = bool(subscriptions)
    conn.execute(text(
        f"UPDATE {SUBSCRIPTION} SET destination_id = :d, subscriptions = :s, status = :st, status_message = :m,"
        f" checked_at = :now WHERE account_id = :a"),
        {"a": account_id, "d": destination_id, "s": json.dumps(subscriptions) if live else None,
         "st": "live" if live else "off", "now": now,
         "m": f"subscribed to {len(subscriptions)} notification types" if live else "notifications are off"})
    alerts.clear_alert(conn, account_id, ALERT, now=now)  # flowing again, or turned off: nothing to act on


def forget_subscriptions(conn: Connection, account_id: int, kinds: Sequence[str]) -> None:
    """Amazon no longer holds these subscriptions: they are no longer the account's."""
    if not kinds:
        return
    current = subscription(conn, account_id)["subscriptions"]
    left = {k: v for k, v in current.items() if k not in set(kinds)}
    conn.execute(text(f"UPDATE {SUBSCRIPTION} SET subscriptions = :s WHERE account_id = :a"),
                 {"a": account_id, "s": json.dumps(left) if left else None})


def confirmed(conn: Connection, account_ids: Sequence[int], now: datetime | None = None, polled: bool = False,
              checked: bool = False) -> list[int]:
    """The queue answered (``polled``) or Amazon still holds the subscriptions (``checked``):
    accounts that had fallen back are live again and their alert is cleared. Returns those."""
    if not account_ids:
        return []
    now = now or _utcnow()
    ids = [int(i) for i in account_ids]
    sets = ", ".join(s for s, on in (("last_poll_at = :now", polled), ("checked_at = :now", checked)) if on)
    if sets:
        conn.execute(text(f"UPDATE {SUBSCRIPTION} SET {sets} WHERE account_id IN :ids")
                     .bindparams(bindparam("ids", expanding=True)), {"now": now, "ids": ids})
    back = [r[0] for r in conn.execute(text(
        f"SELECT account_id FROM {SUBSCRIPTION} WHERE account_id IN :ids AND enabled = 1 AND status = 'fallback'"
        f" AND status_message LIKE :why").bindparams(bindparam("ids", expanding=True)),
        {"ids": ids, "why": ("the queue%" if polled else "Amazon%")})]
    for account_id in back:
        conn.execute(text(f"UPDATE {SUBSCRIPTION} SET status = 'live', status_message = 'events flow again'"
                          f" WHERE account_id = :a"), {"a": account_id})
        alerts.clear_alert(conn, account_id, ALERT, now=now)
    return back


def fell_back(conn: Connection, account_id: int, why: str, now: datetime | None = None) -> bool:
    """Events stopped for the account (``why``: the queue cannot be read, or Amazon no longer
    holds the subscription): it falls back to its cycle and an alert says so. True when it
    was live until now."""
    now = now or _utcnow()
    changed = conn.execute(text(
        f"UPDATE {SUBSCRIPTION} SET status = 'fallback', status_message = :m WHERE account_id = :a"
        f" AND enabled = 1 AND status <> 'fallback'"), {"a": account_id, "m": why[:1024]}).rowcount
    alerts.raise_alert(conn, account_id, ALERT,
                       f"Amazon's notifications stopped for this account ({why}); its listings and orders are"
                       f" read every cycle until they flow again.", severity="warning", action=ALERT_ACTION, now=now)
    return bool(changed)


def overview(conn: Connection, account_id: int, now: datetime | None = None) -> dict:
    """The account's subscription as the admin shows it: per notification type its Amazon
    subscription, the last event received and the events of the last hour (received, and
    applied: not stale, not for an unknown listing); how often the cycle reads the account
    (``polling_every``, seconds); how long a change has waited for the notifications
    reader (``pending_for``, seconds); and, when events stopped, since when (``fallback``)."""
    now = now or _utcnow()
    sub = subscription(conn, account_id)
    last: dict[str, datetime] = dict(conn.execute(text(
        f"SELECT notification_type, MAX(applied_at) FROM {APPLIED} WHERE account_id = :a"
        f" GROUP BY notification_type"), {"a": account_id}).all())
    hour = {r[0]: (int(r[1]), int(r[2] or 0)) for r in conn.execute(text(
        f"SELECT notification_type, COUNT(*), SUM(outcome = 'applied') FROM {APPLIED}"
        f" WHERE account_id = :a AND applied_at >= :since GROUP BY notification_type"),
        {"a": account_id, "since": now - timedelta(hours=1)})}
    sub["types"] = [{"notification_type": kind, "subscription_id": sub["subscriptions"].get(kind),
                     "destination_id": sub["destination_id"] if kind in sub["subscriptions"] else None,
                     "last_event_at": last.get(kind), "received_last_hour": hour.get(kind, (0, 0))[0],
                     "applied_last_hour": hour.get(kind, (0, 0))[1]} for kind in TYPES]
    interval = conn.execute(text("SELECT sync_interval FROM channel_amazon_account WHERE account_id = :a"),
                            {"a": account_id}).scalar()
    sub["polling_every"] = int(interval or 300)
    sub["pending_for"] = None
    if sub["status"] == "pending":  # seconds the reader has not carried the change out (is it running?)
        sub["pending_for"] = int(conn.execute(text(
            f"SELECT GREATEST(TIMESTAMPDIFF(SECOND, updated_at, NOW()), 0) FROM {SUBSCRIPTION}"
            f" WHERE account_id = :a"), {"a": account_id}).scalar() or 0)
    sub["fallback"] = None
    if sub["status"] == "fallback":
        alert = conn.execute(text(
            "SELECT started_at, message, action FROM channel_amazon_alert WHERE account_id = :a AND code = :c"
            " AND cleared_at IS NULL"), {"a": account_id, "c": ALERT}).mappings().first()
        sub["fallback"] = {"since": alert["started_at"] if alert else None, "reason": sub["status_message"],
                           "polling_every": sub["polling_every"],
                           "alert": {"message": alert["message"], "action": alert["action"]} if alert else None}
    return sub


def accounts_to_read(conn: Connection) -> dict[str, list[int]]:
    """Queue URL -> the accounts subscribed through it (live or fallen back)."""
    queues: dict[str, list[int]] = {}
    for account_id, url in conn.execute(text(
            f"SELECT s.account_id, s.queue_url FROM {SUBSCRIPTION} s JOIN channel_amazon_account a"
            f" ON a.account_id = s.account_id WHERE s.enabled = 1 AND s.status IN ('live', 'fallback')"
            f" AND a.status = 'active' AND s.queue_url IS NOT NULL ORDER BY s.account_id")):
        queues.setdefault(url, []).append(int(account_id))
    return queues


def accounts_pending(conn: Connection) -> list[int]:
    """Accounts whose subscription the merchant changed and the worker has not carried out."""
    return [int(r[0]) for r in conn.execute(text(
        f"SELECT account_id FROM {SUBSCRIPTION} WHERE status = 'pending' ORDER BY account_id"))]


def purge_applied(conn: Connection, before: datetime, batch: int = 10_000) -> int:
    """Forget applied notification ids older than ``before`` (Amazon redelivers within days)."""
    return conn.execute(text(f"DELETE FROM {APPLIED} WHERE applied_at < :t LIMIT :n"),
                        {"t": before, "n": batch}).rowcount
