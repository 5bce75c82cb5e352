"""Catalog Items 2022-04-01: find ASINs by identifiers, 20 per call, every page read.

``searchCatalogItems`` answers 10 items per page unless ``pageSize`` (at most 20) says
otherwise, and one identifier can match several ASINs, so 20 identifiers can yield more
items than one page holds. Every page is read by passing ``pagination.nextToken`` back
as ``pageToken`` with the same query; items are mapped to identifiers by their
``identifiers`` block, never by position.

Identifier types are those of the model's ``identifiersType`` enum. GCID (Amazon's
Global Catalog Identifier for Brand Registry products) is not one of them: it is not a
GTIN and cannot be searched through this operation, so it is never sent.
"""

from __future__ import annotations

#: Our identifier kinds -> Amazon's ``identifiersType``.
KINDS = {"asin": "ASIN", "upc": "UPC", "ean": "EAN", "isbn": "ISBN", "jan": "JAN", "gtin": "GTIN"}
#: Identifier kinds a merchant may map that searchCatalogItems cannot search.
NOT_SEARCHABLE = ("gcid",)
#: The model's maximum for both ``identifiers`` and ``pageSize``.
MAX_IDENTIFIERS = 20
PAGE_SIZE = 20
#: Amazon pages through at most 1,000 items per search; a bound against a looping token.
MAX_PAGES = 1000 // PAGE_SIZE


def searchable(kind: str) -> bool:
    return kind in KINDS


def search_by_identifiers(client, kind: str, values: list[str]) -> dict[str, list[dict]]:
    """identifier -> matching items ({"asin", "parent", "title", "brand"}), each ASIN once,
    over all pages."""
    if kind not in KINDS:
        raise ValueError(f"searchCatalogItems cannot search by {kind!r}")
    found: dict[str, list[dict]] = {v: [] for v in values}
    amazon_kind = KINDS[kind]
    for start in range(0, len(values), MAX_IDENTIFIERS):
        chunk = values[start:start + MAX_IDENTIFIERS]
        params = {"identifiers": ",".join(chunk), "identifiersType": amazon_kind,
                  "marketplaceIds": client.marketplace_id, "includedData": "summaries,identifiers",
                  "pageSize": PAGE_SIZE}
        for _page in range(MAX_PAGES):
            data, _ = client.call("searchCatalogItems", "GET", "/catalog/2022-04-01/items", params=params)
            for item in data.get("items", []):
                _record(found, chunk, amazon_kind, item)
            token = (data.get("pagination") or {}).get("nextToken")
            if not token:
                break
            params = {**params, "pageToken": token}
    return found


def _record(found: dict, chunk: list[str], amazon_kind: str, item: dict) -> None:
    parent = any(s.get("itemClassification") == "VARIATION_PARENT" for s in item.get("summaries", []))
    summary = (item.get("summaries") or [{}])[0]
    idents = {item["asin"]} if amazon_kind == "ASIN" else {
        i["identifier"] for block in item.get("identifiers", []) for i in block.get("identifiers", [])
        if i.get("identifierType") == amazon_kind}
    for value in chunk:
        if value in idents and all(m["asin"] != item["asin"] for m in found[value]):
            found[value].append({"asin": item["asin"], "parent": parent, "title": summary.get("itemName"),
                                 "brand": summary.get("brand")})


def search_by_keywords(client, keywords: list[str], page_size: int = PAGE_SIZE) -> list[dict]:
    """The first page of catalog items matching every keyword: ASIN, title, brand and
    identifiers, for a merchant choosing an ASIN by hand."""
    words = [k.strip() for k in keywords if k and k.strip()][:MAX_IDENTIFIERS]
    if not words:
        raise ValueError("searchCatalogItems by keywords needs at least one keyword")
    params = {"keywords": ",".join(w.replace(",", " ") for w in words), "marketplaceIds": client.marketplace_id,
              "includedData": "summaries,identifiers", "pageSize": min(page_size, PAGE_SIZE)}
    data, _ = client.call("searchCatalogItems", "GET", "/catalog/2022-04-01/items", params=params)
    found = []
    for item in data.get("items", []):
        summary = (item.get("summaries") or [{}])[0]
        found.append({"asin": item["asin"], "title": summary.get("itemName"), "brand": summary.get("brand"),
                      "parent": summary.get("itemClassification") == "VARIATION_PARENT",
                      "identifiers": [f"{i.get('identifierType')} {i.get('identifier')}"
                                      for block in item.get("identifiers", []) for i in block.get("identifiers", [])]})
    return found
