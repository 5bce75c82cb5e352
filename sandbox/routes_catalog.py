"""Catalog Items 2022-04-01 searchCatalogItems by identifiers or by keywords, paginated as Amazon does.

Keywords (at most 20, comma-delimited) match items whose title or brand holds every one
of their words, case-insensitively; ``identifiers`` and ``keywords`` cannot be in one request.

``pageSize`` defaults to 10 and may be at most 20; a page that is not the last one
carries ``pagination.nextToken``, which comes back as ``pageToken`` with the same query
(a token used with another query is refused). One identifier may match several ASINs,
which can then sit on different pages. Catalog entries may give one identifier type a
list of values.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from flask import jsonify, request

TYPES = ("ASIN", "EAN", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC")
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 20
#: Amazon pages through at most 1,000 items per search.
MAX_RESULTS = 1000


def _query_key(args) -> str:
    kept = sorted((k, v) for k, v in args.items(multi=True) if k not in ("pageToken", "pageSize"))
    return hashlib.sha256(json.dumps(kept).encode()).hexdigest()[:16]


def _token(offset: int, key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "q": key}).encode()).decode()


def _values(asin: str, entry: dict) -> dict[str, list[str]]:
    out = {"ASIN": [asin]}
    for kind, value in (entry.get("identifiers") or {}).items():
        out[kind.upper()] = list(value) if isinstance(value, (list, tuple)) else [value]
    return out


def _by_identifier(market) -> dict[tuple[str, str], list[str]]:
    """(identifier type, value) -> ASINs in catalog order, built once per catalog size (the
    catalog is seeded, never edited in place): a search by identifiers reads its 20 keys
    instead of every entry."""
    index = getattr(market, "_identifier_index", None)
    if index is None or index[0] != len(market.catalog):
        built: dict[tuple[str, str], list[str]] = {}
        for asin, entry in market.catalog.items():
            for kind, values in _values(asin, entry).items():
                for value in values:
                    built.setdefault((kind, str(value)), []).append(asin)
        for n, asin in enumerate(market.catalog):
            built[("#", asin)] = [str(n)]  # catalog order, for answers in that order
        index = (len(market.catalog), built)
        market._identifier_index = index
    return index[1]


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    @app.get("/catalog/2022-04-01/items")
    def search_catalog():
        seller_id = guard("searchCatalogItems")
        ids = marketplace_ids(seller_id)
        if len(ids) != 1:
            raise ApiError(400, "InvalidInput", "Exactly one marketplace id is allowed.")
        raw = request.args.get("identifiers")
        kind = request.args.get("identifiersType") or ""
        keywords = [w for k in (request.args.get("keywords") or "").split(",") for w in re.findall(r"\w+", k.casefold())]
        if raw and keywords:
            raise ApiError(400, "InvalidInput", "'identifiers' and 'keywords' cannot be in the same request.")
        if keywords and len(keywords) > 20:
            raise ApiError(400, "InvalidInput", "At most 20 keywords are allowed.")
        if not keywords and (not raw or kind not in TYPES):
            raise ApiError(400, "InvalidInput", "'identifiers' and a valid 'identifiersType', or 'keywords', are"
                                                " required.")
        wanted = [v.strip() for v in (raw or "").split(",") if v.strip()]
        if len(wanted) > 20:
            raise ApiError(400, "InvalidInput", "At most 20 identifiers are allowed.")
        if wanted and not request.args.get("pageToken"):
            with market.lock:  # how many identifiers each search asked for, for the tests to read
                sizes = market.__dict__.setdefault("identifier_searches", [])
                sizes.append(len(wanted))
        try:
            page_size = int(request.args.get("pageSize", DEFAULT_PAGE_SIZE))
        except ValueError:
            raise ApiError(400, "InvalidInput", "'pageSize' must be an integer.") from None
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ApiError(400, "InvalidInput", f"'pageSize' must be between 1 and {MAX_PAGE_SIZE}.")
        key = _query_key(request.args)
        offset = 0
        if request.args.get("pageToken"):
            try:
                token = json.loads(base64.urlsafe_b64decode(request.args["pageToken"].encode()))
                offset, token_key = int(token["o"]), token["q"]
            except (ValueError, KeyError, TypeError):
                raise ApiError(400, "InvalidInput", "Invalid 'pageToken'.") from None
            if token_key != key:
                raise ApiError(400, "InvalidInput", "'pageToken' does not belong to this query.")
        items = []
        with market.lock:
            if keywords:
                catalog = list(market.catalog.items())
            else:
                index = _by_identifier(market)
                asins = sorted({a for v in wanted for a in index.get((kind, v), ())},
                               key=lambda a: int(index[("#", a)][0]))
                catalog = [(a, market.catalog[a]) for a in asins]
        for asin, entry in catalog:
            values = _values(asin, entry)
            words = set(re.findall(r"\w+", f"{entry.get('title', '')} {entry.get('brand', '')}".casefold()))
            if (all(k in words for k in keywords) if keywords else any(v in wanted for v in values.get(kind, []))):
                idents = [{"identifierType": k, "identifier": v} for k, vs in values.items() if k != "ASIN"
                          for v in vs]
                items.append({"asin": asin,
                              "summaries": [{"marketplaceId": ids[0], "itemName": entry.get("title", asin),
                                             **({"brand": entry["brand"]} if entry.get("brand") else {}),
                                             "itemClassification": "VARIATION_PARENT" if entry.get("parent")
                                             else "BASE_PRODUCT"}],
                              "identifiers": [{"marketplaceId": ids[0], "identifiers": idents}]})
        items = items[:MAX_RESULTS]
        out = {"numberOfResults": len(items), "items": items[offset:offset + page_size]}
        pagination = {}
        if offset + page_size < len(items):
            pagination["nextToken"] = _token(offset + page_size, key)
        if offset > 0:
            pagination["previousToken"] = _token(max(0, offset - page_size), key)
        if pagination:
            out["pagination"] = pagination
        return jsonify(out)
