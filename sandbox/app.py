"""The sandbox's HTTP face: Login with Amazon and the SP-API operations the worker uses.

Requests are checked as Amazon checks them (access token, required parameters, rate
limits per seller and operation) and answered in the shapes of Amazon's models;
errors are ``{"errors": [{"code", "message", "details"}]}`` with Amazon's status codes
and every response carries ``x-amzn-RequestId``. ``/_sandbox/...`` is the admin side:
seed and inspect state, inject faults.
"""

from __future__ import annotations

import csv
import gzip
import io
import operator
import uuid
import weakref
from datetime import datetime

from flask import Flask, Response, g, jsonify, request

from sandbox.state import PROCESSING_STEP, Marketplace

REPORT_COLUMNS = (
    "item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date", "image-url",
    "item-is-marketplace", "product-id-type", "zshop-shipping-fee", "item-note", "item-condition",
    "zshop-category1", "zshop-browse-path", "zshop-storefront-feature", "asin1", "asin2", "asin3",
    "will-ship-internationally", "expedited-shipping", "zshop-boldface", "product-id",
    "bid-for-featured-placement", "add-delete", "pending-quantity", "fulfillment-channel",
    "merchant-shipping-group", "status",
)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def create_app(market: Marketplace | None = None) -> Flask:
    app = Flask("sandbox")
    app.config["MARKET"] = market = market or Marketplace()

    @app.errorhandler(ApiError)
    def api_error(err: ApiError):
        body = {"code": err.code, "message": err.message}
        if err.details:
            body["details"] = err.details
        return jsonify({"errors": [body]}), err.status

    @app.errorhandler(404)
    def not_found(_err):
        return jsonify({"errors": [{"code": "NotFound", "message": "Resource not found."}]}), 404

    @app.errorhandler(405)
    def bad_method(_err):
        return jsonify({"errors": [{"code": "InvalidInput", "message": "Method not allowed."}]}), 400

    @app.after_request
    def request_id(resp: Response):
        resp.headers["x-amzn-RequestId"] = getattr(g, "request_id", None) or str(uuid.uuid4())
        # Amazon reports the applied rate on 2xx, 400 and 404 only (never on 429, 401, 403, 5xx).
        operation = getattr(g, "operation", None) or ""
        plan = market.buckets.plan(operation)
        if plan and (resp.status_code < 300 or resp.status_code in (400, 404)):
            resp.headers["x-amzn-RateLimit-Limit"] = f"{plan[0]:g}"
        if resp.status_code == 429 and operation:
            with market.lock:
                market.throttled[operation] = market.throttled.get(operation, 0) + 1
        elif operation == "patchListingsItem" and resp.status_code < 300:
            market.applied(market.clock.now())
        return resp

    def guard(operation: str, grantless: bool = False) -> str:
        """Count the call, apply faults, check the token and the rate limit. A grantless
        token (the application's own) is good only for ``grantless`` operations."""
        g.request_id = str(uuid.uuid4())
        g.operation = operation
        with market.lock:
            market.calls[operation] = market.calls.get(operation, 0) + 1
        fault = market.take_fault(operation)
        if fault:
            if fault.get("kind") == "timeout":
                import time

                time.sleep(float(fault.get("seconds", 2)))
            elif fault.get("kind") == "expire_token":
                market.expire_tokens()
            else:
                status = int(fault.get("status", 500))
                code = {429: "QuotaExceeded", 503: "ServiceUnavailable"}.get(status, "InternalFailure")
                raise ApiError(status, code, "We encountered an internal error. Please try again."
                               if status != 429 else "You exceeded your quota for the requested resource.")
        seller_id, why = market.seller_for_token(request.headers.get("x-amz-access-token"))
        if seller_id is None:
            raise ApiError(403, "Unauthorized", "Access to requested resource is denied.", why)
        if seller_id.startswith("app:") and not grantless:
            raise ApiError(403, "Unauthorized", "Access to requested resource is denied.",
                           "A grantless token does not act for a selling partner.")
        with market.lock:
            if not market.buckets.take(seller_id, operation):
                raise ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
        if operation == "createFeed" and (request.get_json(silent=True) or {}).get("feedType") == "JSON_LISTINGS_FEED" \
                and not market.take_listings_feed(seller_id):
            raise ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource.",
                           "JSON_LISTINGS_FEED accepts 5 feeds per 5 minutes.")
        return seller_id

    def marketplace_ids(seller_id: str, required: bool = True) -> list[str]:
        raw = request.args.get("marketplaceIds") or request.args.get("MarketplaceIds")
        if raw is None and request.is_json:
            raw = (request.get_json(silent=True) or {}).get("marketplaceIds")
        ids = raw.split(",") if isinstance(raw, str) else list(raw or [])
        if required and not ids:
            raise ApiError(400, "InvalidInput", "Missing required 'marketplaceIds'.")
        unknown = [m for m in ids if m not in market.sellers[seller_id].marketplaces]
        if unknown:
            raise ApiError(400, "InvalidInput", f"Invalid 'marketplaceIds' provided: {','.join(unknown)}.")
        return ids

    def body() -> dict:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ApiError(400, "InvalidInput", "Request body is missing or is not a JSON object.")
        return data

    # --- Login with Amazon ------------------------------------------------------------------
    @app.post("/auth/o2/token")
    def lwa_token():
        form = request.form
        if form.get("grant_type") == "authorization_code":
            from sandbox.routes_consent import exchange_code

            return exchange_code(app, market, form)
        if form.get("grant_type") == "client_credentials":
            from sandbox.routes_notifications import grantless_token

            answer, status = grantless_token(market, form)
            return jsonify(answer), status
        if form.get("grant_type") != "refresh_token":
            return jsonify({"error": "unsupported_grant_type", "error_description": "Use refresh_token."}), 400
        with market.lock:
            market.calls["lwa_token"] = market.calls.get("lwa_token", 0) + 1
        fault = market.take_fault("lwa_token") if any(f["operation"] == "lwa_token" and f["count"] > 0
                                                      for f in market.faults) else None
        if fault and fault.get("kind") == "timeout":
            import time

            time.sleep(float(fault.get("seconds", 2)))
        elif fault:
            return jsonify({"error": "rate_exceeded" if int(fault.get("status", 500)) == 429 else "server_error",
                            "error_description": "Rate exceeded"}), int(fault.get("status", 500))
        if market.revoked:
            return jsonify({"error": "invalid_grant", "error_description": "The request has an invalid grant"}), 400
        for seller in market.sellers.values():
            if form.get("refresh_token") == seller.refresh_token:
                if (form.get("client_id"), form.get("client_secret")) != (seller.client_id, seller.client_secret):
                    return jsonify({"error": "invalid_client",
                                    "error_description": "Client authentication failed"}), 401
                token, lifetime = market.issue_token(seller.seller_id)
                return jsonify({"access_token": token, "token_type": "bearer", "expires_in": lifetime,
                                "refresh_token": seller.refresh_token})
        return jsonify({"error": "invalid_grant", "error_description": "The request has an invalid grant"}), 400

    @app.get("/")
    def index():
        return jsonify({"sandbox": "SP-API", "sellers": sorted(market.sellers)})

    # --- Sellers ------------------------------------------------------------------------------
    @app.get("/sellers/v1/marketplaceParticipations")
    def participations():
        seller = market.sellers[guard("getMarketplaceParticipations")]
        return jsonify({"payload": [{
            "marketplace": {"id": m, "name": f"Amazon {m}", "countryCode": "US", "defaultCurrencyCode": "USD",
                            "defaultLanguageCode": "en_US", "domainName": "www.amazon.com"},
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
            "storeName": f"Store of {seller.seller_id}"}
            for m in seller.marketplaces]})

    from sandbox import routes_admin, routes_catalog, routes_documents, routes_feeds, routes_listings, routes_orders
    from sandbox import routes_consent, routes_notifications, routes_pricing

    ctx = {"app": app, "market": market, "guard": guard, "marketplace_ids": marketplace_ids, "body": body,
           "ApiError": ApiError, "iso": iso}
    for module in (routes_documents, routes_feeds, routes_listings, routes_catalog, routes_orders, routes_admin,
                   routes_consent, routes_notifications, routes_pricing):
        module.register(**ctx)
    from sandbox import routes_product_types

    routes_product_types.register(**ctx)
    return app


