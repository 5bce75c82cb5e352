"""The offer a product gets on Amazon, computed once.

``Offer.of`` computes price, quantity and condition from Magento's data and the account's
settings (``channel.pricing`` holds the rules, once); the classification run stores them
on the listing (``calc_price``, ``calc_qty``, ``calc_condition``) and everything that
sends or shows an offer reads it back with ``Offer.stored``: publishing, price and stock
pushes, the admin. What the tab shows is what Amazon gets. The business (B2B) offer is
part of it (``channel.business``), stored as ``calc_business``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import RowMapping

from channel import pricing
from channel.business import BusinessOffer, explain_business
from channel.magento.tier_price import TierPrice


@dataclasses.dataclass(frozen=True)
class Offer:
    price: Decimal | None
    quantity: int
    condition: str | None
    fulfillment_channel: str = "DEFAULT"
    handling_time: int | None = None
    #: The business (B2B) offer beside the standard one, None when none is sent.
    business: BusinessOffer | None = None

    @classmethod
    def of(cls, product: Any, settings: pricing.AccountSettings, now: datetime,
           tier_prices: Sequence[TierPrice] = ()) -> "Offer":
        """The offer from a product as the CatalogReader returns it; ``tier_prices``: the
        business customer group's (``channel.magento.tier_price``), when business prices are on."""
        price = pricing.compute_price(product, settings, now)
        business = explain_business(product, settings, price, tier_prices, trace=False).offer \
            if settings.business.enabled else None
        return cls(price=price, quantity=pricing.compute_qty(product, settings),
                   condition=pricing.condition_of(product, settings),
                   fulfillment_channel=settings.fulfillment_channel, handling_time=settings.handling_time,
                   business=business)

    @classmethod
    def stored(cls, row: Mapping[str, Any] | RowMapping, settings: pricing.AccountSettings) -> "Offer":
        """The offer the last classification stored on a listing row. A listing fulfilled by
        Amazon stays so: no merchant-fulfilled quantity is added to it."""
        channel = row.get("fulfillment_channel")
        if channel in (None, "", "DEFAULT"):
            channel = settings.fulfillment_channel
        return cls(price=row.get("calc_price"), quantity=int(row.get("calc_qty") or 0),
                   condition=row.get("calc_condition") or settings.condition_default or None,
                   fulfillment_channel=channel, handling_time=settings.handling_time,
                   business=BusinessOffer.from_text(row.get("calc_business")))

    @property
    def fulfilled_by_amazon(self) -> bool:
        return self.fulfillment_channel.upper().startswith("AMAZON")
