"""Feeds: JSON_LISTINGS_FEED up to 25,000 messages, upload, submit, poll, result report.

A feed holds at most 25,000 messages (the schema's ``maxItems``) and at most
``MAX_BYTES``: Amazon advises documents of no more than 10 MB, and 25,000 price and
stock messages can weigh more, so ``batches`` cuts by both. Amazon accepts 5 listings
feeds per 5 minutes per region: createFeed pays a token from that bucket too.

createFeed is not sent twice blindly: when it times out or fails after leaving, the
feeds created since the attempt began (getFeeds) are looked at, and a new one that is
not known already is taken as ours; when there is none the step gives up
(``OutcomeUnknown``) and the next cycle sends the changes again.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone

from worker.amazon.clock import RealClock
from worker.amazon.errors import InvalidInput, OutcomeUnknown, ProcessingFailed
from worker.amazon.reports import document_text
from worker.amazon.throttle import PACE, RATES

logger = logging.getLogger(__name__)

MAX_MESSAGES = 25000
#: Amazon's advice for a feed document's size (10 MB).
MAX_BYTES = 10_000_000
CONTENT_TYPE = "application/json; charset=UTF-8"
#: The header and framing of a feed document around its messages, generously.
ENVELOPE_BYTES = 1024
#: JSON without blanks between tokens.
COMPACT = (",", ":")
#: Clock difference allowed between us and Amazon when looking for a feed we may have created.
CLOCK_SKEW = timedelta(minutes=2)


def listings_feed(seller_id: str, messages: list[dict]) -> dict:
    if not 1 <= len(messages) <= MAX_MESSAGES:
        raise InvalidInput(f"a listings feed holds 1 to {MAX_MESSAGES} messages, not {len(messages)}",
                           operation="createFeed")
    return {"header": {"sellerId": seller_id, "version": "2.0", "issueLocale": "en_US"}, "messages": messages}


def message_bytes(message: dict) -> int:
    """Bytes a message takes in the document (with its separator)."""
    return len(json.dumps(message).encode("utf-8")) + 2


def batches(items: list, size_of) -> list[list]:
    """``items`` cut into feeds of at most MAX_MESSAGES messages and MAX_BYTES bytes;
    ``size_of(item)`` gives an item's message size in bytes."""
    out: list[list] = []
    batch: list = []
    total = ENVELOPE_BYTES
    for item in items:
        size = size_of(item)
        if size + ENVELOPE_BYTES > MAX_BYTES:
            raise InvalidInput(f"one feed message weighs {size} bytes, more than a feed may", operation="createFeed")
        if batch and (len(batch) >= MAX_MESSAGES or total + size > MAX_BYTES):
            out.append(batch)
            batch, total = [], ENVELOPE_BYTES
        batch.append(item)
        total += size
    if batch:
        out.append(batch)
    return out


def submission_time(count: int, pace: float = PACE) -> float:
    """Seconds before the last of ``count`` feeds can be submitted, both buckets it pays
    (createFeed's and the listings feeds' 5 per 5 minutes) full at the start and refilled
    at the limiter's pace."""
    return max(max(0, count - RATES[op][1]) / (RATES[op][0] * pace) for op in ("createFeed", "JSON_LISTINGS_FEED"))


def documents(seller_id: str, items: Iterable, message_for) -> Iterator[tuple[list, bytes]]:
    """``items`` cut into listings feed documents as they are encoded: ``message_for(n, item)``
    is the item's message with its messageId ``n`` in its feed, encoded once and written
    into the document as it is. Yields (the feed's items, its document) with at most
    MAX_MESSAGES messages and MAX_BYTES bytes each: what ``batches`` and ``submit_feed``
    do, without building or encoding any message twice. The JSON is compact (no blanks
    between tokens): more messages fit in 10 MB, fewer feeds wait for their turn."""
    header = json.dumps({"header": {"sellerId": seller_id, "version": "2.0", "issueLocale": "en_US"}},
                        separators=COMPACT)[:-1]
    head = (header + ',"messages":[').encode("utf-8")
    batch: list = []
    parts: list[bytes] = []
    total = ENVELOPE_BYTES
    for item in items:
        encoded = json.dumps(message_for(len(batch) + 1, item), separators=COMPACT).encode("utf-8")
        size = len(encoded) + 1
        if batch and (len(batch) >= MAX_MESSAGES or total + size > MAX_BYTES):
            yield batch, head + b",".join(parts) + b"]}"
            batch, parts, total = [], [], ENVELOPE_BYTES
            encoded = json.dumps(message_for(1, item), separators=COMPACT).encode("utf-8")  # first of the next feed
            size = len(encoded) + 1
        if size + ENVELOPE_BYTES > MAX_BYTES:
            raise InvalidInput(f"one feed message weighs {size} bytes, more than a feed may", operation="createFeed")
        batch.append(item)
        parts.append(encoded)
        total += size
    if batch:
        yield batch, head + b",".join(parts) + b"]}"