#: amazon.co.jp: its listings report names the columns in Japanese and is written in Windows-31J.
JP_MARKETPLACE = "A1VC38T7YXB528"
JP_COLUMNS = {
    "seller-sku": "出品者SKU", "asin1": "ASIN 1", "item-name": "商品名", "item-description": "商品の説明",
    "listing-id": "出品ID", "price": "価格", "quantity": "数量", "open-date": "出品日",
    "product-id-type": "商品IDタイプ", "item-note": "コンディション説明", "item-condition": "コンディション",
    "will-ship-internationally": "国外へ配送可", "expedited-shipping": "迅速な配送", "product-id": "商品ID",
    "pending-quantity": "在庫数", "fulfillment-channel": "フルフィルメント・チャンネル",
    "Business Price": "法人価格", "merchant-shipping-group": "merchant-shipping-group",
    "standard-price-point": "ポイント", "status": "ステータス",
}
#: Columns Amazon has added to the report over the years (``extra_columns``), shown first.
EXTRA_COLUMNS = ("Business Price", "Quantity Price Type", "Quantity Lower Bound 1", "Quantity Price 1",
                 "Minimum order quantity", "Sell remainder")


def report_layout(market: Marketplace, marketplace_id: str | None, locale: str | None) -> tuple[list, str]:
    """(column headers as written, charset) of a listings report for that marketplace.

    A Japanese report keeps its Japanese headers when English ones were asked for if
    ``ignore_locale`` is set (sellers see Amazon do that); ``extra_columns`` adds and
    reorders columns as Amazon has done."""
    opts = market.report_options
    columns = list(REPORT_COLUMNS)
    if opts.get("extra_columns"):
        columns = [*EXTRA_COLUMNS, *reversed(columns)]
    if marketplace_id == JP_MARKETPLACE:
        if locale != "en_US" or opts.get("ignore_locale"):
            columns = [JP_COLUMNS.get(c, c) for c in ("seller-sku", "asin1", "item-name", "item-description",
                                                       "listing-id", "price", "quantity", "open-date",
                                                       "product-id-type", "item-note", "item-condition",
                                                       "will-ship-internationally", "expedited-shipping",
                                                       "product-id", "pending-quantity", "fulfillment-channel",
                                                       "Business Price", "merchant-shipping-group",
                                                       "standard-price-point", "status")]
        return columns, "Windows-31J"
    return columns, ("Cp1252" if opts.get("encoding") == "cp1252" else "UTF-8")


