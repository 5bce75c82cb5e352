"""The product page and the search results page: the data behind their fragments."""

from __future__ import annotations

import json

from flask import g, request

from bridge import db
from bridge.auth import RESOURCES
from bridge.errors import BadRequest, Forbidden


def _need(what: str) -> None:
    if not g.caller.allows(RESOURCES[what]):
        raise Forbidden(f"your Magento role does not allow this page ({RESOURCES[what]})")


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise BadRequest(f"{name} must be a number", {"parameter": name})
    return int(raw)


def _account_of(product_id: int | None) -> int | None:
    """Without an account (the product edit page's button): the first account listing the
    product, else the first account."""
    from sqlalchemy import text

    from channel.models import Account

    ids = [a for (a,) in db.session.query(Account.account_id).order_by(Account.account_id)]
    for account_id in ids if product_id is not None else ():
        if db.session.execute(text("SELECT 1 FROM channel_amazon_listing WHERE account_id = :a AND product_id = :p"
                                   " LIMIT 1"), {"a": account_id, "p": product_id}).first():
            return account_id
    return ids[0] if ids else None


def product():
    """One Magento product on one account (``account_id``, ``product_id``; or ``sku``)."""
    _need("view")
    product_id = _int_arg("product_id")
    account_id = _int_arg("account_id") or _account_of(product_id)
    if account_id is None or product_id is None:
        raise BadRequest("account_id and product_id are required", {"parameter": "product_id"})
    return _product(account_id, product_id)


def _product(account_id: int, product_id: int) -> dict:
    from bridge.api.product import product_page
    from bridge.views.pages import TAB_LABELS

    data = product_page(account_id, product_id)
    listing = data["listing"] or {}
    return {"title": f"{data['magento']['name'] or data['magento']['sku']} on {data['account']['name']}", **data,
            "tab_labels": TAB_LABELS, "payload_json": _pretty(data["next_request"].get("body")),
            "pretty": _pretty, "can_act": g.caller.allows(RESOURCES["act"]),
            "can_manage": g.caller.allows(RESOURCES["accounts"]), "listing": listing or None,
            "other_accounts": _other_accounts(account_id)}


def _other_accounts(account_id: int) -> list:
    from channel.models import Account

    return db.session.query(Account.account_id, Account.name).filter(Account.account_id != account_id) \
        .order_by(Account.account_id).all()


def _pretty(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True) if value is not None else ""


def search():
    """Hits across accounts and tabs; a single hit shows its product page at once."""
    _need("view")
    from bridge.api.search import search as run

    q = request.args.get("q", "")
    if not q.strip():
        return {"title": "Search", "q": "", "items": [], "single": None}
    result = run(q)
    items = result["items"]
    if len(items) == 1 and items[0]["product_id"] is not None:
        page = _product(items[0]["account_id"], items[0]["product_id"])
        return {**page, "q": result["q"], "items": items, "single": items[0]}
    return {"title": f"Search: {result['q']}", "q": result["q"], "items": items, "single": None}
