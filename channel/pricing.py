"""Per-account settings and the price and quantity a product gets on Amazon.

Pure: given a product as the CatalogReader returns it and the account's settings,
compute the offer price (price attribute, Magento's special price rule, adjustment,
VAT, currency rate, rounding) and the quantity (salable quantity, out-of-stock
threshold, maximum listed, quantity for products without managed stock).
Settings are stored per account as JSON; ``from_json`` fills defaults and refuses
bad values with ``InvalidInput`` naming the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
import json
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Literal, overload
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from channel.errors import InvalidInput
from channel.pii import BuyerDataSettings

ADJUSTMENTS = ("none", "fixed", "percent")
ROUNDINGS = ("none", "cents", "whole", "x99")
CONDITIONS = (
    "new_new", "new_open_box", "new_oem", "refurbished_refurbished", "used_like_new", "used_very_good",
    "used_good", "used_acceptable", "collectible_like_new", "collectible_very_good", "collectible_good",
    "collectible_acceptable", "club_club",
)
#: Magento option labels merchants use, mapped to Amazon's condition_type values.
CONDITION_LABELS = {
    "new": "new_new", "used - like new": "used_like_new", "used like new": "used_like_new",
    "used - very good": "used_very_good", "used - good": "used_good", "used good": "used_good",
    "used - acceptable": "used_acceptable", "refurbished": "refurbished_refurbished",
    "open box": "new_open_box", "oem": "new_oem",
}
CENT = Decimal("0.01")


def _decimal(value, path: str, minimum: Decimal | None = None, maximum: Decimal | None = None) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"settings: {path} must be a number", {"path": path}) from None
    if not d.is_finite() or (minimum is not None and d < minimum):
        raise InvalidInput(f"settings: {path} must be a number of at least {minimum}", {"path": path})
    if maximum is not None and d > maximum:
        raise InvalidInput(f"settings: {path} must be at most {maximum}", {"path": path})
    return d


@overload
def _int(value: object, path: str, minimum: int = 0, optional: Literal[False] = False,
         maximum: int = 10_000_000) -> int: ...


@overload
def _int(value: object, path: str, minimum: int = 0, *, optional: bool, maximum: int = 10_000_000) -> int | None: ...


def _int(value, path: str, minimum: int = 0, optional: bool = False, maximum: int = 10_000_000) -> int | None:
    if optional and value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).lstrip("-").isdigit():
        raise InvalidInput(f"settings: {path} must be a whole number", {"path": path})
    if not minimum <= int(value) <= maximum:
        raise InvalidInput(f"settings: {path} must be from {minimum} to {maximum}", {"path": path})
    return int(value)


def _moment(value, path: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"settings: {path} must be a date and time", {"path": path})
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"settings: {path} must be a date and time", {"path": path}) from None
    return value


def _flag(value, path: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"settings: {path} must be true or false", {"path": path})
    return value


def _choice(value, path: str, allowed: tuple) -> str:
    if value not in allowed:
        raise InvalidInput(f"settings: {path} must be one of {', '.join(allowed)}", {"path": path})
    return value


@dataclasses.dataclass(frozen=True)
class PriceSettings:
    attribute: str = "price"
    use_special_price: bool = True
    adjustment_type: str = "none"
    adjustment: Decimal = Decimal(0)
    vat_percent: Decimal = Decimal(0)
    currency_rate: Decimal = Decimal(1)
    rounding: str = "cents"


@dataclasses.dataclass(frozen=True)
class StockSettings:
    out_of_stock_threshold: int = 0
    max_quantity: int | None = None
    unmanaged_quantity: int = 100


BUSINESS_SOURCES = ("tier_price", "attribute")
#: How quantity discounts are sent: as each tier's price, as a percentage off the business
#: price, or as Magento holds them (percent when every tier of a product is a percentage).
DISCOUNT_TYPES = ("auto", "fixed", "percent")


@dataclasses.dataclass(frozen=True)
class BusinessSettings:
    """Business (B2B) prices for Amazon Business customers, off by default: the business
    price from the tier prices of a Magento customer group (its 1-unit tier, else the
    standard price) or from an attribute, and the group's larger tiers as quantity
    discounts (``channel.business`` computes them)."""

    enabled: bool = False
    price_source: str = "tier_price"
    customer_group_id: int | None = None
    price_attribute: str | None = None
    discount_type: str = "auto"

    @classmethod
    def from_json(cls, raw) -> "BusinessSettings":
        if raw in (None, ""):
            return cls()
        if not isinstance(raw, dict):
            raise InvalidInput("settings: business must be an object", {"path": "business"})
        attribute = raw.get("price_attribute")
        if attribute not in (None, "") and not isinstance(attribute, str):
            raise InvalidInput("settings: business.price_attribute must be an attribute code",
                               {"path": "business.price_attribute"})
        out = cls(
            enabled=_flag(raw.get("enabled", False), "business.enabled"),
            price_source=_choice(raw.get("price_source", "tier_price"), "business.price_source", BUSINESS_SOURCES),
            customer_group_id=_int(raw.get("customer_group_id"), "business.customer_group_id", 0, optional=True),
            price_attribute=(attribute or "").strip() or None,
            discount_type=_choice(raw.get("discount_type", "auto"), "business.discount_type", DISCOUNT_TYPES),
        )
        if out.enabled and out.price_source == "tier_price" and out.customer_group_id is None:
            raise InvalidInput("settings: business.customer_group_id is needed for business prices from tier prices",
                               {"path": "business.customer_group_id"})
        if out.enabled and out.price_source == "attribute" and out.price_attribute is None:
            raise InvalidInput("settings: business.price_attribute is needed for business prices from an attribute",
                               {"path": "business.price_attribute"})
        return out

    @property
    def tier_group(self) -> int | None:
        """The customer group whose tier prices are read, None when none are."""
        return self.customer_group_id if self.enabled else None


@dataclasses.dataclass(frozen=True)
class AccountSettings:
    auto_publish: bool = False
    price: PriceSettings = PriceSettings()
    stock: StockSettings = StockSettings()
    condition_default: str = "new_new"
    condition_attribute: str | None = None
    handling_time: int | None = None
    fulfillment_channel: str = "DEFAULT"
    #: A listings report with this many percent fewer rows than the listings live on
    #: Amazon is held for the merchant instead of marking the missing ones gone.
    report_hold_threshold: int = 20
    #: How long buyer data is kept after shipment or cancellation, and what is left after.
    buyer_data: BuyerDataSettings = BuyerDataSettings()
    #: Dry run: nothing is sent to Amazon; every call the worker would make is recorded
    #: (``channel_amazon_dry_run_call``) instead. Reads still happen.
    dry_run: bool = False
    #: When the dry run was switched on (ISO, UTC): what it recorded since is undone when it ends.
    dry_run_since: str | None = None
    #: Business (B2B) prices and quantity discounts; off by default.
    business: BusinessSettings = BusinessSettings()
    #: Sections owned by other parts (orders, attribute import), kept as given.
    extra: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def from_json(cls, raw) -> "AccountSettings":
        if raw in (None, ""):
            raw = {}
        if isinstance(raw, (str, bytes)):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise InvalidInput("settings are not valid JSON", {"path": "$"}) from None
        if not isinstance(raw, dict):
            raise InvalidInput("settings must be an object", {"path": "$"})
        p, s = raw.get("price") or {}, raw.get("stock") or {}
        if not isinstance(p, dict) or not isinstance(s, dict):
            raise InvalidInput("settings: price and stock must be objects", {"path": "price"})
        price = PriceSettings(
            attribute=str(p.get("attribute", "price")),
            use_special_price=bool(p.get("use_special_price", True)),
            adjustment_type=_choice(p.get("adjustment_type", "none"), "price.adjustment_type", ADJUSTMENTS),
            adjustment=_decimal(p.get("adjustment", 0), "price.adjustment", Decimal(-1_000_000), Decimal(1_000_000)),
            vat_percent=_decimal(p.get("vat_percent", 0), "price.vat_percent", Decimal(0), Decimal(100)),
            currency_rate=_decimal(p.get("currency_rate", 1), "price.currency_rate", Decimal("0.000001"),
                                   Decimal(1_000_000)),
            rounding=_choice(p.get("rounding", "cents"), "price.rounding", ROUNDINGS),
        )
        stock = StockSettings(
            out_of_stock_threshold=_int(s.get("out_of_stock_threshold", 0), "stock.out_of_stock_threshold"),
            max_quantity=_int(s.get("max_quantity"), "stock.max_quantity", 1, optional=True),
            unmanaged_quantity=_int(s.get("unmanaged_quantity", 100), "stock.unmanaged_quantity"),
        )
        channel = str(raw.get("fulfillment_channel", "DEFAULT"))
        if channel != "DEFAULT" and not channel.startswith("AMAZON_"):
            raise InvalidInput("settings: fulfillment_channel must be DEFAULT or AMAZON_<region>",
                               {"path": "fulfillment_channel"})
        known = {"auto_publish", "price", "stock", "condition_default", "condition_attribute", "handling_time",
                 "fulfillment_channel", "report_hold_threshold", "buyer_data", "dry_run", "dry_run_since", "business"}
        return cls(
            auto_publish=bool(raw.get("auto_publish", False)), price=price, stock=stock,
            condition_default=_choice(raw.get("condition_default", "new_new"), "condition_default",
                                      CONDITIONS + ("",)) or "",
            condition_attribute=raw.get("condition_attribute") or None,
            handling_time=_int(raw.get("handling_time"), "handling_time", 0, optional=True, maximum=30),
            report_hold_threshold=_int(raw.get("report_hold_threshold", 20), "report_hold_threshold", 0,
                                       maximum=100),
            fulfillment_channel=channel,
            buyer_data=BuyerDataSettings.from_json(raw.get("buyer_data")),
            dry_run=_flag(raw.get("dry_run", False), "dry_run"),
            dry_run_since=_moment(raw.get("dry_run_since"), "dry_run_since"),
            business=BusinessSettings.from_json(raw.get("business")),
            extra={k: v for k, v in raw.items() if k not in known},
        )

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        extra = data.pop("extra")
        return json.loads(json.dumps({**extra, **data}, default=str))

    def attribute_codes(self) -> list[str]:
        codes = {self.price.attribute, "special_price", "special_from_date", "special_to_date", "status"}
        if self.condition_attribute:
            codes.add(self.condition_attribute)
        if self.business.enabled and self.business.price_source == "attribute" and self.business.price_attribute:
            codes.add(self.business.price_attribute)
        return sorted(codes)

    @property
    def fulfilled_by_amazon(self) -> bool:
        return self.fulfillment_channel.startswith("AMAZON_")


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def store_time(product, now: datetime) -> datetime:
    """``now`` (UTC, naive or aware) as the wall-clock time of the product's store view.

    Magento stores date attributes without a time zone and compares them with the
    store's local time (``Timezone::isScopeDateInInterval``); a product without a known
    time zone is compared in UTC."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    name = getattr(product, "timezone", None) or "UTC"
    zone: tzinfo
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.utc
    return now.astimezone(zone).replace(tzinfo=None)


