"""The new-ASIN pages: the attribute mapping screen under an account (product type search,
one row per Amazon attribute, save, validation counts) with "Create on Amazon" for a
product, and what the product page and the Incomplete tab show of a product's way to a
new ASIN (``new_asin_for``, ``new_asins_for``: one read per page)."""

from __future__ import annotations


from flask import g, render_template
from markupsafe import Markup

from bridge import db
from bridge.views import bp
from bridge.views.product import _int_arg, _need
from bridge.errors import BadRequest

def _context() -> dict:
    from channel import new_asin, product_types
    from channel.accounts import get as get_account

    _need("view")
    account_id = _int_arg("account_id")
    if account_id is None:
        raise BadRequest("account_id is required", {"parameter": "account_id"})
    acc = get_account(db.session, account_id)
    conn = db.session.connection()
    product_id = _int_arg("product_id")
    product, flow = None, None
    if product_id is not None:
        from bridge.api.common import reader

        found = [p for batch in reader().iter_batches(acc.website_id, attributes=["name"], entity_ids=[product_id],
                                                      in_website_only=False) for p in batch]
        if found:
            product = {"entity_id": found[0].entity_id, "sku": found[0].sku, "name": found[0].get("name"),
                       "type_id": found[0].type_id}
            rows = new_asin.rows(conn, account_id, product_ids=[product_id])
            flow = rows[0] if rows else None
    return {"title": f"New products on Amazon: {acc.name}", "account": acc,
            "product_types": product_types.cached_types(conn, acc.marketplace_id),
            "mapped": new_asin.mapped_types(conn, account_id), "product": product, "flow": flow,
            "counts": new_asin.counts(conn, account_id), "view": "new_asin"}


def _render(standalone: bool):
    context = _context()
    fragment = Markup(render_template("new_asin.html", **context))
    if standalone:
        fragment += Markup('<script src="/static/new_asin.js"></script>')
        return render_template("standalone.html", fragment=fragment, **context)
    # Inside Magento the module's RequireJS bundle carries new_asin.js (tests/php/sync_script.sh):
    # the admin strips inline scripts from fragments.
    return fragment


@bp.get("/fragments/new_asin")
def new_asin_fragment():
    return _render(standalone=False)


@bp.get("/ui/new_asin")
def new_asin_standalone():
    return _render(standalone=True)


@bp.app_template_global("new_asin_for")
def new_asin_for(account_id: int, product_id: int) -> dict | None:
    """The product's way to a new ASIN on the account, or None."""
    from channel import new_asin

    if not g.get("caller") or not account_id or not product_id:
        return None
    found = new_asin.rows(db.session.connection(), int(account_id), product_ids=[int(product_id)])
    return found[0] if found else None


@bp.app_template_global("new_asins_for")
def new_asins_for(account_id: int, items) -> dict:
    """Product id -> its way to a new ASIN, for the rows of a listings page (one read)."""
    from channel import new_asin

    ids = [r["product_id"] for r in items or () if r.get("product_id")]
    if not account_id or not ids:
        return {}
    return {r["product_id"]: r for r in new_asin.rows(db.session.connection(), int(account_id), product_ids=ids)}
