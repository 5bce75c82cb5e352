"""Business (B2B) prices: the offer Amazon Business customers get, computed once.

An account with business prices on (``pricing.BusinessSettings``) sends, beside the
standard offer, a ``purchasable_offer`` instance with ``audience`` B2B: the business
price and up to five quantity discounts (``quantity_discount_plan``: one
``discount_type``, ``fixed`` prices or ``percent`` off the business price, with
ascending ``lower_bound`` quantities), as Amazon's product type definitions describe it.

The business price comes from the tier prices of a Magento customer group (its 1-unit
tier, else the standard price) or from an attribute; the group's tiers of 2 units and
more become the quantity discounts. Both go through the account's adjustment, VAT,
currency rate and rounding, as the standard price does. What Amazon would refuse or
ignore is left out here, with the reason in the trace: no business offer without a
standard one, a business price above the standard price is brought down to it, a tier
that is no better than the one before is dropped, and only the first five are kept.
Repricing works the business offer out again beside the price it decides
(``channel.repricing``), by this same rule, so a repriced price never sits below it.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from channel import pricing
from channel.magento.tier_price import TierPrice

AUDIENCE = "B2B"
#: Amazon takes at most this many quantity discount levels.
MAX_TIERS = 5
HUNDRED = Decimal(100)
PERCENT_QUANTUM = Decimal("0.01")


@dataclasses.dataclass(frozen=True)
class BusinessOffer:
    """The business offer: price, and quantity discounts from ``lower_bound`` units
    (a price each with ``fixed``, a percentage off the business price with ``percent``)."""

    price: Decimal
    discount_type: str | None = None
    tiers: tuple[tuple[int, Decimal], ...] = ()

    def to_text(self) -> str:
        """The canonical text stored on the listing (``calc_business``) and compared with
        what Amazon acknowledged (``pushed_business``)."""
        data: dict = {"p": pricing.decimal_text(self.price)}
        if self.tiers:
            data["t"] = self.discount_type
            data["l"] = [[q, pricing.decimal_text(v)] for q, v in self.tiers]
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_text(cls, raw: str | None) -> "BusinessOffer | None":
        if not raw:
            return None
        data = json.loads(raw)
        return cls(price=Decimal(data["p"]), discount_type=data.get("t"),
                   tiers=tuple((int(q), Decimal(v)) for q, v in data.get("l") or ()))

    def instance(self, marketplace_id: str, currency: str) -> dict:
        """The ``purchasable_offer`` instance Amazon gets."""
        out: dict = {"audience": AUDIENCE, "currency": currency, "marketplace_id": marketplace_id,
                     "our_price": [{"schedule": [{"value_with_tax": float(self.price)}]}]}
        if self.tiers:
            out["quantity_discount_plan"] = [{"schedule": [{
                "discount_type": self.discount_type,
                "levels": [{"lower_bound": q, "value": float(v)} for q, v in self.tiers]}]}]
        return out

    def words(self) -> str:
        """The tiers in the merchant's words: ``5+: 17.00, 10+: 5 % off``."""
        return ", ".join(f"{q}+: {pricing.decimal_text(v)} % off" if self.discount_type == "percent"
                         else f"{q}+: {v:.2f}" for q, v in self.tiers)

    def to_json(self) -> dict:
        return {"price": f"{self.price:.2f}", "discount_type": self.discount_type,
                "tiers": [{"lower_bound": q, "value": pricing.decimal_text(v)} for q, v in self.tiers]}


@dataclasses.dataclass(frozen=True)
class BusinessTrace:
    """The business offer (None: none is sent) and why, in one line and step by step."""

    offer: BusinessOffer | None
    text: str
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"offer": None if self.offer is None else self.offer.to_json(), "text": self.text,
                "notes": list(self.notes)}


def _convert(value: Decimal, p: pricing.PriceSettings) -> Decimal:
    """A Magento amount in the marketplace's currency, as the standard price is made
    (adjustment, VAT, currency rate), not rounded."""
    if p.adjustment_type == "fixed":
        value += p.adjustment
    elif p.adjustment_type == "percent":
        value += value * p.adjustment / 100
    return value * (1 + p.vat_percent / 100) * p.currency_rate


def _by_quantity(tiers: Sequence[TierPrice], base: Decimal | None) -> dict[Decimal, tuple[Decimal, Decimal | None]]:
    """Magento's price per tier quantity (the lowest of the group's and all groups' rows,
    of the website's and all websites'), with the percentage it came from, if any."""
    out: dict[Decimal, tuple[Decimal, Decimal | None]] = {}
    for t in tiers:
        if t.percent is not None:
            if base is None:
                continue
            price, percent = base * (1 - t.percent / HUNDRED), t.percent
        else:
            price, percent = t.value if t.value is not None else Decimal(0), None
        if t.qty not in out or price < out[t.qty][0]:
            out[t.qty] = (price, percent)
    return out


