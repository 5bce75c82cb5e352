"""Product Type Definitions 2020-09-01: search product types, fetch a definition and its schema.

The definition links its JSON Schema document (a pre-signed URL, fetched without SP-API
headers) with the document's Base64 MD5 checksum; the document is checked against it.
"""

from __future__ import annotations

import base64
import hashlib
import json

from worker.amazon.errors import InvalidInput


def search(client, keywords: list[str] | None = None, item_name: str | None = None,
           locale: str | None = None) -> list[dict]:
    """Product types for keywords or an item name (Amazon's recommendation), as Amazon lists them."""
    params: dict = {"marketplaceIds": client.marketplace_id}
    if item_name:
        params["itemName"] = item_name
    elif keywords:
        params["keywords"] = ",".join(keywords)
    if locale:
        params["locale"] = locale
    data, _ = client.call("searchDefinitionsProductTypes", "GET", "/definitions/2020-09-01/productTypes",
                          params=params)
    return list(data.get("productTypes") or [])


def definition(client, product_type: str, locale: str = "en_US", requirements: str = "LISTING") -> dict:
    data, _ = client.call("getDefinitionsProductType", "GET",
                          f"/definitions/2020-09-01/productTypes/{client.quote(product_type)}",
                          params={"marketplaceIds": client.marketplace_id, "requirements": requirements,
                                  "requirementsEnforced": "ENFORCED", "locale": locale,
                                  "sellerId": client.seller_id})
    return data


def schema_document(client, definition_: dict) -> dict:
    """The schema the definition links, checked against its checksum."""
    link = definition_["schema"]
    resp = client.download(link["link"]["resource"], "getDefinitionsProductType")
    content = resp.content
    if base64.b64encode(hashlib.md5(content).digest()).decode() != link.get("checksum"):
        raise InvalidInput(f"the schema of {definition_.get('productType')} does not match its checksum",
                           operation="getDefinitionsProductType")
    return json.loads(content)
