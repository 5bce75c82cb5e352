"""Orders: the list with filters, sort and pages by key; one order with its items, stock,
Magento order, failure, shipments and timeline; what the module should create, its
results, retries. Every status word the pages show, with what it means for the merchant."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

from flask import g, jsonify, request
from sqlalchemy import text

from bridge import db, grid
from bridge.api import bp
from bridge.api.common import body, settings, vault
from bridge.auth import RESOURCES, requires
from bridge.errors import BadRequest
from channel import orders as service
from channel.errors import NotFound
from channel.magento.schema import MagentoSchema

# --- the words ------------------------------------------------------------------------
#: Where an order is on its way into Magento (``magento_status``): label, explanation.
CREATION = {
    "pending": ("Not ready yet", "Amazon has not released this order for shipping yet (payment or prices pending,"
                " or an Amazon-fulfilled order not shipped yet). It goes to Magento once Amazon marks it ready."),
    "offered": ("Waiting for Magento", "Ready and handed to Magento: the module's order job (every 5 minutes)"
                " creates the Magento order on its next run."),
    "creating": ("Being created", "Magento is placing this order now. If its answer was lost, the next run"
                 " finds the order Magento made instead of placing it twice."),
    "created": ("Created in Magento", "The Magento order exists; stock is held by Magento's own reservation."),
    "failed": ("Creation failed", "Magento could not create the order (see the reason). Fix the cause, then"
               " press Retry: it waits for Magento again and is created on the next run."),
    "skipped": ("Not created", "Cancelled on Amazon before it reached Magento: there is nothing to create."),
}
#: Filter values of the creation state; ``waiting`` is every state before Magento answered.
CREATION_FILTERS = {"waiting": ("offered", "creating"), **{k: (k,) for k in CREATION}}
#: Amazon's fulfillment status (Orders API 2026-01-01, ``FulfillmentStatus``).
AMAZON = {
    "PENDING_AVAILABILITY": ("Pre-order", "A pre-order: payment is not authorized yet and the item is not released."),
    "PENDING": ("Pending", "Placed on Amazon but not ready for shipment (payment not confirmed yet)."),
    "UNSHIPPED": ("Unshipped", "Ready for shipment; nothing of it has shipped yet."),
    "PARTIALLY_SHIPPED": ("Partially shipped", "Some items have shipped, not all."),
    "SHIPPED": ("Shipped", "Every item has shipped to the buyer."),
    "CANCELLED": ("Cancelled", "Cancelled on Amazon; it will not be fulfilled."),
    "UNFULFILLABLE": ("Unfulfillable", "Amazon cannot fulfil it (Amazon-fulfilled orders from other channels)."),
}
FULFILLMENT = {
    "MERCHANT": ("You ship", "Merchant-fulfilled: you ship it, and the shipment is confirmed to Amazon from Magento."),
    "AMAZON": ("Amazon ships (FBA)", "Fulfilled by Amazon: Amazon ships it from its warehouse; your stock is"
               " not touched."),
}
#: The order's shipment confirmation to Amazon (``shipment_status``).
SHIPMENT = {
    "none": ("Not confirmed", "No shipment confirmed to Amazon yet (nothing shipped in Magento, or a package is"
             " on its way to Amazon)."),
    "confirmed": ("Confirmed", "Amazon accepted every package shipped in Magento."),
    "failed": ("Confirmation failed", "Amazon refused a package confirmation; see the packages below."),
}
#: One package confirmation (``channel_amazon_shipment.status``).
PACKAGE = {
    "pending": ("To send", "Shipped in Magento; the confirmation goes to Amazon on the next orders run."),
    "unknown": ("Sent, answer not received", "Sent to Amazon without a clear answer; it is checked with Amazon"
                " before it is sent again."),
    "confirmed": ("Accepted by Amazon", "Amazon accepted the package or already shows it."),
    "failed": ("Refused by Amazon", "Amazon refused this confirmation; see its answer."),
    "skipped": ("Nothing to send", "Everything in this package was confirmed before."),
}
#: The stock held for one order item (the reservation ledger).
RESERVATION = {
    "held": ("Held for Amazon", "Reserved when the order arrived, so Magento does not sell the units twice."),
    "by_magento": ("Held by the Magento order", "Our reservation was given back when Magento placed the order,"
                   " which holds the stock itself."),
    "released": ("Released (cancelled)", "The order was cancelled on Amazon; the units are salable again."),
    "none": ("Not reserved", "No stock is held: Amazon ships it, or the item maps to no Magento product."),
}
#: Why Magento did not create an order (the module's ``reason_code``), in plain words.
FAILURE = {
    "product_missing": "An ordered SKU is not a product in Magento. Create or map the product, then retry.",
    "product_disabled": "An ordered product is disabled in Magento or not in the account's website. Enable it,"
                        " then retry.",
    "out_of_stock": "Magento has not enough salable quantity for an item. Add stock, then retry.",
    "address_invalid": "Magento refused the delivery address (a required field is missing or not valid).",
    "store_invalid": "The store view of the account's order settings does not exist or is disabled. Fix the"
                     " account's order settings, then retry.",
    "address_missing": "Amazon sent no street address. Give the app the Direct-to-Consumer Delivery role in"
                       " Seller Central; the order is read again by itself.",
    "other": "Magento refused the order; its message is below.",
}
#: The same reasons in a few words, for the timeline.
FAILURE_SHORT = {"product_missing": "product not in Magento", "product_disabled": "product disabled",
                 "out_of_stock": "not enough stock", "address_invalid": "address refused",
                 "store_invalid": "store view not usable", "address_missing": "no street address", "other": "refused"}
LEGENDS = {"creation": CREATION, "amazon": AMAZON, "fulfillment": FULFILLMENT, "shipment": SHIPMENT,
           "package": PACKAGE, "reservation": RESERVATION}

# --- the list -------------------------------------------------------------------------
SORTS = {"purchased": "purchase_date", "total": "order_total"}
LIST_COLUMNS = ("order_id", "account_id", "amazon_order_id", "amazon_status", "fulfilled_by", "purchase_date",
                "last_update_date", "currency", "order_total", "magento_status", "magento_order_id",
                "magento_increment_id", "magento_failure_reason", "magento_attempts", "shipment_status")
FILTER_PARAMS = ("account_id", "status", "amazon_status", "magento_order_status", "fulfilled_by", "from", "to")
#: Filtered totals stop here: a bounded read, "50,000+" says enough.
ORDER_COUNT_BOUND = 50_000
_STATUS_CODE = re.compile(r"^[a-z0-9_]{1,32}$")


def _prefix() -> str:
    return settings().table_prefix


def _day(name: str, value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be a date (YYYY-MM-DD)", {"parameter": name}) from None
    if not 1970 <= day.year <= 2999:
        raise BadRequest(f"{name} must be a date between 1970 and 2999", {"parameter": name})
    return day


def order_filters(args) -> tuple[list[str], dict, str]:
    """WHERE terms, their values and the join the filters need; a bad value is a 400."""
    where: list[str] = []
    params: dict[str, object] = {}
    join = ""
    raw = args.get("account_id")
    if raw:
        if not raw.isdigit() or len(raw) > 9:
            raise BadRequest("account_id must be a number", {"parameter": "account_id"})
        where.append("o.account_id = :account_id")
        params["account_id"] = int(raw)
    status = args.get("status")
    if status:
        if status not in CREATION_FILTERS:
            raise BadRequest("unknown status", {"parameter": "status", "allowed": sorted(CREATION_FILTERS)})
        members = CREATION_FILTERS[status]
        where.append("o.magento_status IN (" + ", ".join(f":ms{i}" for i in range(len(members))) + ")")
        params.update({f"ms{i}": m for i, m in enumerate(members)})
    amazon = args.get("amazon_status")
    if amazon:
        if amazon not in AMAZON:
            raise BadRequest("unknown amazon_status", {"parameter": "amazon_status", "allowed": sorted(AMAZON)})
        where.append("o.amazon_status = :amazon_status")
        params["amazon_status"] = amazon
    fulfilled = args.get("fulfilled_by")
    if fulfilled:
        if fulfilled not in FULFILLMENT:
            raise BadRequest("fulfilled_by must be MERCHANT or AMAZON", {"parameter": "fulfilled_by"})
        where.append("o.fulfilled_by = :fulfilled_by")
        params["fulfilled_by"] = fulfilled
    magento = args.get("magento_order_status")
    if magento:
        if not _STATUS_CODE.match(magento):
            raise BadRequest("magento_order_status must be a Magento order status code",
                             {"parameter": "magento_order_status"})
        join = f" JOIN `{_prefix()}sales_order` so ON so.entity_id = o.magento_order_id AND so.status = :mos"
        params["mos"] = magento
    start, end = args.get("from"), args.get("to")
    since = datetime.combine(_day("from", start), datetime.min.time()) if start else None
    until = datetime.combine(_day("to", end), datetime.min.time()) + timedelta(days=1) if end else None
    if since is not None:
        params["from"] = since
        where.append("o.purchase_date >= :from")
    if until is not None:
        params["to"] = until
        where.append("o.purchase_date < :to")
    if since is not None and until is not None and since >= until:
        raise BadRequest("from must not be after to", {"parameter": "from"})
    return where, params, join


def _sort(args) -> tuple[str, bool]:
    raw = args.get("sort", "-purchased")
    key = raw.lstrip("-")
    if key not in SORTS:
        raise BadRequest(f"cannot sort by '{key}'", {"parameter": "sort", "allowed": sorted(SORTS)})
    return key, raw.startswith("-")


def _row(r) -> dict:
    out = {}
    for k, v in dict(r).items():
        out[k] = v.isoformat() if hasattr(v, "isoformat") else float(v) if k in (
            "order_total", "price", "quantity", "grand_total") and v is not None else v
    return out


def _labels(out: dict) -> dict:
    for field, words in (("magento_status", CREATION), ("amazon_status", AMAZON), ("fulfilled_by", FULFILLMENT),
                         ("shipment_status", SHIPMENT)):
        if field in out:
            out[field + "_label"] = words.get(out[field], (out[field], ""))[0]
    return out


def order_page(conn, args) -> dict:
    """One page of orders, newest first by default. The first pages by number, any page by
    key (``after``/``before`` the cursor of a row), every read on an index of the order table."""
    page, per_page = grid.page_args(args)
    where, params, join = order_filters(args)
    key, desc = _sort(args)
    column = SORTS[key]
    after, before = args.get("after"), args.get("before")
    if after and before:
        raise BadRequest("give after or before, not both", {"parameter": "before"})
    cursor = grid.decode_cursor(after or before) if (after or before) else None
    if cursor is None and page > grid.OFFSET_PAGES:
        raise BadRequest(f"pages past {grid.OFFSET_PAGES} are reached with after/before cursors",
                         {"parameter": "page"})
    backwards = bool(before)
    reading_desc = desc != backwards
    seek = list(where)
    if cursor is not None:
        value, cid = cursor
        cmp = "<" if reading_desc else ">"
        params.update({"ck": value, "cid": cid})
        if value is None:  # NULLs sort first ascending, last descending
            seek.append(f"(o.{column} IS NULL AND o.order_id {cmp} :cid"
                        + ("" if reading_desc else f" OR o.{column} IS NOT NULL") + ")")
        else:
            seek.append(f"(o.{column} {cmp} :ck OR (o.{column} = :ck AND o.order_id {cmp} :cid)"
                        + (f" OR o.{column} IS NULL" if reading_desc else "") + ")")
    clause = " AND ".join(seek) or "1 = 1"
    direction = "DESC" if reading_desc else "ASC"
    offset = 0 if cursor is not None else (page - 1) * per_page
    cols = ", ".join(f"o.{c}" for c in LIST_COLUMNS)
    rows = conn.execute(text(
        f"SELECT {cols} FROM channel_amazon_order o{join} WHERE {clause}"
        f" ORDER BY o.{column} {direction}, o.order_id {direction} LIMIT {per_page + 1} OFFSET {offset}"),
        params).mappings().all()
    more = len(rows) > per_page
    rows = list(rows[:per_page])
    if backwards:
        rows.reverse()
    count_clause = " AND ".join(where) or "1 = 1"
    found = conn.execute(text(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM channel_amazon_order o{join} WHERE {count_clause}"
        f" LIMIT {ORDER_COUNT_BOUND + 1}) c"), params).scalar() or 0
    total, exact = min(int(found), ORDER_COUNT_BOUND), found <= ORDER_COUNT_BOUND
    statuses = _magento_orders(conn, [r["magento_order_id"] for r in rows if r["magento_order_id"]])
    items = []
    for r in rows:
        out = _labels(_row(r))
        out["magento_order_status"] = statuses.get(r["magento_order_id"])
        out["failure_text"] = FAILURE.get(r["magento_failure_reason"]) if r["magento_status"] == "failed" else None
        items.append(out)
    result = {"items": items, "total": total, "total_exact": exact, "per_page": per_page,
              "page": page if cursor is None else None, "pages": -(-total // per_page) if exact else None,
              "sort": ("-" if desc else "") + key, "next_cursor": None, "prev_cursor": None}
    if rows:
        first = grid.encode_cursor(rows[0][column], rows[0]["order_id"])
        last = grid.encode_cursor(rows[-1][column], rows[-1]["order_id"])
        has_next = more if not backwards else True
        has_prev = (cursor is not None and not backwards) or (backwards and more) or (cursor is None and page > 1)
        result["next_cursor"] = last if has_next else None
        result["prev_cursor"] = first if has_prev else None
    return result


def _magento_orders(conn, ids: list[int]) -> dict[int, dict]:
    """Magento's own status of the orders created, with its label, by ``entity_id``."""
    if not ids:
        return {}
    p = _prefix()
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    rows = conn.execute(text(
        f"SELECT so.entity_id, so.status, so.state, so.increment_id, so.grand_total, so.order_currency_code,"
        f" COALESCE(st.label, so.status) AS label FROM `{p}sales_order` so"
        f" LEFT JOIN `{p}sales_order_status` st ON st.status = so.status WHERE so.entity_id IN ({marks})"),
        {f"i{n}": v for n, v in enumerate(ids)}).mappings().all()
    return {r["entity_id"]: _row(r) for r in rows}


