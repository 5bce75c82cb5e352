"""Catalog Items 2022-04-01: find ASINs by identifiers, 20 per call."""

from __future__ import annotations

KINDS = {"asin": "ASIN", "upc": "UPC", "ean": "EAN", "isbn": "ISBN", "gcid": "GTIN"}


def search_by_identifiers(client, kind: str, values: list[str]) -> dict[str, list[dict]]:
    """identifier -> matching items ({"asin", "parent"}); mapped by the identifiers block."""
    found: dict[str, list[dict]] = {v: [] for v in values}
    amazon_kind = KINDS[kind]
    for start in range(0, len(values), 20):
        chunk = values[start:start + 20]
        data, _ = client.call("searchCatalogItems", "GET", "/catalog/2022-04-01/items", params={
            "identifiers": ",".join(chunk), "identifiersType": amazon_kind,
            "marketplaceIds": client.marketplace_id, "includedData": "summaries,identifiers"})
        for item in data.get("items", []):
            parent = any(s.get("itemClassification") == "VARIATION_PARENT" for s in item.get("summaries", []))
            idents = {item["asin"]} if amazon_kind == "ASIN" else {
                i["identifier"] for block in item.get("identifiers", []) for i in block.get("identifiers", [])
                if i.get("identifierType") == amazon_kind}
            for value in chunk:
                if value in idents:
                    found[value].append({"asin": item["asin"], "parent": parent})
    return found
