"""The notifications section of an account's settings page: whether Amazon pushes the
account's events to an SQS queue, how each notification type is doing, and, when the
events stopped, since when and how often the cycle reads the account meanwhile.

The section renders from ``notifications_for`` (the API's ``GET .../notifications``
read in the page's request); ``channel.js`` keeps it current from the same API and
sends the merchant's changes with ``PUT``. The words for each type and status live here.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import g

from bridge.auth import RESOURCES
from bridge.views import bp

#: Each notification type in the merchant's words: (name, what it changes here).
TYPE_WORDS = {
    "LISTINGS_ITEM_STATUS_CHANGE": ("Listing status", "A listing approved, refused or removed by Amazon moves to "
                                                      "its tab at once."),
    "LISTINGS_ITEM_ISSUES_CHANGE": ("Listing issues", "Amazon's issues on a listing (a suppression, a missing "
                                                      "approval) show on the product at once."),
    "ANY_OFFER_CHANGED": ("Competitors' offers", "A competitor's new price is answered by the repricing rule."),
    "ORDER_CHANGE": ("Orders", "A new order is imported and its stock reserved in seconds."),
    "REPORT_PROCESSING_FINISHED": ("Reports ready", "A listings report Amazon finished is read without waiting."),
    "FEED_PROCESSING_FINISHED": ("Feeds processed", "A price, stock or listings feed Amazon processed is checked "
                                                    "at once."),
}
#: Seconds a change may wait for the notifications reader before the page asks whether it runs.
STALLED_AFTER = 120
#: The subscription's status in the merchant's words.
STATUS_WORDS = {
    "off": "Off: the account is read by its cycle only.",
    "pending": "Being set up with Amazon...",
    "live": "On: Amazon's events arrive in seconds.",
    "fallback": "Events stopped: the account is read by its cycle until they flow again.",
}
_NUMBERS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def every(seconds: int) -> str:
    """An interval as the page says it: ``five minutes``, ``minute``, ``90 seconds``."""
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    if minutes == 1:
        return "minute"
    if minutes % 60 == 0 and minutes >= 120:
        hours = minutes // 60
        return f"{_NUMBERS[hours] if hours <= 10 else hours} hours"
    return f"{_NUMBERS[minutes] if minutes <= 10 else minutes} minutes"


def clock(value: str | None, today: str | None = None) -> str:
    """An API time (ISO, UTC) as the page shows it: ``04:12 UTC`` today, with its date otherwise."""
    if not value:
        return "never"
    today = today or datetime.now(timezone.utc).strftime("%Y-%m-%d")
    day, time = value[:10], value[11:16]
    return f"{time} UTC" if day == today else f"{day} {time} UTC"


@bp.app_template_global("notifications_for")
def notifications_for(account_id: int) -> dict | None:
    """The account's notifications as ``GET .../notifications`` answers, with the page's words;
    None when the caller may not see them."""
    from bridge.api.pushes import _subscription

    if not g.get("caller") or not g.caller.allows(RESOURCES["view"]):
        return None
    sub = _subscription(int(account_id))
    sub["status_words"] = STATUS_WORDS.get(sub["status"], sub["status"])
    sub["stalled"] = (sub["pending_for"] or 0) > STALLED_AFTER
    for row in sub["types"]:
        row["name"], row["help"] = TYPE_WORDS.get(row["notification_type"], (row["notification_type"], ""))
    sub["every_words"] = every(sub["polling_every"])
    sub["can_manage"] = g.caller.allows(RESOURCES["accounts"])
    return sub


@bp.app_template_global("notification_clock")
def notification_clock(value: str | None) -> str:
    return clock(value)