def magento_order_statuses(conn) -> list[dict]:
    """Magento's order statuses (code and label), for the filter."""
    rows = conn.execute(text(f"SELECT status, label FROM `{_prefix()}sales_order_status` ORDER BY label"))
    return [{"status": s, "label": lab} for s, lab in rows]


# --- one order ------------------------------------------------------------------------
LEDGER_COLUMNS = ("kind", "stock_model", "stock_id", "quantity", "created_at")


def _reservation_state(kinds: set[str]) -> str:
    if "release_cancel" in kinds:
        return "released"
    if "release_created" in kinds:
        return "by_magento"
    return "held" if "reserve" in kinds else "none"


def magento_order_url(magento_order_id: int | None) -> str | None:
    """The Magento admin's order page, from the module's ``X-Channel-Order-Url`` (with ``__ID__``)."""
    if not magento_order_id or g.get("standalone"):
        return None
    from bridge.security import safe_url

    base = safe_url(request.headers.get("X-Channel-Order-Url"))
    return base.replace("__ID__", str(int(magento_order_id))) if base and "__ID__" in base else None


def order_detail(conn, order_id: int, with_buyer: bool) -> dict:
    cols = ", ".join(f"o.{c}" for c in service.ORDER_COLUMNS)
    p = _prefix()
    row = conn.execute(text(
        f"SELECT {cols}, o.magento_order_id, o.buyer_name, o.buyer_email, o.shipping_address,"
        f" o.shipment_confirmed_at, o.closed_at, o.buyer_data_purged_at, o.created_at, o.updated_at,"
        f" a.name AS account_name, so.entity_id AS mo_entity_id, so.status AS mo_status, so.state AS mo_state,"
        f" so.increment_id AS mo_increment_id, so.grand_total AS mo_grand_total,"
        f" so.order_currency_code AS mo_order_currency_code, COALESCE(st.label, so.status) AS mo_label"
        f" FROM channel_amazon_order o JOIN channel_amazon_account a ON a.account_id = o.account_id"
        f" LEFT JOIN `{p}sales_order` so ON so.entity_id = o.magento_order_id"
        f" LEFT JOIN `{p}sales_order_status` st ON st.status = so.status"
        f" WHERE o.order_id = :o"), {"o": order_id}).mappings().first()
    if row is None:
        raise NotFound(f"order {order_id} does not exist", {"order_id": order_id})
    order = _labels(_row({k: v for k, v in row.items() if k not in ("buyer_name", "buyer_email",
                                                                   "shipping_address") and not k.startswith("mo_")}))
    order["magento_order"] = _row({k[3:]: row[k] for k in row.keys() if k.startswith("mo_")}) \
        if row["mo_entity_id"] is not None else None
    order["magento_order_url"] = magento_order_url(row["magento_order_id"])
    failed = row["magento_status"] == "failed" or (row["magento_attempts"] and row["magento_failure_reason"]
                                                    and row["magento_status"] in ("offered", "creating"))
    order["failure"] = {
        "reason": row["magento_failure_reason"], "text": FAILURE.get(row["magento_failure_reason"], FAILURE["other"]),
        "message": row["magento_failure_message"], "attempts": row["magento_attempts"],
        "max_attempts": service.MAX_ATTEMPTS, "final": row["magento_status"] == "failed",
    } if failed else None
    order["can_retry"] = row["magento_status"] == "failed" and row["magento_failure_reason"] != "address_missing"
    order["buyer"] = _buyer(row, with_buyer)

    # Items, the listing of each and its stock ledger in one read: a row per ledger entry.
    out_items: list[dict] = []
    by_id: dict[int, dict] = {}
    for r in conn.execute(text(
            "SELECT i.item_id, i.amazon_order_item_id, i.seller_sku, i.asin, i.product_id, i.magento_sku, i.title,"
            " i.qty_ordered, i.price, l.listing_id, l.product_name, l.tab, r.kind, r.stock_model, r.stock_id,"
            " r.quantity, r.created_at FROM channel_amazon_order_item i"
            " LEFT JOIN channel_amazon_listing l ON l.account_id = :a AND l.seller_sku = i.seller_sku"
            " LEFT JOIN channel_amazon_reservation r ON r.item_id = i.item_id"
            " WHERE i.order_id = :o ORDER BY i.item_id, r.reservation_id"),
            {"o": order_id, "a": row["account_id"]}).mappings():
        item = by_id.get(r["item_id"])
        if item is None:
            item = _row({k: r[k] for k in r.keys() if k not in LEDGER_COLUMNS})
            item["line_total"] = round(float(r["price"]) * r["qty_ordered"], 4) if r["price"] is not None else None
            item["reservation"] = {"ledger": []}
            by_id[r["item_id"]] = item
            out_items.append(item)
        if r["kind"] is not None:
            item["reservation"]["ledger"].append(_row({k: r[k] for k in LEDGER_COLUMNS}))
    for item in out_items:
        state = _reservation_state({e["kind"] for e in item["reservation"]["ledger"]})
        item["reservation"].update({"state": state, "label": RESERVATION[state][0]})

    packages = [_labels_package(_row(r)) for r in conn.execute(text(
        "SELECT shipment_id, magento_shipment_id, package_reference_id, carrier_code, carrier_name, shipping_method,"
        " tracking_number, ship_date, items, status, message, attempts, sent_at, confirmed_at, created_at"
        " FROM channel_amazon_shipment WHERE order_id = :o ORDER BY shipment_id"), {"o": order_id}).mappings()]
    return {"order": order, "items": out_items, "packages": packages,
            "timeline": timeline(conn, order_id, row["account_id"], row["amazon_order_id"], row["created_at"])}


