"""The request bodies the worker sends Amazon for an offer, built in one place.

Pure functions: the worker's Listings Items calls and feed messages are built here
(``worker.amazon.listings``, ``worker.sync.exporter``), and the admin's product page shows
the very body the worker would send next by calling the same functions.

Price and stock changes never erase what the merchant set in Seller Central: they are
``merge`` patches (Amazon's JSON patch extension) on the instance picked by the
attribute's selectors - ``audience``, ``currency`` and ``marketplace_id`` for
``purchasable_offer``, ``fulfillment_channel_code`` for ``fulfillment_availability`` -
so the business (B2B) offer, sale price, minimum/maximum prices and the handling time
(``lead_time_to_ship_max_days``) stay as they are. A ``replace`` would drop them.

An account with business prices on sends its business offer (``channel.business``) as
the B2B instance beside the standard one. A merge keeps the keys it does not name, so a
business offer that loses its quantity discounts, or one no longer wanted, first has
the B2B instance Amazon holds deleted (a ``delete`` patch picked by its selectors), by a
price push and by a relist alike;
business offers set in Seller Central are never touched unless the account sends its own.
"""

from __future__ import annotations

from decimal import Decimal

from channel.business import AUDIENCE as B2B, BusinessOffer

PRODUCT_TYPE = "PRODUCT"
#: The standard offer's audience (Amazon's default; B2B is the business offer).
AUDIENCE = "ALL"
#: Attributes whose instances are picked by selectors, so they can be merged.
SELECTORS = {"purchasable_offer": ("audience", "currency", "marketplace_id"),
             "fulfillment_availability": ("fulfillment_channel_code",)}
#: An attribute name with this prefix stands for a ``delete`` patch of the instances its
#: value picks (``patches_for``): the business offer withdrawn before a merge.
DELETE = "-"


def offer_attributes(marketplace_id: str, currency: str, *, asin: str | None = None, price: Decimal | None = None,
                     quantity: int | None = None, condition: str | None = None, handling_time: int | None = None,
                     fulfillment_channel: str = "DEFAULT", business: BusinessOffer | None = None) -> dict:
    attrs: dict = {}
    if asin:
        attrs["merchant_suggested_asin"] = [{"value": asin, "marketplace_id": marketplace_id}]
    if condition:
        attrs["condition_type"] = [{"value": condition, "marketplace_id": marketplace_id}]
    if price is not None:
        attrs["purchasable_offer"] = [{"audience": AUDIENCE, "currency": currency, "marketplace_id": marketplace_id,
                                       "our_price": [{"schedule": [{"value_with_tax": float(price)}]}]}]
        if business is not None:  # never without the standard offer: Amazon refuses a business offer alone
            attrs["purchasable_offer"].append(business.instance(marketplace_id, currency))
    if quantity is not None and fulfillment_channel == "DEFAULT":
        avail = {"fulfillment_channel_code": "DEFAULT", "quantity": int(quantity)}
        if handling_time is not None:
            avail["lead_time_to_ship_max_days"] = int(handling_time)
        attrs["fulfillment_availability"] = [avail]
    return attrs


def publish_attributes(marketplace_id: str, currency: str, asin: str | None, offer) -> dict:
    """What publishing sends for an ``channel.offer.Offer``: the whole offer on the ASIN."""
    return offer_attributes(marketplace_id, currency, asin=asin, price=offer.price, quantity=offer.quantity,
                            condition=offer.condition or "new_new", handling_time=offer.handling_time,
                            fulfillment_channel=offer.fulfillment_channel, business=offer.business)


def relist_attributes(attrs: dict) -> dict:
    """Relisting what Amazon still holds patches the offer only: a put would replace every attribute."""
    return {k: v for k, v in attrs.items() if k in SELECTORS}


def relist_patch_attributes(marketplace_id: str, currency: str, offer, business_before: str | None) -> dict:
    """What a relist patches on a SKU Amazon still holds, for an ``channel.offer.Offer``: the
    offer (``relist_attributes``), after deleting the business offer Amazon holds
    (``business_before``, ``pushed_business``) when it must go or loses its quantity
    discounts, as a price push does: a merge alone would keep them."""
    attrs = relist_attributes(publish_attributes(marketplace_id, currency, None, offer))
    wanted = offer.business if offer.price is not None else None
    return {**_withdrawal(marketplace_id, currency, wanted, BusinessOffer.from_text(business_before)), **attrs}