def build_report(market: Marketplace, seller_id: str, marketplace_id: str | None = None,
                 locale: str | None = None) -> bytes:
    """GET_MERCHANT_LISTINGS_ALL_DATA as Amazon writes it: tab-separated, header first.

    With ``stale_age`` in the report options the content is stale, as Amazon's cached
    report can be: the rows are those of the first report built after the option was set.
    Lines are joined as they are (a report holds a seller's whole catalogue); a value the
    csv module would quote (a tab, quote or line end in it) has its row written by it."""
    columns, charset = report_layout(market, marketplace_id, locale)
    english = {JP_COLUMNS.get(c, c): c for c in JP_COLUMNS} if marketplace_id == JP_MARKETPLACE else {}
    with market.lock:
        rows = market.report_snapshots.get(seller_id) if market.report_options.get("stale_age") else None
        if rows is None:
            rows = _report_rows(market, seller_id)
        if market.report_options.get("stale_age"):
            market.report_snapshots.setdefault(seller_id, rows)
        else:
            market.report_snapshots.pop(seller_id, None)
    # Each column's value by its place in a row (REPORT_VALUES); a column without one is empty.
    at = {key: i for i, key in enumerate(REPORT_VALUES)}
    places = [at.get(english.get(c, c), len(REPORT_VALUES)) for c in columns]
    pick = operator.itemgetter(*places) if len(places) > 1 else (lambda row: (row[places[0]],))
    header = "\t".join(columns) if _plain(columns) else _csv_line(columns)
    try:
        body = "\n".join(["\t".join(pick(row)) for row in rows])
    except TypeError:  # a value that is not a string: row by row
        body = None
    # Each value holds no tab and no line end when the document has as many as its rows and
    # columns make, and the csv module quotes nothing without a quote or carriage return.
    if body is not None and len(columns) > 1 and '"' not in body and "\r" not in body \
            and body.count("\n") == max(len(rows) - 1, 0) and body.count("\t") == len(rows) * (len(columns) - 1):
        text = header + "\n" + body + "\n" if rows else header + "\n"
    else:
        text = "".join([header, "\n", *(_csv_line(pick(row)) + "\n" for row in rows)])
    encoding = "cp932" if charset == "Windows-31J" else str(market.report_options.get("encoding") or "utf-8")
    return text.encode(encoding, errors="replace")