def _labels_package(p: dict) -> dict:
    p["items"] = json.loads(p["items"]) if p.get("items") else []
    p["status_label"] = PACKAGE.get(p["status"], (p["status"], ""))[0]
    return p


def _buyer(row, allowed: bool) -> dict:
    """Buyer data only with the buyer data grant; said plainly when hidden or deleted."""
    if row["buyer_data_purged_at"] is not None:
        return {"shown": False, "note": "Deleted on " + row["buyer_data_purged_at"].date().isoformat()
                + " after the order closed, as the account's buyer data retention asks (Amazon's Data Protection"
                " Policy)."}
    if not allowed:
        return {"shown": False, "note": "Hidden: your Magento role lacks " + RESOURCES["orders_pii"] + "."}
    from channel.pii import open_address, open_value

    v = vault()
    buyer = {"shown": True, "name": open_value(v, row["buyer_name"]), "email": open_value(v, row["buyer_email"]),
             "address": open_address(v, row["shipping_address"])}
    if not any((buyer["name"], buyer["email"], buyer["address"])):
        return {"shown": False, "note": "Amazon sent no buyer data for this order (Amazon-fulfilled orders and"
                                        " apps without the restricted roles get none)."}
    return buyer


#: Timeline entries per source, newest first.
TIMELINE_LIMIT = 100
#: Communication log rows are looked for this close to one of the order's events...
LOG_WINDOW = timedelta(minutes=10)
#: ...around at most this many of its latest moments.
LOG_WINDOWS = 20