def explain_business(product, settings: pricing.AccountSettings, standard: Decimal | None,
                     tiers: Sequence[TierPrice] = (), group: str | None = None, trace: bool = True) -> BusinessTrace:
    """The business offer of a product, next to its standard price ``standard`` (the
    offer's price), from the customer group's ``tiers`` (``channel.magento.tier_price``;
    ``group``: the group's name for the trace)."""
    b, p = settings.business, settings.price
    notes: list[str] = []

    def note(text: str) -> None:
        if trace:
            notes.append(text)

    if not b.enabled:
        return BusinessTrace(None, "Business prices are off for this account.")
    if standard is None:
        return BusinessTrace(None, "No business price: the product has no standard price, and Amazon takes a"
                                   " business price only beside a standard offer.")
    group_words = f"tier price group {group or b.customer_group_id}"
    base = product.get(p.attribute)
    base = None if base is None else Decimal(str(base))
    levels = _by_quantity(tiers, base)
    if b.price_source == "attribute":
        raw = product.get(b.price_attribute) if b.price_attribute else None
        if raw is None:
            return BusinessTrace(None, f"No business price: the product has no value for '{b.price_attribute}'.")
        price = pricing.round_price(_convert(Decimal(str(raw)), p), p.rounding)
        source = f"attribute '{b.price_attribute}'"
    elif not levels:
        return BusinessTrace(None, f"No business price: the product has no tier prices for {group_words}.")
    else:
        single = [q for q in levels if q <= 1]
        if single:
            price = pricing.round_price(_convert(levels[min(single)][0], p), p.rounding)
            source = group_words
        else:
            price = standard
            source = f"the standard price; {group_words} has no 1-unit tier"
    if price <= 0:
        return BusinessTrace(None, f"No business price: {source} gives {price}, not above 0.")
    if price > standard:
        note(f"{price:.2f} from {source} is above the standard price {standard:.2f}: brought down to it, as Amazon"
             " shows a business price only at or below the standard one.")
        price = standard
    offer_tiers, kind = _tiers(levels, price, p, b.discount_type, note)
    offer = BusinessOffer(price, kind if offer_tiers else None, tuple(offer_tiers))
    text = f"Business price {price:.2f} ({source})"
    if offer.tiers:
        text += "; " + offer.words()
    return BusinessTrace(offer, text, tuple(notes))


def _tiers(levels: dict[Decimal, tuple[Decimal, Decimal | None]], price: Decimal, p: pricing.PriceSettings,
           wanted: str, note) -> tuple[list[tuple[int, Decimal]], str]:
    """The quantity discounts Amazon takes: 2 units and more, each better than the one
    before, at most ``MAX_TIERS``."""
    by_bound: dict[int, tuple[Decimal, Decimal | None]] = {}
    for qty, (value, percent) in sorted(levels.items()):
        bound = math.ceil(qty)
        if bound < 2:
            continue
        if bound not in by_bound or value < by_bound[bound][0]:
            by_bound[bound] = (value, percent)
    kind = wanted
    if kind == "auto":
        kind = "percent" if by_bound and all(pc is not None for _, pc in by_bound.values()) else "fixed"
    out: list[tuple[int, Decimal]] = []
    last = price
    for bound, (value, _) in sorted(by_bound.items()):
        amount = _convert(value, p)
        rounded = pricing.round_price(amount, p.rounding) if amount > 0 else Decimal(0)
        if rounded <= 0 or rounded >= last:
            note(f"{bound}+ at {rounded:.2f} left out: not below {last:.2f}, the price for fewer units.")
            continue
        if len(out) == MAX_TIERS:
            note(f"{bound}+ left out: Amazon takes at most {MAX_TIERS} quantity discounts.")
            continue
        if kind == "percent":
            off = ((1 - amount / price) * HUNDRED).quantize(PERCENT_QUANTUM, ROUND_HALF_UP)
            if out and off <= out[-1][1]:
                note(f"{bound}+ left out: {off} % off is no more than the tier before.")
                continue
            if not 0 < off < HUNDRED:
                note(f"{bound}+ left out: {off} % off is outside 0 to 100 %.")
                continue
            out.append((bound, off))
        else:
            out.append((bound, rounded))
        last = rounded
    return out, kind
