"""What each admin page shows: the data behind one fragment, read through the API's queries."""

from __future__ import annotations

from flask import g, request
from sqlalchemy import text

from bridge import db, grid
from bridge.api.activity import overview_rows, trend_rows
from bridge.auth import RESOURCES
from bridge.charts import line_chart, stacked_area
from bridge.errors import Forbidden
from bridge.reasons import describe
from bridge.views.orders import order, orders  # noqa: F401  (the orders pages)
from bridge.views.product import product, search  # noqa: F401  (the product page, search)
from channel import accounts as service
from channel import jobs, marketplaces
from channel.models import Account
from channel.rules import dump_rule, parse_rule
from channel.tabs import VISIBLE_TABS

TAB_LABELS = {"active": "Active", "ready_to_list": "Ready to list", "inactive": "Inactive",
              "ineligible": "Ineligible", "incomplete": "Incomplete", "ended": "Ended",
              "new_third_party": "New third party"}
#: Tabs whose products may still take an ASIN by hand: the grid offers "Find ASINs on Amazon".
ASIN_TABS = ("incomplete", "ready_to_list")


def _need(what: str) -> None:
    if not g.caller.allows(RESOURCES[what]):
        raise Forbidden(f"your Magento role does not allow this page ({RESOURCES[what]})")


def _account_id() -> int | None:
    raw = request.args.get("account_id")
    if raw is None:
        first = (db.session.query(Account.account_id).filter(Account.status != "deleted")
                 .order_by(Account.account_id).first())
        return first[0] if first else None
    if not raw.isdigit():
        from bridge.errors import BadRequest

        raise BadRequest("account_id must be a number", {"parameter": "account_id"})
    return int(raw)


def _accounts():
    return db.session.query(Account).filter(Account.status != "deleted").order_by(Account.account_id).all()


def overview():
    _need("view")
    from bridge.api.alerts import current_alerts

    return {"title": "Amazon accounts", "rows": overview_rows(), "tab_labels": TAB_LABELS,
            "alerts": current_alerts(db.session.connection())}


def dashboard():
    _need("view")
    account_id = _account_id()
    if account_id is None:
        return {"title": "Dashboard", "account": None, "accounts": []}
    acc = service.get(db.session, account_id)
    trends = trend_rows(account_id, 30)
    conn = db.session.connection()
    errors = conn.execute(text(
        "SELECT SUM(http_status = 429), SUM(level = 'error') FROM channel_amazon_log WHERE account_id = :a"
        " AND created_at >= NOW() - INTERVAL 1 DAY"), {"a": account_id}).one()
    job = jobs.progress(db_redis(), jobs.sync_job_id(account_id))
    sales7 = trends[-7:]
    from bridge.api.alerts import current_alerts
    from channel.alerts import health

    account_alerts = current_alerts(conn, account_id)
    return {
        "title": f"Dashboard: {acc.name}", "account": service.public(acc), "accounts": _accounts(),
        "counts": grid.tab_counts(conn, account_id), "tab_labels": TAB_LABELS,
        "throttled_24h": int(errors[0] or 0), "errors_24h": int(errors[1] or 0), "job": job,
        "sales_chart_30": line_chart([t["day"][5:] for t in trends], [t["revenue"] for t in trends],
                                     "Revenue per day, last 30 days"),
        "orders_7": sum(t["orders"] for t in sales7), "revenue_7": sum(t["revenue"] for t in sales7),
        "orders_30": sum(t["orders"] for t in trends), "revenue_30": sum(t["revenue"] for t in trends),
        "states_chart": stacked_area([t["day"][5:] for t in trends],
                                     {TAB_LABELS.get(k, k): [t["tab_counts"].get(k, 0) for t in trends]
                                      for k in TAB_LABELS}, "Listings per tab over time"),
        "recent_orders": recent_orders(account_id),
        "alerts": account_alerts, "health": health(account_alerts),
        "steps": conn.execute(text(
            "SELECT step, status, message, finished_at, last_ok_at, failures FROM channel_amazon_sync_step"
            " WHERE account_id = :a ORDER BY FIELD(step, 'import', 'match', 'asin_lookup', 'classify', 'publish',"
            " 'new_asin', 'attributes', 'price_stock', 'orders', 'record')"), {"a": account_id}).mappings().all(),
    }


def db_redis():
    from flask import current_app

    return current_app.extensions["channel_redis"]