def _plain(values: list) -> bool:
    return all(isinstance(v, str) and not ({"\t", '"', "\n", "\r"} & set(v)) for v in values) and any(values)


def _csv_line(values) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerow(values)
    return out.getvalue()[:-1]


#: A report row's values, in this order (``_report_rows``), then an empty one for the columns
#: the sandbox has no value for.
REPORT_VALUES = ("item-name", "listing-id", "seller-sku", "price", "quantity", "open-date", "item-is-marketplace",
                 "product-id-type", "item-condition", "asin1", "product-id", "fulfillment-channel", "status",
                 "Business Price")


#: The rows of each seller's last report by SKU, with what each was made of: a listing that
#: has not changed since is not formatted again (a report holds the whole catalogue).
_LAST_ROWS: weakref.WeakKeyDictionary[Marketplace, dict[str, dict]] = weakref.WeakKeyDictionary()


def warm_reports(market: Marketplace) -> None:
    """Each seller's report rows formatted ahead, as a seed loads (``python -m sandbox
    --seed``): Amazon keeps the data of its listings reports ready, and builds a report
    from it, so the first report of a big seeded catalogue is not formatted row by row
    while it is requested (on a shared machine, that work would compete with the caller's).
    A listing that changes afterwards is formatted again when a report is built."""
    with market.lock:
        for seller_id in list(market.sellers):
            _report_rows(market, seller_id)


def _report_rows(market: Marketplace, seller_id: str) -> list[tuple]:
    rows: list[tuple] = []
    refresh, append = market.refresh_listing, rows.append
    last = _LAST_ROWS.setdefault(market, {}).get(seller_id) or {}
    made: dict[str, tuple] = {}
    for listing in market.sellers[seller_id].listings.values():
        refresh(listing)
        if listing.visible_at is not None and market.clock.now() < listing.visible_at:
            continue  # not shown by Amazon yet (the API answers 404 too)
        sku = listing.sku
        of = (listing.title, listing.price, listing.quantity, listing.fulfillment_channel, listing.status,
              listing.asin, listing.created)
        before = last.get(sku)
        if before is not None and before[0] == of:
            made[sku] = before
            append(before[1])
            continue
        fba = listing.fulfillment_channel != "DEFAULT"
        # Amazon lists an offer without price, or a merchant-fulfilled one without stock, as Inactive.
        sellable = listing.price is not None and (fba or (listing.quantity or 0) > 0)
        status = "Active" if listing.status == "BUYABLE" and sellable else "Inactive"
        asin = listing.asin or ""
        row = (
            listing.title or sku, f"L{abs(hash(sku)) % 10**10:010d}", sku,
            "" if listing.price is None else f"{listing.price:.2f}",
            "" if fba or listing.quantity is None else str(listing.quantity),
            listing.created.isoformat(" ", "seconds")[:19] + " PST", "y", "1", "11", asin, asin,
            listing.fulfillment_channel, status, "", "",
        )
        made[sku] = (of, row)
        append(row)
    _LAST_ROWS[market][seller_id] = made
    return rows


def processing_status(created: datetime, now: datetime, fatal: bool = False) -> str:
    elapsed = (now - created).total_seconds()
    if elapsed < PROCESSING_STEP:
        return "IN_QUEUE"
    if elapsed < 2 * PROCESSING_STEP:
        return "IN_PROGRESS"
    return "FATAL" if fatal else "DONE"


def store_document(market: Marketplace, content: bytes, content_type: str, gzip_it: bool = False) -> str:
    doc_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
    if gzip_it:
        content = gzip.compress(content)
    market.documents[doc_id] = {"content": content, "content_type": content_type,
                                "compression": "GZIP" if gzip_it else None}
    return doc_id