def special_price_window(product, now: datetime) -> tuple[bool, str]:
    """Magento's rule in the store's time zone: from <= local now, and local now within
    the 'to' day (inclusive: +86400 s). Answers whether it holds and why, in words."""
    start = _as_datetime(product.get("special_from_date"))
    end = _as_datetime(product.get("special_to_date"))
    local = store_time(product, now)
    zone = getattr(product, "timezone", None) or "UTC"
    if start is not None and local < start:
        return False, f"starts {start:%Y-%m-%d %H:%M} ({zone}); it is {local:%Y-%m-%d %H:%M} there"
    if end is not None and local >= end + timedelta(days=1):
        return False, f"ended with {end:%Y-%m-%d} ({zone}); it is {local:%Y-%m-%d %H:%M} there"
    if start is None and end is None:
        return True, "no date range: always applies"
    since = f"from {start:%Y-%m-%d}" if start is not None else "no start"
    until = f"through {end:%Y-%m-%d}" if end is not None else "no end"
    return True, f"{since}, {until} ({zone}); it is {local:%Y-%m-%d %H:%M} there"


def special_price_applies(product, now: datetime) -> bool:
    return special_price_window(product, now)[0]


@dataclasses.dataclass(frozen=True)
class Step:
    """One step of a price or quantity: what it is, the value after it, whether it
    changed anything, and why in the merchant's words."""

    code: str
    label: str
    value: Decimal | int | None
    applied: bool
    note: str = ""

    def to_json(self) -> dict:
        value = self.value
        return {"code": self.code, "label": self.label, "applied": self.applied, "note": self.note,
                "value": None if value is None else (decimal_text(value) if isinstance(value, Decimal) else value)}


