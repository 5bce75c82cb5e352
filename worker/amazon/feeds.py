"""Feeds: JSON_LISTINGS_FEED up to 25,000 messages, upload, submit, poll, result report."""

from __future__ import annotations

import json
import time

from worker.amazon.errors import InvalidInput, ProcessingFailed
from worker.amazon.reports import document_text

MAX_MESSAGES = 25000
CONTENT_TYPE = "application/json; charset=UTF-8"


def listings_feed(seller_id: str, messages: list[dict]) -> dict:
    if not 1 <= len(messages) <= MAX_MESSAGES:
        raise InvalidInput(f"a listings feed holds 1 to {MAX_MESSAGES} messages, not {len(messages)}",
                           operation="createFeed")
    return {"header": {"sellerId": seller_id, "version": "2.0", "issueLocale": "en_US"}, "messages": messages}


def submit_feed(client, messages: list[dict]) -> str:
    """Create the document, upload it with the declared Content-Type, create the feed."""
    doc, _ = client.call("createFeedDocument", "POST", "/feeds/2021-06-30/documents",
                         json={"contentType": CONTENT_TYPE})
    body = json.dumps(listings_feed(client.seller_id, messages)).encode("utf-8")
    resp = client.session.put(doc["url"], data=body, headers={"Content-Type": CONTENT_TYPE}, timeout=client.timeout)
    if resp.status_code >= 300:
        raise ProcessingFailed(f"feed upload refused with {resp.status_code}", operation="createFeedDocument",
                               status=resp.status_code)
    feed, _ = client.call("createFeed", "POST", "/feeds/2021-06-30/feeds", json={
        "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [client.marketplace_id],
        "inputFeedDocumentId": doc["feedDocumentId"]})
    return feed["feedId"]


def feed_status(client, feed_id: str) -> dict:
    data, _ = client.call("getFeed", "GET", f"/feeds/2021-06-30/feeds/{client.quote(feed_id)}")
    return data


def wait_feed(client, feed_id: str, poll: float = 15.0, timeout: float = 1800.0, sleep=time.sleep) -> dict:
    """Poll until DONE or FATAL (a FATAL feed may still have a result document)."""
    deadline = time.monotonic() + timeout
    while True:
        feed = feed_status(client, feed_id)
        if feed.get("processingStatus") in ("DONE", "FATAL", "CANCELLED"):
            return feed
        if time.monotonic() > deadline:
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
    summary = report.get("summary") if isinstance(report.get("summary"), dict) else {}
    feed_level = any(i.get("severity") == "ERROR" and "messageId" not in i for i in report.get("issues") or []
                     if isinstance(i, dict))
    processed = summary.get("messagesProcessed")
    invalid = summary.get("messagesInvalid")
    complete = (processed == len(sent) and (invalid is None or invalid == len(rejected)) and not feed_level)
    return rejected, set() if complete else sent - rejected


def rejected_message_ids(report: dict) -> set[int]:
    return {i["messageId"] for i in report.get("issues", []) if i.get("severity") == "ERROR" and "messageId" in i}
