"""Short jobs the admin's product page runs against Amazon on demand: the listing as
Amazon holds it (getListingsItem) and a catalog search by keywords. The bridge never
calls Amazon inside a request; it enqueues these by name and shows their results."""

from __future__ import annotations

from sqlalchemy.orm import Session

from worker import runtime


def _client(session: Session, account_id: int):
    from channel.models import Account
    from worker.amazon.factory import client_for

    account = session.get(Account, int(account_id))
    if account is None:
        return None, None
    return account, client_for(account, runtime.settings(), runtime.redis_conn(), max_attempts=2)


def fetch_listing(account_id: int, seller_sku: str) -> dict:
    """getListingsItem for one SKU: status, issues, offer and quantity as Amazon holds them."""
    from worker.amazon import listings
    from worker.amazon.errors import AmazonError
    from worker.sync.exporter import offer_on_amazon

    with Session(runtime.engine()) as session:
        account, client = _client(session, account_id)
        if account is None:
            return {"error": "no such account"}
        try:
            item = listings.get_item(client, seller_sku)
        except AmazonError as exc:
            return {"error": exc.message}
    if item is None:
        return {"found": False, "seller_sku": seller_sku}
    status, issues = listings.status_of(item)
    price, qty = offer_on_amazon(item)
    summary = (item.get("summaries") or [{}])[0]
    return {"found": True, "seller_sku": seller_sku, "status": status, "issues": issues,
            "price": None if price is None else str(price), "quantity": qty, "asin": summary.get("asin"),
            "condition": summary.get("conditionType"), "item": item}


def search_catalog(account_id: int, keywords: str) -> dict:
    """searchCatalogItems by keywords in the account's marketplace."""
    from worker.amazon import catalog
    from worker.amazon.errors import AmazonError

    with Session(runtime.engine()) as session:
        account, client = _client(session, account_id)
        if account is None:
            return {"error": "no such account"}
        try:
            return {"items": catalog.search_by_keywords(client, keywords.split())}
        except AmazonError as exc:
            return {"error": exc.message}