def _withdrawal(marketplace_id: str, currency: str, wanted: BusinessOffer | None,
                before: BusinessOffer | None) -> dict:
    """The ``delete`` of the B2B instance Amazon holds (``before``) when it must go or its
    plan is gone (``wanted``); nothing otherwise. Deleted first: the merge after it sets
    what stays."""
    if before is not None and (wanted is None or (before.tiers and not wanted.tiers)):
        return {DELETE + "purchasable_offer": [{"audience": B2B, "currency": currency,
                                                "marketplace_id": marketplace_id}]}
    return {}


def patches_for(attrs: dict) -> list[dict]:
    """``merge`` where Amazon keys instances by selectors, ``replace`` elsewhere."""
    return [{"op": "delete", "path": f"/attributes/{name[len(DELETE):]}", "value": value}
            if name.startswith(DELETE) else
            {"op": "merge" if name in SELECTORS else "replace", "path": f"/attributes/{name}", "value": value}
            for name, value in attrs.items()]


def put_body(attributes: dict, product_type: str = PRODUCT_TYPE) -> dict:
    """putListingsItem's body: an offer on an existing ASIN."""
    return {"productType": product_type, "requirements": "LISTING_OFFER_ONLY", "attributes": attributes}


def patch_body(attributes: dict, product_type: str = PRODUCT_TYPE) -> dict:
    """patchListingsItem's body for these attributes."""
    return {"productType": product_type, "patches": patches_for(attributes)}


def end_fba_body(marketplace_id: str, currency: str, product_type: str = PRODUCT_TYPE) -> dict:
    """Withdraw the standard offer of an FBA listing, keeping the SKU and its stock: a
    ``delete`` patch of the ``purchasable_offer`` instance picked by its selectors."""
    offer = {"audience": AUDIENCE, "currency": currency, "marketplace_id": marketplace_id}
    return {"productType": product_type, "patches": [
        {"op": "delete", "path": "/attributes/purchasable_offer", "value": [offer]}]}


def price_stock_attributes(marketplace_id: str, currency: str, price: Decimal | None, quantity: int | None,
                           business: str | None = None, business_before: str | None = None) -> dict:
    """What a price and stock push sends: the wanted price and quantity, and the business
    offer (``calc_business``) when the account sends one or sent one before
    (``business_before``, ``pushed_business``)."""
    wanted = BusinessOffer.from_text(business) if price is not None else None
    attrs = offer_attributes(marketplace_id, currency, price=price, quantity=quantity, business=wanted)
    return {**_withdrawal(marketplace_id, currency, wanted, BusinessOffer.from_text(business_before)), **attrs}


def feed_message(message_id: int, sku: str, attributes: dict, product_type: str = PRODUCT_TYPE) -> dict:
    """One JSON_LISTINGS_FEED message patching these attributes."""
    return {"messageId": message_id, "sku": sku, "operationType": "PATCH", "productType": product_type,
            "patches": patches_for(attributes)}


#: Above this many price and stock changes at once, the exporter sends a feed instead of
#: patches (``worker.sync.exporter.use_feeds`` with Amazon's default rates: ~600).
FEED_ABOVE = 605
LISTINGS_PATH = "/listings/2021-08-01/items/{seller}/{sku}"


def _nothing(why: str) -> dict:
    return {"send": False, "why": why}


def wanted_quantity(row) -> int | None:
    """The quantity a price and stock push sends: the listing's ``offer_qty``, kept by the
    database (sql/0017, ``channel.tables.OFFER_QTY``)."""
    qty = row.get("offer_qty")
    return None if qty is None else int(qty)