def recent_feeds(client, since: datetime) -> list[dict]:
    """JSON_LISTINGS_FEED feeds of this seller and marketplace created since ``since``."""
    data, _ = client.call("getFeeds", "GET", "/feeds/2021-06-30/feeds", params={
        "feedTypes": "JSON_LISTINGS_FEED", "marketplaceIds": client.marketplace_id, "pageSize": 100,
        "createdSince": since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
    return data.get("feeds") or []


def submit_feed(client, messages: list[dict], known: set[str] | None = None, recover_wait: float = 30.0) -> str:
    """Create the document, upload it with the declared Content-Type, create the feed.

    ``known``: ids of feeds already recorded for this account, which a createFeed that
    got no answer cannot have created. ``recover_wait``: after no answer, how long to
    give Amazon before looking a second time for the feed it may have created."""
    body = json.dumps(listings_feed(client.seller_id, messages)).encode("utf-8")
    return submit_document(client, body, known, recover_wait)


def submit_document(client, body: bytes, known: set[str] | None = None, recover_wait: float = 30.0) -> str:
    """``submit_feed`` for a listings feed document already encoded (``documents``)."""
    return create_feed(client, upload_document(client, body), known, recover_wait)


def upload_document(client, body: bytes) -> str:
    """createFeedDocument and the upload of ``body`` with the declared Content-Type; the
    document's id, for ``create_feed``."""
    doc, _ = client.call("createFeedDocument", "POST", "/feeds/2021-06-30/documents",
                         json={"contentType": CONTENT_TYPE})
    resp = client.session.put(doc["url"], data=body, headers={"Content-Type": CONTENT_TYPE}, timeout=client.timeout)
    if resp.status_code >= 300:
        raise ProcessingFailed(f"feed upload refused with {resp.status_code}", operation="createFeedDocument",
                               status=resp.status_code)
    return doc["feedDocumentId"]


#: Feeds created that the caller has not recorded yet, at most (``created_ahead``).
CREATED_AHEAD = 4


def created_ahead(client, docs: Iterable[tuple[list, bytes]], known: set[str] | None = None,
                  ahead: int = CREATED_AHEAD) -> Iterator[tuple[list, str]]:
    """(items, feed id) for each of ``docs`` (``documents``), in order: built, uploaded and
    created in a thread of their own while the caller records the feeds before. Recording
    a feed writes thousands of listing rows; off the path between two createFeed calls, the
    feeds follow each other as fast as their documents are built and the rate limits allow.

    At most ``ahead`` feeds are created that the caller has not finished with (it has
    finished with a feed when it asks for the next one). A caller that stops early stops
    the creating; a feed created and never recorded has its changes sent again by the
    next cycle. An error creating a feed reaches the caller after the feeds created
    before it. ``known``: feed ids a createFeed without an answer cannot have created
    (``create_feed``); the feeds created here are added to them."""
    if ahead < 1:
        raise ValueError("ahead must be at least 1")
    seen = set(known or ())
    done = object()
    out: queue.Queue = queue.Queue()
    slots = threading.Semaphore(ahead)
    stop = threading.Event()

    def create_all() -> None:
        outcome: object = done
        try:
            for items, body in docs:
                document_id = upload_document(client, body)
                while not slots.acquire(timeout=0.1):
                    if stop.is_set():
                        return
                if stop.is_set():
                    return
                feed_id = create_feed(client, document_id, known=seen)
                seen.add(feed_id)
                out.put((items, feed_id))
        except BaseException as exc:  # handed to the caller, after the feeds created before it
            outcome = exc
        finally:
            out.put(outcome)

    worker = threading.Thread(target=create_all, name="feed-create", daemon=True)
    worker.start()
    try:
        while True:
            item = out.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
            slots.release()
    finally:
        stop.set()
        worker.join()


def create_feed(client, document_id: str, known: set[str] | None = None, recover_wait: float = 30.0) -> str:
    """createFeed for an uploaded document, never sent twice blindly (see ``submit_feed``)."""
    clock = getattr(client, "clock", None) or RealClock()
    started = datetime.fromtimestamp(clock.time(), timezone.utc)  # Amazon's clock, for getFeeds
    try:
        feed, _ = client.call("createFeed", "POST", "/feeds/2021-06-30/feeds", json={
            "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [client.marketplace_id],
            "inputFeedDocumentId": document_id}, quotas=("JSON_LISTINGS_FEED",))
    except OutcomeUnknown:
        for look in range(2):
            if look:
                client.sleep(recover_wait)
            created = [f for f in recent_feeds(client, started - CLOCK_SKEW) if f.get("feedId") not in (known or ())]
            if len(created) == 1:
                logger.warning("createFeed got no answer; feed %s created meanwhile is taken as ours",
                               created[0]["feedId"])
                return created[0]["feedId"]
            if created:
                break  # more than one candidate: not ours to guess
        raise
    return feed["feedId"]


def feed_status(client, feed_id: str) -> dict:
    data, _ = client.call("getFeed", "GET", f"/feeds/2021-06-30/feeds/{client.quote(feed_id)}")
    return data


def wait_feed(client, feed_id: str, poll: float = 15.0, timeout: float = 1800.0, sleep=None) -> dict:
    """Poll until DONE or FATAL (a FATAL feed may still have a result document), on the
    client's clock."""
    clock = getattr(client, "clock", None) or RealClock()
    sleep = sleep or clock.sleep
    deadline = clock.monotonic() + timeout
    while True:
        feed = feed_status(client, feed_id)
        if feed.get("processingStatus") in ("DONE", "FATAL", "CANCELLED"):
            return feed
        if clock.monotonic() > deadline:
            raise ProcessingFailed(f"feed {feed_id} still {feed.get('processingStatus')}", operation="getFeed")
        sleep(poll)


def processing_report(client, feed: dict) -> dict:
    """The parsed processing report: header, issues[], summary."""
    doc_id = feed.get("resultFeedDocumentId")
    if not doc_id:
        raise ProcessingFailed(f"feed {feed.get('feedId')} ended {feed.get('processingStatus')} without a report",
                               operation="getFeed")
    text = document_text(client, doc_id, "getFeedDocument", "/feeds/2021-06-30/documents/").read()
    try:
        report = json.loads(text)
    except ValueError:
        raise ProcessingFailed("the processing report is empty" if not text.strip() else
                               "the processing report is not JSON", operation="getFeedDocument") from None
    if not isinstance(report, dict):
        raise ProcessingFailed("the processing report is not a JSON object", operation="getFeedDocument")
    return report


def account_for(report: dict, sent: set[int]) -> tuple[set[int], set[int]]:
    """(rejected, unaccounted) message ids of a processing report for the ``sent`` ones.

    A report accounts for every message when its summary says all were processed and
    each invalid one is named by an ERROR issue with its ``messageId``. An ERROR issue
    without a ``messageId`` is about the whole feed. Otherwise the messages without an
    ERROR of their own are unaccounted: applied or not, the report does not say."""
    if not isinstance(report, dict) or not report:
        return set(), set(sent)
    rejected = rejected_message_ids(report) & sent
    found = report.get("summary")
    summary: dict = found if isinstance(found, dict) else {}
    feed_level = any(i.get("severity") == "ERROR" and "messageId" not in i for i in report.get("issues") or []
                     if isinstance(i, dict))
    processed = summary.get("messagesProcessed")
    invalid = summary.get("messagesInvalid")
    complete = (processed == len(sent) and (invalid is None or invalid == len(rejected)) and not feed_level)
    return rejected, set() if complete else sent - rejected


def rejected_message_ids(report: dict) -> set[int]:
    return {i["messageId"] for i in report.get("issues", []) if i.get("severity") == "ERROR" and "messageId" in i}
