"""Reports and feeds: create, poll through IN_QUEUE and IN_PROGRESS to DONE, documents."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from flask import Response, jsonify, request

from sandbox.feeds import apply_feed
from sandbox.state import PROCESSING_STEP

#: Report types Amazon accepts (the ones sellers ask for most); others are refused with 400.
#: Only the merchant listings report has content here; the others end FATAL.
REPORT_TYPES = {
    "GET_MERCHANT_LISTINGS_ALL_DATA", "GET_MERCHANT_LISTINGS_DATA", "GET_MERCHANT_LISTINGS_INACTIVE_DATA",
    "GET_FLAT_FILE_OPEN_LISTINGS_DATA", "GET_AFN_INVENTORY_DATA", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE",
    "FEE_DISCOUNTS_REPORT", "GET_FBA_FULFILLMENT_CUSTOMER_TAXES_DATA", "GET_SALES_AND_TRAFFIC_REPORT",
}
#: Seconds (sandbox time) a pre-signed document URL is valid, as on Amazon's S3.
URL_TTL = 300
EXPIRED = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
           '<Message>Request has expired</Message><X-Amz-Expires>300</X-Amz-Expires></Error>')


def shape_report(content: bytes, opts: dict) -> bytes:
    """The listings report as the fault options damage it: ``truncate`` (True or
    ``"mid_row"``: cut inside a row; ``"line"``: cut after a complete row), ``empty``,
    ``drop_fraction`` (that share of the rows missing), ``no_status`` (no status column)."""
    if not any(opts.get(fault) for fault in ("no_status", "drop_fraction", "empty", "truncate")):
        return content
    lines = content.split(b"\n")
    if opts.get("no_status"):
        header = lines[0].split(b"\t")
        if b"status" in header:
            col = header.index(b"status")
            lines = [b"\t".join(f for i, f in enumerate(line.split(b"\t")) if i != col) if line else line
                     for line in lines]
    if opts.get("drop_fraction"):
        body = [line for line in lines[1:] if line]
        keep = len(body) - int(len(body) * float(opts["drop_fraction"]))
        lines = [lines[0], *body[:keep], b""]
    content = b"\n".join(lines)
    if opts.get("empty"):
        return b""
    cut = opts.get("truncate")
    if cut == "line":
        content = content[: content.rfind(b"\n", 0, len(content) // 2) + 1]
    elif cut:
        half = len(content) // 2
        while half > 0 and content[half - 1:half] in (b"\n", b"\t"):
            half -= 1
        content = content[:half]
    return content


def damage_feed_report(report: dict, fault: str | None) -> bytes:
    """The processing report as the ``feed_report`` fault leaves it: ``empty`` (no bytes),
    ``malformed`` (not JSON) or ``missing_messages`` (accounts for half the messages)."""
    if fault == "empty":
        return b""
    if fault == "malformed":
        return json.dumps(report).encode()[:40]
    if fault == "missing_messages":
        summary = dict(report.get("summary") or {})
        processed = int(summary.get("messagesProcessed", 0))
        summary["messagesProcessed"] = processed // 2
        summary["messagesAccepted"] = max(0, processed // 2 - int(summary.get("messagesInvalid", 0)))
        report = {**report, "summary": summary}
    return json.dumps(report).encode()


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    from sandbox.app import build_report, processing_status, report_layout, store_document

    @app.post("/reports/2021-06-30/reports")
    def create_report():
        seller_id = guard("createReport")
        data = body()
        if not data.get("reportType"):
            raise ApiError(400, "InvalidInput", "Missing required 'reportType'.")
        if data["reportType"] not in REPORT_TYPES:
            raise ApiError(400, "InvalidInput", f"Invalid 'reportType': {data['reportType']}.")
        ids = marketplace_ids(seller_id)
        options = data.get("reportOptions") or {}
        if not isinstance(options, dict) or not all(isinstance(v, str) for v in options.values()):
            raise ApiError(400, "InvalidInput", "'reportOptions' must map names to string values.")
        report_id = market.next_id()
        fatal = data["reportType"] != "GET_MERCHANT_LISTINGS_ALL_DATA" or market.report_options.get("fatal")
        market.reports[report_id] = {"reportId": report_id, "reportType": data["reportType"],
                                     "marketplaceIds": ids, "created": market.clock.now(), "seller": seller_id,
                                     "fatal": bool(fatal), "document": None,
                                     "locale": options.get("preferredReportDocumentLocale"),
                                     "stale_age": float(market.report_options.get("stale_age") or 0),
                                     "cancelled": bool(market.report_options.get("cancelled"))}
        return jsonify({"reportId": report_id}), 202

    @app.get("/reports/2021-06-30/reports/<report_id>")
    def get_report(report_id):
        seller_id = guard("getReport")
        report = market.reports.get(report_id)
        if not report or report["seller"] != seller_id:
            raise ApiError(404, "NotFound", f"Report {report_id} not found.")
        now = market.clock.now()
        status = processing_status(report["created"], now, report["fatal"])
        if status == "DONE" and report.get("cancelled"):
            status = "CANCELLED"
        # The listings report comes from a cache: its data is as old as the snapshot it was built from.
        taken = iso(report["created"] - timedelta(seconds=report.get("stale_age", 0)))
        out = {"reportId": report_id, "reportType": report["reportType"], "marketplaceIds": report["marketplaceIds"],
               "createdTime": iso(report["created"]), "processingStatus": status,
               "dataStartTime": taken, "dataEndTime": taken}
        if status in ("IN_PROGRESS", "DONE", "FATAL", "CANCELLED"):
            out["processingStartTime"] = iso(report["created"])
        if status == "CANCELLED":
            out["processingEndTime"] = iso(now)
        if status == "DONE":
            if report["document"] is None:
                opts = market.report_options
                marketplace, locale = report["marketplaceIds"][0], report.get("locale")
                content = shape_report(build_report(market, seller_id, marketplace, locale), opts)
                charset = report_layout(market, marketplace, locale)[1]
                report["document"] = store_document(market, content, "text/tab-separated-values; charset="
                                                    + charset, gzip_it=bool(opts.get("gzip")))
                if opts.get("gzip") and opts.get("cut_gzip"):  # the compressed file stops short
                    stored = market.documents[report["document"]]
                    stored["content"] = stored["content"][: len(stored["content"]) * 2 // 3]
            out["reportDocumentId"] = report["document"]
            out["processingEndTime"] = iso(now)
        return jsonify(out)

    @app.get("/reports/2021-06-30/documents/<doc_id>")
    def get_report_document(doc_id):
        guard("getReportDocument")
        return document_reference(doc_id, "reportDocumentId")

    def document_reference(doc_id, key):
        doc = market.documents.get(doc_id)
        if doc is None:
            raise ApiError(404, "NotFound", f"Document {doc_id} not found.")
        # Pre-signed for URL_TTL seconds; ``expire_urls``: that many URLs are handed out
        # already expired (as when a download starts more than five minutes later).
        signed = market.clock.now()
        with market.lock:
            if int(market.report_options.get("expire_urls") or 0) > 0:
                market.report_options["expire_urls"] = int(market.report_options["expire_urls"]) - 1
                signed -= timedelta(seconds=URL_TTL + 1)
        out = {key: doc_id, "url": f"{request.host_url}_sandbox/documents/{doc_id}"
                                   f"?X-Amz-Date={signed.strftime('%Y%m%dT%H%M%SZ')}&X-Amz-Expires={URL_TTL}"}
        if doc["compression"]:
            out["compressionAlgorithm"] = doc["compression"]
        return jsonify(out)

    @app.post("/feeds/2021-06-30/documents")
    def create_feed_document():
        guard("createFeedDocument")
        data = body()
        if not data.get("contentType"):
            raise ApiError(400, "InvalidInput", "Missing required 'contentType'.")
        doc_id = store_document(market, b"", data["contentType"])
        market.documents[doc_id]["upload"] = True
        return jsonify({"feedDocumentId": doc_id, "url": f"{request.host_url}_sandbox/documents/{doc_id}"}), 201

    @app.post("/feeds/2021-06-30/feeds")
    def create_feed():
        seller_id = guard("createFeed")
        data = body()
        if data.get("feedType") != "JSON_LISTINGS_FEED":
            raise ApiError(400, "InvalidInput", "Unsupported 'feedType'; this marketplace takes JSON_LISTINGS_FEED.")
        ids = marketplace_ids(seller_id)
        doc = market.documents.get(data.get("inputFeedDocumentId") or "")
        if doc is None:
            raise ApiError(400, "InvalidInput", "Invalid 'inputFeedDocumentId'.")
        feed_id = market.next_id()
        market.feeds[feed_id] = {"feedId": feed_id, "feedType": data["feedType"], "marketplaceIds": ids,
                                 "created": market.clock.now(), "seller": seller_id, "input": doc["content"],
                                 "result": None, "fatal": False}
        return jsonify({"feedId": feed_id}), 202

    @app.get("/feeds/2021-06-30/feeds/<feed_id>")
    def get_feed(feed_id):
        seller_id = guard("getFeed")
        feed = market.feeds.get(feed_id)
        if not feed or feed["seller"] != seller_id:
            raise ApiError(404, "NotFound", f"Feed {feed_id} not found.")
        now = market.clock.now()
        if feed["result"] is None and processing_status(feed["created"], now) == "DONE":
            report, fatal = apply_feed(market, feed)
            feed["fatal"] = fatal
            if not fatal:  # Amazon applied it when processing ended, whenever it is asked
                market.applied(feed["created"] + timedelta(seconds=2 * PROCESSING_STEP))
            feed["result"] = store_document(market, damage_feed_report(report, market.feed_report),
                                            "application/json")
        status = processing_status(feed["created"], now, feed["fatal"])
        out = {"feedId": feed_id, "feedType": feed["feedType"], "marketplaceIds": feed["marketplaceIds"],
               "createdTime": iso(feed["created"]), "processingStatus": status}
        if status != "IN_QUEUE":
            out["processingStartTime"] = iso(feed["created"])
        if status in ("DONE", "FATAL"):
            out["processingEndTime"] = iso(now)
            out["resultFeedDocumentId"] = feed["result"]
        return jsonify(out)

    @app.get("/feeds/2021-06-30/documents/<doc_id>")
    def get_feed_document(doc_id):
        guard("getFeedDocument")
        return document_reference(doc_id, "feedDocumentId")

    @app.route("/_sandbox/documents/<doc_id>", methods=["GET", "PUT"])
    def document(doc_id):
        doc = market.documents.get(doc_id)
        if doc is None:
            return Response("NoSuchKey", status=404)
        if request.method == "PUT":
            if not doc.get("upload"):
                return Response("AccessDenied", status=403)
            if request.content_type != doc["content_type"]:
                return Response("SignatureDoesNotMatch: Content-Type differs from createFeedDocument", status=403)
            doc["content"] = request.get_data()
            return Response(status=200)
        signed = request.args.get("X-Amz-Date")
        if signed:
            stamp = datetime.strptime(signed, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            if market.clock.now() > stamp + timedelta(seconds=int(request.args.get("X-Amz-Expires", URL_TTL))):
                return Response(EXPIRED, status=403, content_type="application/xml")
        return Response(doc["content"], content_type=doc["content_type"])
