"""Dry run: an account's Amazon calls that would change something are recorded, not sent.

``DryRunSession`` is the HTTP session of the account's ``SpApiClient`` while its dry run
is on (``AccountSettings.dry_run``), so every write the worker makes - publishing,
relisting, ending, price and stock patches, feeds and their document uploads, shipment
confirmations - is covered at the one place all of them pass. Reads (GET, and requesting
a report, which changes nothing on Amazon) still go to Amazon. A recorded call is
answered as Amazon answers an accepted one, with ids that start ``dry-run-``; a feed
with such an id reads back as cancelled, so its changes count as not applied and are
sent (recorded) again while the dry run lasts. Read-only mode is separate: a read-only
account makes no write call at all.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

logger = logging.getLogger(__name__)

READS = frozenset({"GET", "HEAD", "OPTIONS"})
#: POSTs that read: a report request (and the token exchange) change nothing on Amazon.
READ_POSTS = ("/reports/2021-06-30/reports", "/reports/2021-06-30/documents", "/auth/o2/token")
#: Where a recorded feed document would have been uploaded (never resolvable).
UPLOAD_BASE = "https://dry-run.invalid/feed-documents/"
PREFIX = "dry-run-"
_LISTING = re.compile(r"^/listings/2021-08-01/items/[^/]+/([^/?]+)$")
_FEED = re.compile(r"^/feeds/2021-06-30/feeds/(dry-run-\d+)$")


@dataclasses.dataclass(frozen=True)
class DryRunCall:
    """One call the worker would have made."""

    operation: str
    method: str
    path: str
    seller_sku: str | None
    body: str | None


def operation_of(method: str, path: str) -> tuple[str, str | None]:
    """(SP-API operation, seller SKU) of a write call, from its method and path."""
    listing = _LISTING.match(path)
    if listing:
        return {"PUT": "putListingsItem", "PATCH": "patchListingsItem",
                "DELETE": "deleteListingsItem"}.get(method, method), unquote(listing.group(1))
    if path == "/feeds/2021-06-30/documents":
        return "createFeedDocument", None
    if path == "/feeds/2021-06-30/feeds":
        return "createFeed", None
    if path.endswith("/shipmentConfirmation"):
        return "confirmShipment", None
    if path.startswith(urlsplit(UPLOAD_BASE).path):
        return "uploadFeedDocument", None
    return f"{method} {path}", None


#: ``requests.Session.request``'s parameters, to read a call's body however it was passed.
_REQUEST = inspect.signature(requests.Session.request)

class DryRunSession(requests.Session):
    """Sends reads, records writes (``record`` stores a call and answers its number)."""

    def __init__(self, record: Callable[[DryRunCall], int]):
        super().__init__()
        self.record = record

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        given = _REQUEST.bind(self, method, url, *args, **kwargs).arguments
        params, data, json = given.get("params"), given.get("data"), given.get("json")
        method = (method.decode() if isinstance(method, bytes) else method).upper()
        url = url.decode() if isinstance(url, bytes) else url
        parts = urlsplit(url)
        feed = _FEED.match(parts.path)
        if feed:  # a feed only a dry run "created": nothing of it was applied
            return _answer(200, {"feedId": feed.group(1), "feedType": "JSON_LISTINGS_FEED",
                                 "processingStatus": "CANCELLED"})
        if method in READS or (method == "POST" and parts.path.endswith(READ_POSTS)):
            return super().request(method, url, *args, **kwargs)
        operation, sku = operation_of(method, parts.path)
        query = ("?" + urlencode(params, doseq=True)) if params else ""
        if json is not None:
            body = _json_text(json)
        elif data is not None:
            body = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        else:
            body = None
        number = self.record(DryRunCall(operation, method, parts.path + query, sku, body))
        ref = f"{PREFIX}{number}"
        logger.info("Dry run: %s %s recorded as call %s, not sent", method, parts.path, number)
        if operation in ("putListingsItem", "patchListingsItem", "deleteListingsItem"):
            return _answer(200, {"sku": sku, "status": "ACCEPTED", "submissionId": ref, "issues": []})
        if operation == "createFeedDocument":
            return _answer(201, {"feedDocumentId": ref, "url": UPLOAD_BASE + ref})
        if operation == "createFeed":
            return _answer(202, {"feedId": ref})
        if operation == "uploadFeedDocument":
            return _answer(200, None)
        return _answer(200, {})


def _json_text(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _answer(status: int, payload) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = b"" if payload is None else json.dumps(payload).encode()
    resp.headers = CaseInsensitiveDict({"content-type": "application/json", "x-amzn-RequestId": "dry-run"})
    resp.encoding = "utf-8"
    return resp


class DryRunRecorder:
    """Stores recorded calls in ``channel_amazon_dry_run_call`` and, for the merchant's
    communication log, one line per call."""

    def __init__(self, engine, account_id: int):
        self.engine = engine
        self.account_id = account_id

    def __call__(self, call: DryRunCall) -> int:
        from sqlalchemy import text

        from channel.models.log import write_log

        job_id = _job_id()
        with self.engine.begin() as conn:
            number = conn.execute(text(
                "INSERT INTO channel_amazon_dry_run_call (account_id, operation, method, path, seller_sku, body, job_id)"
                " VALUES (:a, :op, :m, :p, :sku, :b, :j)"),
                {"a": self.account_id, "op": call.operation[:64], "m": call.method, "p": call.path[:1024],
                 "sku": call.seller_sku, "b": call.body, "j": job_id}).lastrowid
            write_log(conn, account_id=self.account_id, operation=call.operation, level="info", job_id=job_id,
                      message=f"{call.seller_sku + ': ' if call.seller_sku else ''}dry run, not sent:"
                              f" {call.method} {call.path} (recorded call {number})")
        return int(number)


def _job_id() -> str | None:
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # noqa: BLE001 - outside a worker there is no job
        return None
    return job.id if job else None


def session_for(account, settings) -> DryRunSession | None:
    """The recording session when the account's dry run is on, else None."""
    if (account.settings or {}).get("dry_run") is not True:
        return None
    from sqlalchemy.pool import NullPool

    from channel.db import make_engine

    return DryRunSession(DryRunRecorder(make_engine(str(settings.database_url), settings.table_prefix,
                                                    poolclass=NullPool), account.account_id))
