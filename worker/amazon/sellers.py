"""Sellers API: the credential check."""

from __future__ import annotations


def marketplace_participations(client) -> list[dict]:
    data, _ = client.call("getMarketplaceParticipations", "GET", "/sellers/v1/marketplaceParticipations")
    return data.get("payload", [])