def decimal_text(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 294.840000 -> 294.84, 57.0000 -> 57."""
    return format(value.normalize(), "f") if value.is_finite() else str(value)


@dataclasses.dataclass(frozen=True)
class PriceTrace:
    """The price from its source attribute to the amount Amazon gets (``amount``)."""

    steps: tuple[Step, ...]
    amount: Decimal | None

    def to_json(self) -> dict:
        return {"amount": None if self.amount is None else str(self.amount),
                "steps": [s.to_json() for s in self.steps]}


@dataclasses.dataclass(frozen=True)
class QtyTrace:
    """The quantity from Magento's stock to the number Amazon gets (``amount``)."""

    steps: tuple[Step, ...]
    amount: int

    def to_json(self) -> dict:
        return {"amount": self.amount, "steps": [s.to_json() for s in self.steps]}


class _Steps:
    """The steps of a trace, written only when asked for: the rule runs for every product
    of a catalog, the words are read for one."""

    __slots__ = ("on", "steps")

    def __init__(self, on: bool):
        self.on = on
        self.steps: list[Step] = []

    def add(self, code: str, label: str, value, applied: bool, note: "str | Callable[[], str]" = "") -> None:
        if self.on:
            self.steps.append(Step(code, label, value, applied, note() if callable(note) else note))

    def done(self) -> tuple[Step, ...]:
        return tuple(self.steps)


def explain_price(product, settings: AccountSettings, now: datetime, trace: bool = True) -> PriceTrace:
    """The offer price in the marketplace currency with every step that made it; the one
    price rule (``compute_price`` is its ``amount``, computed without writing the steps)."""
    p = settings.price
    steps = _Steps(trace)
    base = product.get(p.attribute)
    if base is None:
        steps.add("source", f"Magento attribute '{p.attribute}'", None, False, "the product has no value")
        return PriceTrace(steps.done(), None)
    price = base if base.__class__ is Decimal else Decimal(str(base))  # decimal columns come as Decimal
    steps.add("source", f"Magento attribute '{p.attribute}'", price, True, "as the website's store view sees it")
    special = product.get("special_price")
    if special is None:
        steps.add("special_price", "Special price", price, False, "the product has none")
    elif not p.use_special_price:
        steps.add("special_price", "Special price", price, False,
                          lambda: f"{Decimal(str(special))} is not used: the account's settings ignore special prices")
    else:
        active, why = special_price_window(product, now)
        special = Decimal(str(special))
        if not active:
            steps.add("special_price", "Special price", price, False, lambda: f"{special} not active: {why}")
        elif special >= price:
            steps.add("special_price", "Special price", price, False,
                              lambda: f"{special} is active ({why}) but not lower than the price")
        else:
            price = special
            steps.add("special_price", "Special price", price, True, lambda: f"active: {why}")
    if p.adjustment_type == "fixed":
        price += p.adjustment
        steps.add("adjustment", "Adjustment", price, p.adjustment != 0, lambda: f"fixed {p.adjustment:+}")
    elif p.adjustment_type == "percent":
        price += price * p.adjustment / 100
        steps.add("adjustment", "Adjustment", price, p.adjustment != 0, lambda: f"{p.adjustment:+}%")
    else:
        steps.add("adjustment", "Adjustment", price, False, "none set")
    price = price * (1 + p.vat_percent / 100)
    steps.add("vat", "VAT", price, p.vat_percent != 0, lambda: f"+{p.vat_percent}%")
    price = price * p.currency_rate
    steps.add("currency", "Currency rate", price, p.currency_rate != 1, lambda: f"x {p.currency_rate}")
    if price <= 0:
        steps.add("rounding", "Rounding", None, False, "the price is not above 0: no price is sent")
        return PriceTrace(steps.done(), None)
    amount = round_price(price, p.rounding)
    steps.add("rounding", "Rounding", amount, amount != price, ROUNDING_WORDS[p.rounding])
    return PriceTrace(steps.done(), amount)


ROUNDING_WORDS = {"none": "kept to 4 decimals", "cents": "to the cent", "whole": "to a whole amount",
                  "x99": "to .99"}


def compute_price(product, settings: AccountSettings, now: datetime) -> Decimal | None:
    """The offer price in the marketplace currency, or None when the product has none."""
    return explain_price(product, settings, now, trace=False).amount


def round_price(price: Decimal, rounding: str) -> Decimal:
    if rounding == "whole":
        return price.quantize(Decimal(1), ROUND_HALF_UP)
    if rounding == "x99":
        whole = price.quantize(Decimal(1), ROUND_DOWN)
        return whole + Decimal("0.99") if price > whole else max(whole - Decimal("0.01"), CENT)
    if rounding == "none":
        return price.quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return price.quantize(CENT, ROUND_HALF_UP)


def explain_qty(product, settings: AccountSettings, trace: bool = True) -> QtyTrace:
    """The quantity to list with every step that made it; the one quantity rule
    (``compute_qty`` is its ``amount``): 0 for a disabled product and at or below the
    out-of-stock threshold, capped at the maximum, a fixed number without managed stock."""
    s = settings.stock
    steps = _Steps(trace)
    status = product.get("status")
    if status not in (None, 1):
        steps.add("status", "Magento status", 0, True, "disabled in Magento: nothing to sell")
        return QtyTrace(steps.done(), 0)
    on_hand = getattr(product, "qty", None)
    reserved = getattr(product, "reserved", None)
    if on_hand is not None:
        steps.add("stock", "Quantity in stock", on_hand, True, "Magento's stock")
    if reserved:
        steps.add("reservations", "Reservations", on_hand + reserved if on_hand is not None else None, True,
                          lambda: f"{reserved} held for orders not yet shipped")
    salable = product.salable_qty
    if salable is None:
        qty = s.unmanaged_quantity
        steps.add("unmanaged", "Stock not managed", qty, True,
                          "Magento does not count this product's stock: the account's fixed quantity")
    else:
        min_qty = getattr(product, "min_qty", Decimal(0)) or Decimal(0)
        in_stock = getattr(product, "is_in_stock", True)
        note = "out of stock in Magento" if not in_stock else (
            f"after Magento's out-of-stock threshold {min_qty}" if min_qty > 0 else "what Magento can sell now")
        qty = int(Decimal(salable).to_integral_value(ROUND_DOWN))
        steps.add("salable", "Salable quantity", qty, True, note)
    if qty <= s.out_of_stock_threshold:
        steps.add("threshold", "Out-of-stock threshold", 0, qty != 0,
                          lambda: f"{qty} is at or below the account's threshold {s.out_of_stock_threshold}")
        return QtyTrace(steps.done(), 0)
    steps.add("threshold", "Out-of-stock threshold", qty, False,
                      lambda: f"above the account's threshold {s.out_of_stock_threshold}")
    if s.max_quantity is not None:
        capped = min(qty, s.max_quantity)
        steps.add("maximum", "Maximum listed", capped, capped != qty, lambda: f"at most {s.max_quantity}")
        qty = capped
    else:
        steps.add("maximum", "Maximum listed", qty, False, "no maximum set")
    return QtyTrace(steps.done(), max(qty, 0))


def compute_qty(product, settings: AccountSettings) -> int:
    """The quantity to list: 0 at or below the out-of-stock threshold, capped at the maximum."""
    return explain_qty(product, settings, trace=False).amount


def condition_of(product, settings: AccountSettings) -> str | None:
    """Amazon condition_type from the condition attribute, else the account's default."""
    if settings.condition_attribute:
        label = product.get(settings.condition_attribute + "_label") or product.get(settings.condition_attribute)
        if label:
            text = str(label).strip().lower()
            if text in CONDITIONS:
                return text
            if text in CONDITION_LABELS:
                return CONDITION_LABELS[text]
    return settings.condition_default or None