def recent_orders(account_id: int) -> list[dict]:
    from bridge.api.orders import AMAZON, CREATION

    conn = db.session.connection()
    exists = conn.execute(text("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                               " AND table_name = 'channel_amazon_order'")).scalar()
    if not exists:
        return []
    rows = conn.execute(text(
        "SELECT order_id, amazon_order_id, amazon_status, purchase_date, order_total, currency, magento_status,"
        " magento_increment_id FROM channel_amazon_order WHERE account_id = :a ORDER BY purchase_date DESC LIMIT 10"),
        {"a": account_id}).mappings().all()
    # Each status with the words of the orders pages: (label, what it means).
    return [{**r, "amazon_words": AMAZON.get(r["amazon_status"], (r["amazon_status"], "")),
             "magento_words": CREATION.get(r["magento_status"], (r["magento_status"], ""))} for r in rows]


def listings():
    _need("view")
    account_id = _account_id()
    if account_id is None:
        return {"title": "Listings", "account": None, "accounts": []}
    acc = service.get(db.session, account_id)
    args = request.args.copy()
    args.pop("account_id", None)
    args.setdefault("tab", "active")
    result = grid.listings(db.session.connection(), args, account_id)
    return {"title": f"Listings: {acc.name}", "account": service.public(acc), "accounts": _accounts(),
            "tab": args["tab"], "tabs": [t.value for t in VISIBLE_TABS], "tab_labels": TAB_LABELS,
            "counts": grid.tab_counts(db.session.connection(), account_id), "result": result,
            "filters": {k: request.args.get(k, "") for k in ("sku", "name", "asin", "reason")},
            "sort": request.args.get("sort", "sku"), "can_act": g.caller.allows(RESOURCES["act"]),
            "per_page": result["per_page"], "asin_tabs": ASIN_TABS, "asin_search_limit": jobs.MAX_ASIN_SEARCH}


def accounts():
    _need("view")
    return {"title": "Amazon accounts", "items": [service.public(a) for a in _accounts()],
            "can_manage": g.caller.allows(RESOURCES["accounts"])}


def _connect_callback() -> dict:
    """Amazon's redirect back from the consent page: the state checked and used up, the
    code handed to a worker job the page follows; or the sentence saying why not."""
    from flask import current_app

    from bridge.api.common import vault
    from channel import lwa_oauth
    from channel.errors import InvalidInput

    from bridge.api.connect import enqueue_exchange

    settings = current_app.extensions["channel_settings"]
    if request.args.get("connect_job"):  # the standalone callback's page, moving on here
        return {"job_id": request.args["connect_job"][:64]}
    if request.args.get("connect_error"):
        return {"error": lwa_oauth.REFUSALS.get(request.args["connect_error"], lwa_oauth.REFUSALS["forged"])}
    try:
        nonce = lwa_oauth.accept_callback(db_redis(), vault(), str(settings.bridge_secret), request.args,
                                          user=g.caller.user)
    except InvalidInput as exc:
        return {"error": str(exc)}
    return {"job_id": enqueue_exchange(nonce)}


def onboarding():
    _need("accounts")
    connect = (_connect_callback() if {"state", "spapi_oauth_code", "connect_job", "connect_error"} & set(request.args)
               else None)
    account_id = request.args.get("account_id")
    acc = service.get(db.session, int(account_id)) if account_id and account_id.isdigit() else None
    websites = db.session.execute(text(
        f"SELECT website_id, name FROM `{_prefix()}store_website` WHERE website_id > 0 ORDER BY website_id")).all()
    from channel.matching import normalize_mapping
    from channel.pricing import AccountSettings

    from bridge import settings_help
    from channel.lwa_oauth import REGIONS

    return {"title": "Connect and set up an Amazon account", "account": service.public(acc) if acc else None,
            "connect": connect, "regions": REGIONS, "setting_sections": settings_help.SECTIONS,
            "setting_value": settings_help.value, "currency_note": _currency_note(acc) if acc else None,
            "marketplaces": sorted(marketplaces.MARKETPLACES.values(), key=lambda m: m.name),
            "websites": websites,
            "mapping": normalize_mapping(acc.identifier_mapping) if acc else None,
            "rule": dump_rule(parse_rule(acc.listing_rule)) if acc else None,
            "settings": AccountSettings.from_json(acc.settings).to_json() if acc else None}


def _currency_note(acc) -> str | None:
    """Which currencies the rate converts between: the website's base currency and the marketplace's."""
    row = db.session.execute(text(
        f"SELECT value FROM `{_prefix()}core_config_data` WHERE path = 'currency/options/base'"
        " AND ((scope = 'websites' AND scope_id = :w) OR (scope = 'default' AND scope_id = 0))"
        " ORDER BY scope = 'websites' DESC LIMIT 1"), {"w": acc.website_id}).first()
    market = marketplaces.MARKETPLACES.get(acc.marketplace_id)
    if row is None or market is None:
        return None
    if row[0] == market.currency:
        return f"Magento's prices and {market.name} are both in {market.currency}: keep 1."
    return f"Magento's prices are in {row[0]}; {market.name} sells in {market.currency}."


def _prefix() -> str:
    from flask import current_app

    return current_app.extensions["channel_settings"].table_prefix


def log():
    _need("logs")
    account_id = _account_id()
    rows = db.session.execute(text(
        "SELECT created_at, level, operation, http_status, error_code, message, request_id FROM channel_amazon_log"
        " WHERE account_id <=> :a ORDER BY log_id DESC LIMIT 200"), {"a": account_id}).mappings().all()
    from bridge.api.alerts import current_alerts

    return {"title": "Communication log", "rows": rows, "accounts": _accounts(), "account_id": account_id,
            "alerts": current_alerts(db.session.connection(), account_id)}


def history():
    _need("logs")
    account_id = _account_id()
    rows = db.session.execute(text(
        "SELECT c.created_at, l.seller_sku, l.product_name, c.from_tab, c.to_tab, c.to_reason, c.detail"
        " FROM channel_amazon_listing_change c JOIN channel_amazon_listing l ON l.listing_id = c.listing_id"
        " WHERE c.account_id <=> :a ORDER BY c.change_id DESC LIMIT 200"), {"a": account_id}).mappings().all()
    return {"title": "Listing change history", "rows": rows, "accounts": _accounts(), "account_id": account_id,
            "describe": describe, "tab_labels": TAB_LABELS}
