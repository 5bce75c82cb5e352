"""Product type definitions and the creation of new ASINs, as the marketplace does them.

The sandbox knows a few product types (``sandbox/product_types/<NAME>.json``: Amazon's
product type schema shape, a JSON Schema 2019-09 document with Amazon's own keywords
``selectors``, ``maxUniqueItems``, ``editable``, ``hidden``, ``enumNames``). A put or a
feed message for a SKU without ASIN under one of these types asks Amazon to create
the product: its attributes are validated against the schema (every error becomes an
Amazon-shaped issue naming its attribute), a gated brand is refused as Amazon refuses
it, variation children must name an existing parent of the same family, and an
accepted submission gets its ASIN after ``ASIN_DELAY`` seconds of the sandbox clock.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
from datetime import timedelta
from importlib import resources

import jsonschema  # type: ignore[import-untyped]

#: Seconds (sandbox time) between an accepted new product and its ASIN.
ASIN_DELAY = 90
#: The schemas' version, as ``productTypeVersion.version`` reports it.
VERSION = "U8Z3CHANNELSANDBOX1"
#: Words a search by keywords or item name matches, per product type (display name first).
KEYWORDS = {
    "HOME": ("Home", "home", "decor", "cushion", "pillow", "blanket", "throw", "vase", "clock", "sample", "product"),
    "SHIRT": ("Shirt", "shirt", "tshirt", "tee", "polo", "blouse", "top", "apparel", "clothing"),
    "LUGGAGE": ("Luggage", "luggage", "suitcase", "bag", "travel", "trolley", "carry"),
}
#: Reason Amazon gives when a brand needs approval.
GATED_MESSAGE = "You need approval to list products of the brand {brand} in this category."


@functools.cache
def _raw(name: str) -> bytes | None:
    try:
        return resources.files("sandbox").joinpath(f"product_types/{name}.json").read_bytes()
    except (FileNotFoundError, OSError):
        return None


def names() -> tuple[str, ...]:
    return tuple(KEYWORDS)


def document(name: str) -> bytes | None:
    """The schema document as served at the definition's ``schema.link``."""
    return _raw(name) if name in KEYWORDS else None


def checksum(content: bytes) -> str:
    """Amazon's ``checksum``: the Base64 MD5 of the document."""
    return base64.b64encode(hashlib.md5(content).digest()).decode()


@functools.cache
def _validator(name: str) -> jsonschema.Draft201909Validator:
    raw = document(name)
    assert raw is not None
    return jsonschema.Draft201909Validator(json.loads(raw))


def search(keywords: list[str]) -> list[str]:
    """Product types any of whose words is one of ``keywords`` (all of them when none)."""
    if not keywords:
        return list(KEYWORDS)
    wanted = {k.casefold() for k in keywords}
    return [n for n, words in KEYWORDS.items() if wanted & {w.casefold() for w in words}]


def display_name(name: str) -> str:
    return KEYWORDS[name][0]


def issues_for(name: str, attrs: dict) -> list[dict]:
    """Amazon-shaped issues of ``attrs`` against product type ``name``'s schema."""
    out: dict[tuple, dict] = {}
    for error in _validator(name).iter_errors(attrs):
        if error.validator == "required":
            missing = [p for p in error.validator_value if p not in (error.instance or {})]
            for attribute in missing:
                title = _title(name, attribute)
                out[("missing", attribute)] = {
                    "code": "90220", "severity": "ERROR", "categories": ["MISSING_ATTRIBUTE"],
                    "attributeNames": [attribute],
                    "message": f"'{title}' is required but not supplied."}
            continue
        path = [p for p in error.absolute_path]
        attribute = str(path[0]) if path else "attributes"
        if ("missing", attribute) in out or ("invalid", attribute) in out:
            continue
        out[("invalid", attribute)] = {
            "code": "4000001", "severity": "ERROR", "categories": ["INVALID_ATTRIBUTE"],
            "attributeNames": [attribute],
            "message": f"The provided value for '{_title(name, attribute)}' is invalid: {error.message}."}
    return list(out.values())


def _title(name: str, attribute: str) -> str:
    props = _validator(name).schema.get("properties", {})
    return str((props.get(attribute) or {}).get("title") or attribute)