def timeline(conn, order_id: int, account_id: int, amazon_order_id: str, imported_at) -> list[dict]:
    """What happened: each status change of the order and its packages (kept by the database),
    and the communication log's rows about this order, newest first."""
    entries = []
    for e in conn.execute(text(
            "SELECT event_id, subject, reference, from_status, to_status, attempts, reason, detail, created_at"
            " FROM channel_amazon_order_event WHERE order_id = :o ORDER BY event_id DESC LIMIT :l"),
            {"o": order_id, "l": TIMELINE_LIMIT}).mappings():
        said, shows_detail = _event_text(e)
        entries.append({"at": e["created_at"], "seq": e["event_id"], "source": "order",
                        "subject": e["subject"], "from_status": e["from_status"], "to_status": e["to_status"],
                        "text": said, "detail": e["detail"] if shows_detail else None})
    # Log rows written while something happened to the order that name it: read within a few
    # minutes of its latest events, each window a range of the (account, time) index.
    moments = sorted({e["at"] for e in entries} | ({imported_at} if imported_at else set()))
    windows: list[list] = []
    for t in moments:
        if windows and t - LOG_WINDOW <= windows[-1][1]:
            windows[-1][1] = t + LOG_WINDOW
        else:
            windows.append([t - LOG_WINDOW, t + LOG_WINDOW])
    if windows:
        params = {"a": account_id, "l": TIMELINE_LIMIT,
                  "pat": "%" + amazon_order_id.replace("\\", "").replace("%", "").replace("_", "\\_") + "%"}
        branches = []
        for n, (start, end) in enumerate(windows[-LOG_WINDOWS:]):
            params.update({f"s{n}": start, f"e{n}": end})
            branches.append(f"(SELECT log_id, created_at, level, operation, http_status, message FROM channel_amazon_log"
                            f" WHERE account_id = :a AND created_at BETWEEN :s{n} AND :e{n} AND message LIKE :pat"
                            f" ORDER BY created_at DESC LIMIT :l)")
        for r in conn.execute(text(" UNION ALL ".join(branches) + " ORDER BY log_id DESC LIMIT :l"),
                              params).mappings():
            entries.append({"at": r["created_at"], "seq": 0, "source": "log", "subject": r["operation"],
                            "from_status": None, "to_status": r["level"],
                            "text": (f"Communication log: Amazon answered {r['http_status']} to {r['operation']}"
                                     if r["http_status"] else f"Communication log: {r['operation']}"),
                            "detail": r["message"]})
    entries.sort(key=lambda e: (e["at"], e["seq"]), reverse=True)
    for e in entries:
        e["at"] = e["at"].isoformat()
        del e["seq"]
    return entries


