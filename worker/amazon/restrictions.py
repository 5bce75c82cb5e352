"""Listings Restrictions 2021-08-01: may the seller list this ASIN (brand gating, approval)?"""

from __future__ import annotations


def restrictions(client, asin: str, condition: str = "new_new", product_type: str | None = None) -> list[dict]:
    params = {"asin": asin, "sellerId": client.seller_id, "marketplaceIds": client.marketplace_id,
              "conditionType": condition, "reasonLocale": "en_US"}
    if product_type:
        params["productType"] = product_type
    data, _ = client.call("getListingsRestrictions", "GET", "/listings/2021-08-01/restrictions", params=params)
    return list(data.get("restrictions") or [])


def blocking_reasons(found: list[dict]) -> list[dict]:
    """The reasons that stop a listing (every reason Amazon gives, ASIN_NOT_FOUND aside)."""
    return [r for restriction in found for r in restriction.get("reasons") or []
            if r.get("reasonCode") != "ASIN_NOT_FOUND"]
