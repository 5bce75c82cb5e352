"""Feeds ``getFeeds``: the seller's feeds by type, marketplace, status and creation time.

As Amazon documents: ``nextToken`` must come alone; ``feedTypes`` is required without
it; ``pageSize`` is 1 to 100; ``createdSince`` defaults to 90 days ago. The worker uses
it to find a feed a createFeed without an answer may have created.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from datetime import datetime, timedelta

from flask import jsonify, request

from sandbox.feeds import apply_feed

STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")


def _when(raw: str, ApiError) -> datetime:
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "InvalidInput", f"Invalid date-time {raw!r}.") from None


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    from sandbox.app import processing_status, store_document

    def view(feed: dict, now: datetime) -> dict:
        if feed["result"] is None and processing_status(feed["created"], now) == "DONE":
            report, fatal = apply_feed(market, feed)
            feed["fatal"] = fatal
            feed["result"] = store_document(market, json.dumps(report).encode(), "application/json")
        status = processing_status(feed["created"], now, feed["fatal"])
        out = {"feedId": feed["feedId"], "feedType": feed["feedType"], "marketplaceIds": feed["marketplaceIds"],
               "createdTime": iso(feed["created"]), "processingStatus": status}
        if status != "IN_QUEUE":
            out["processingStartTime"] = iso(feed["created"])
        if status in ("DONE", "FATAL"):
            out["processingEndTime"] = iso(now)
            out["resultFeedDocumentId"] = feed["result"]
        return out

    @app.get("/feeds/2021-06-30/feeds")
    def get_feeds():
        seller_id = guard("getFeeds")
        args = request.args
        if "nextToken" in args:
            if len(args) > 1:
                raise ApiError(400, "InvalidInput", "'nextToken' must be the only parameter.")
            try:
                query = json.loads(base64.urlsafe_b64decode(args["nextToken"].encode()))
            except ValueError:
                raise ApiError(400, "InvalidInput", "Invalid 'nextToken'.") from None
        else:
            query = {k: args[k] for k in args}
            query["offset"] = 0
        types = [t for t in (query.get("feedTypes") or "").split(",") if t]
        if not types:
            raise ApiError(400, "InvalidInput", "'feedTypes' is required unless 'nextToken' is given.")
        try:
            size = int(query.get("pageSize", 10))
        except ValueError:
            raise ApiError(400, "InvalidInput", "'pageSize' must be an integer.") from None
        if not 1 <= size <= 100:
            raise ApiError(400, "InvalidInput", "'pageSize' must be between 1 and 100.")
        wanted_status = [s for s in (query.get("processingStatuses") or "").split(",") if s]
        if any(s not in STATUSES for s in wanted_status):
            raise ApiError(400, "InvalidInput", "Invalid 'processingStatuses'.")
        markets = [m for m in (query.get("marketplaceIds") or "").split(",") if m]
        now = market.clock.now()
        since = _when(query["createdSince"], ApiError) if query.get("createdSince") else now - timedelta(days=90)
        until = _when(query["createdUntil"], ApiError) if query.get("createdUntil") else now
        with market.lock:
            found = [view(f, now) for f in sorted(market.feeds.values(), key=lambda f: f["created"], reverse=True)
                     if f["seller"] == seller_id and f["feedType"] in types and since <= f["created"] <= until
                     and (not markets or set(f["marketplaceIds"]) & set(markets))]
        if wanted_status:
            found = [f for f in found if f["processingStatus"] in wanted_status]
        offset = int(query.get("offset", 0))
        out: dict[str, Any] = {"feeds": found[offset:offset + size]}
        if offset + size < len(found):
            out["nextToken"] = base64.urlsafe_b64encode(json.dumps({**query, "offset": offset + size}).encode()).decode()
        return jsonify(out)