def _event_text(e) -> tuple[str, bool]:
    """What one recorded change means, and whether its message belongs to it."""
    to, before = e["to_status"], e["from_status"]
    if e["subject"] == "amazon":
        label = AMAZON.get(to, (to,))[0]
        return (f"Amazon: {label}" if before is None
                else f"Amazon status {AMAZON.get(before, (before,))[0]} → {label}"), False
    if e["subject"] == "magento":
        label = CREATION.get(to, (to,))[0]
        if before is None:
            return f"Imported: {label}", bool(e["reason"])
        if to in ("offered", "failed") and e["reason"] and (before == to or before == "creating"):
            why = FAILURE_SHORT.get(e["reason"], e["reason"])
            return f"Creation attempt {e['attempts']} failed ({why})" + (
                ": gave up, waits for Retry" if to == "failed" else ": tried again on the next run"), True
        if to == "failed" and e["reason"]:
            return f"{CREATION.get(before, (before,))[0]} → {label} ({FAILURE_SHORT.get(e['reason'], e['reason'])})", True
        if before == "failed" and to == "offered" and not e["attempts"]:
            return "Retry: waiting for Magento again", False
        return f"{CREATION.get(before, (before,))[0]} → {label}", False
    if e["subject"] == "shipment":
        return f"Shipment {SHIPMENT.get(before, (before,))[0]} → {SHIPMENT.get(to, (to,))[0]}", True
    label = PACKAGE.get(to, (to,))[0]
    if before is None:
        return f"Package {e['reference']} shipped in Magento: {label}", True
    if before == to:
        return f"Package {e['reference']} sent again ({e['attempts']} sent)", True
    return f"Package {e['reference']}: {label}" + (f" ({e['attempts']} sent)" if e["attempts"] else ""), True