def next_request(row, *, seller_id: str, marketplace_id: str, currency: str, settings, paused: bool,
                 read_only: bool, dirty_total: int = 1, held_back: bool = False) -> dict:
    """The request the worker would send next for a listing row, built by the functions it
    uses, or why nothing goes out. ``row``: the listing's columns (``offer_dirty`` and
    ``held_back`` as the exporter computes them); ``dirty_total``: the account's changed
    offers, which decide patch or feed."""
    from channel.offer import Offer

    if row is None:
        return _nothing("No listing: the product is not eligible for this account (see the tab), so nothing is"
                        " sent.")
    if paused:
        return _nothing("The account is paused: nothing is sent to or read from Amazon until it is resumed.")
    if read_only:
        return _nothing("The account is read-only: nothing is sent; actions stay queued until it is writable.")
    path = LISTINGS_PATH.format(seller=seller_id, sku=row["seller_sku"])
    query = {"marketplaceIds": marketplace_id}
    fba = str(row.get("fulfillment_channel") or "DEFAULT") != "DEFAULT"
    if row.get("pending_action") == "end":
        if row.get("tab") == "ended":
            return _nothing("Ended: nothing is left to withdraw on Amazon.")
        if fba:
            return {"send": True, "operation": "patchListingsItem", "method": "PATCH", "path": path, "query": query,
                    "body": end_fba_body(marketplace_id, currency),
                    "why": "End: fulfilled by Amazon, so the offer is withdrawn and the SKU kept."}
        return {"send": True, "operation": "deleteListingsItem", "method": "DELETE", "path": path, "query": query,
                "body": None, "why": "End: the merchant-fulfilled listing is deleted."}
    publishing = (row.get("tab") == "list_in_progress" and row.get("reason") == "publish_queued") or \
        row.get("tab") == "relist_in_progress"
    if publishing and row.get("submitted_at") is None:
        if not row.get("asin"):
            return _nothing("Queued to publish, but no ASIN is known yet: choose or assign one.")
        attrs = publish_attributes(marketplace_id, currency, row["asin"], Offer.stored(row, settings))
        on_amazon = row.get("tab") == "relist_in_progress" or row.get("amazon_status") is not None or fba
        if on_amazon:
            return {"send": True, "operation": "patchListingsItem", "method": "PATCH", "path": path, "query": query,
                    "body": patch_body(relist_patch_attributes(marketplace_id, currency, Offer.stored(row, settings),
                                                               row.get("pushed_business"))),
                    "why": "Relist: Amazon may still hold the SKU, so the offer is patched (the worker asks"
                           " getListingsItem first and puts the whole offer if Amazon no longer has it)."}
        return {"send": True, "operation": "putListingsItem", "method": "PUT", "path": path, "query": query,
                "body": put_body(attrs), "why": "Publish: an offer on the ASIN."}
    if row.get("submitted_at") is not None:
        return _nothing(f"Sent {row['submitted_at']}; waiting for Amazon's decision (tracked every cycle).")
    pushable = row.get("amazon_status") is not None and not row.get("ended_by_merchant") and \
        row.get("product_id") is not None and row.get("tab") in ("active", "inactive", "ineligible") and \
        not str(row.get("submission_ref") or "").startswith("feed:")
    if pushable and row.get("offer_dirty") and not held_back:
        attrs = price_stock_attributes(marketplace_id, currency, row.get("calc_price"), wanted_quantity(row),
                                       row.get("calc_business"), row.get("pushed_business"))
        if dirty_total >= FEED_ABOVE:
            return {"send": True, "operation": "createFeed", "method": "POST", "path": "/feeds/2021-06-30/feeds",
                    "query": {}, "body": feed_message(1, row["seller_sku"], attrs),
                    "why": f"Price and stock: {dirty_total:,} offers changed, so this one goes out as a message of a"
                           " JSON_LISTINGS_FEED (its messageId is its place in the feed)."}
        return {"send": True, "operation": "patchListingsItem", "method": "PATCH", "path": path, "query": query,
                "body": patch_body(attrs), "why": "Price and stock: the wanted offer differs from the one Amazon"
                                                   " acknowledged."}
    if str(row.get("submission_ref") or "").startswith("feed:"):
        return _nothing("In a feed Amazon is processing; its report is read next cycle.")
    if pushable and held_back:
        return _nothing("Amazon rejected these same values; they are sent again once they change.")
    if pushable:
        return _nothing("Amazon holds this price and quantity already.")
    if row.get("tab") == "ready_to_list":
        return _nothing("Ready to list: it is sent once you publish it (or auto-publish is on).")
    if row.get("tab") == "ended":
        return _nothing("Ended: relist it to sell again.")
    return _nothing("Nothing to send in this state; the tab says what it waits for.")


def new_product_body(attributes: dict, product_type: str) -> dict:
    """putListingsItem's body creating a product Amazon does not have yet: product facts and
    sales terms (requirements LISTING), no ASIN; Amazon assigns one."""
    return {"productType": product_type, "requirements": "LISTING", "attributes": attributes}


def new_product_message(message_id: int, sku: str, attributes: dict, product_type: str) -> dict:
    """The JSON_LISTINGS_FEED message of ``new_product_body``."""
    return {"messageId": message_id, "sku": sku, "operationType": "UPDATE",
            **new_product_body(attributes, product_type)}


def leave_family_body(product_type: str, marketplace_id: str) -> dict:
    """patchListingsItem's body taking a variation child out of its family (its product and
    offer stay): its parent relationship, parentage and theme deleted."""
    return {"productType": product_type, "patches": [
        {"op": "delete", "path": f"/attributes/{name}", "value": [value]}
        for name, value in (("child_parent_sku_relationship", {"marketplace_id": marketplace_id}),
                            ("parentage_level", {"marketplace_id": marketplace_id}),
                            ("variation_theme", {}))]}