def _value(attrs: dict, name: str, key: str = "value"):
    first = (attrs.get(name) or [None])[0]
    return first.get(key) if isinstance(first, dict) else None


def gated(market, brand: str | None) -> bool:
    return bool(brand) and str(brand).casefold() in {b.casefold() for b in getattr(market, "gated_brands", set())}


def family_issues(seller, attrs: dict) -> list[dict]:
    """A child names an existing parent of the same theme and carries the theme's attributes."""
    if _value(attrs, "parentage_level") != "child":
        return []
    parent_sku = _value(attrs, "child_parent_sku_relationship", "parent_sku")
    parent = seller.listings.get(parent_sku) if parent_sku else None
    if parent is None or _value(parent.attributes, "parentage_level") != "parent":
        return [{"code": "8560", "severity": "ERROR", "categories": ["INVALID_ATTRIBUTE"],
                 "attributeNames": ["child_parent_sku_relationship"],
                 "message": f"The parent SKU '{parent_sku}' is not a variation parent in this marketplace."}]
    theme = _value(attrs, "variation_theme", "name")
    if theme != _value(parent.attributes, "variation_theme", "name"):
        return [{"code": "8561", "severity": "ERROR", "categories": ["INVALID_ATTRIBUTE"],
                 "attributeNames": ["variation_theme"],
                 "message": f"The variation theme '{theme}' differs from the parent's theme."}]
    missing = [a.lower() for a in str(theme or "").split("/") if not attrs.get(a.lower())]
    return [{"code": "90220", "severity": "ERROR", "categories": ["MISSING_ATTRIBUTE"], "attributeNames": [a],
             "message": f"'{a}' is required by the variation theme {theme}."} for a in missing]


def create(market, seller, sku: str, product_type: str, attrs: dict) -> list[dict] | None:
    """A new product (no ASIN) under a known product type: its issues, or None once accepted."""
    from sandbox.listing_attrs import offer_values, sync_offer

    issues = issues_for(product_type, attrs)
    brand = _value(attrs, "brand")
    if gated(market, brand):
        issues.append({"code": "8541", "severity": "ERROR", "categories": ["QUALIFICATION_REQUIRED"],
                       "attributeNames": ["brand"], "message": GATED_MESSAGE.format(brand=brand)})
    if not issues:
        issues = family_issues(seller, attrs)
    if issues:
        return issues
    _, price, quantity, condition = offer_values(attrs, seller.marketplaces[0])
    existing = seller.listings.get(sku)
    listing = market.submit_offer(seller, sku, existing.asin if existing else None, price, quantity,
                                  condition or "new_new", product_type)
    listing.attributes = copy.deepcopy(attrs)
    listing.title = str(_value(attrs, "item_name") or sku)
    sync_offer(listing, seller.marketplaces[0])
    if listing.asin is None and listing.asin_at is None:
        listing.asin_at = market.clock.now() + timedelta(seconds=ASIN_DELAY)
    return None


def assign_asin(market, listing) -> None:
    """The ASIN of a created product, once its delay has passed: known to the catalog too."""
    asin = "B0" + hashlib.sha1(listing.sku.encode()).hexdigest()[:8].upper()
    listing.asin = asin
    listing.asin_at = None
    market.catalog.setdefault(asin, {"asin": asin, "title": listing.title or listing.sku,
                                     "brand": _value(listing.attributes, "brand"),
                                     "parent": _value(listing.attributes, "parentage_level") == "parent"})
    market._identifier_index = None


def relationships(seller, listing) -> list[dict]:
    """getListingsItem ``relationships``: a parent's children or a child's parent, with the theme."""
    theme = _value(listing.attributes, "variation_theme", "name")
    level = _value(listing.attributes, "parentage_level")
    if not theme or level not in ("parent", "child"):
        return []
    variation = {"attributes": [a.lower() for a in str(theme).split("/")], "theme": str(theme)}
    if level == "parent":
        children = sorted(s for s, li in seller.listings.items()
                          if _value(li.attributes, "child_parent_sku_relationship", "parent_sku") == listing.sku)
        return [{"type": "VARIATION", "childSkus": children, "variationTheme": variation}]
    parent = _value(listing.attributes, "child_parent_sku_relationship", "parent_sku")
    return [{"type": "VARIATION", "parentSkus": [parent], "variationTheme": variation}]