def can_see_buyer() -> bool:
    return g.caller.allows(RESOURCES["orders_pii"])


# --- routes ---------------------------------------------------------------------------
def _schema():
    return MagentoSchema.detect(db.session.connection(), settings().table_prefix)


@bp.get("/orders")
@requires("orders")
def list_orders():
    allowed = set(FILTER_PARAMS) | {"page", "per_page", "sort", "after", "before"}
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise BadRequest(f"unknown parameter '{unknown[0]}'", {"parameter": unknown[0], "allowed": sorted(allowed)})
    return jsonify(order_page(db.session.connection(), request.args))


@bp.get("/orders/<int:order_id>")
@requires("orders")
def get_order(order_id):
    return jsonify(order_detail(db.session.connection(), order_id, can_see_buyer()))


@bp.get("/orders/offered")
@requires("orders")
def offered():
    return jsonify({"items": service.offered_orders(db.session.connection(), vault(), 50)})


@bp.post("/orders/<int:order_id>/magento-result")
@requires("orders_act")
def magento_result(order_id):
    data = body()
    if not isinstance(data.get("ok"), bool):
        raise BadRequest("ok must be true or false", {"parameter": "ok"})
    magento_order_id = data.get("magento_order_id")
    if magento_order_id is not None and (not isinstance(magento_order_id, int) or isinstance(magento_order_id, bool)):
        raise BadRequest("magento_order_id must be a number", {"parameter": "magento_order_id"})
    store_id = data.get("store_id")
    if store_id is not None and (not isinstance(store_id, int) or isinstance(store_id, bool) or store_id < 0):
        raise BadRequest("store_id must be a number", {"parameter": "store_id"})
    result = service.record_magento_result(db.session.connection(), _schema(), order_id, data["ok"],
                                           data.get("increment_id"), data.get("reason_code"), data.get("message"),
                                           magento_order_id, store_id)
    db.session.commit()
    return jsonify(result)


@bp.post("/orders/<int:order_id>/claim")
@requires("orders_act")
def claim(order_id):
    """Before the module places the Magento order: our reservation released, the order marked creating."""
    result = service.claim_order(db.session.connection(), _schema(), order_id)
    db.session.commit()
    return jsonify(result)


@bp.post("/orders/<int:order_id>/retry")
@requires("orders_act")
def retry(order_id):
    result = service.retry_order(db.session.connection(), order_id)
    db.session.commit()
    return jsonify(result)
