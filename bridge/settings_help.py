"""What each account setting means, in the merchant's words, with the range it accepts.

One list drives the settings form (label, help text, the range shown and the input's
``min``/``max``); ``channel.pricing.AccountSettings.from_json`` is what enforces the
ranges, and a test holds the two together at every boundary.
"""

from __future__ import annotations

import dataclasses

from channel.pii import MAX_RETENTION_DAYS
from channel.pricing import CONDITIONS


@dataclasses.dataclass(frozen=True)
class Field:
    path: str
    label: str
    help: str
    kind: str  # bool, int, decimal, choice, text
    minimum: str | None = None
    maximum: str | None = None
    step: str | None = None
    optional: bool = False
    choices: tuple = ()
    unit: str = ""

    @property
    def id(self) -> str:
        return "s-" + self.path.replace(".", "-").replace("_", "-")

    @property
    def range(self) -> str:
        """The accepted values, as a sentence part."""
        if self.kind == "choice":
            return ""
        if self.minimum is None or self.maximum is None:
            return "Empty for none." if self.optional else ""
        text = f"From {_number(self.minimum)} to {_number(self.maximum)}{(' ' + self.unit) if self.unit else ''}."
        return text + (" Empty for none." if self.optional else "")


def _number(raw: str) -> str:
    whole, _, frac = raw.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = f"{int(whole.lstrip('-')):,}"
    return sign + digits + (("." + frac) if frac else "")


CONDITION_NAMES = {c: c.replace("_", " ", 1).replace("_", " ").capitalize() for c in CONDITIONS}
ROUNDING_NAMES = {"none": "No rounding", "cents": "To the cent (19.994 → 19.99)",
                  "whole": "To whole units (19.5 → 20)", "x99": "To .99 (19.20 → 19.99)"}
ADJUSTMENT_NAMES = {"none": "No adjustment", "fixed": "Add a fixed amount", "percent": "Add a percentage"}

PRICE_FIELDS = (
    Field("price.attribute", "Price attribute",
          "The Magento attribute Amazon's price is taken from: price, or one of your own (a price per channel).",
          "text"),
    Field("price.use_special_price", "Use Magento's special price",
          "While a product's special price applies (its from/to dates, in the store's time zone) and is lower,"
          " Amazon gets it.", "bool"),
    Field("price.adjustment_type", "Price adjustment", "Change every price sent to Amazon by an amount or a"
          " percentage, for example to cover Amazon's fees.", "choice", choices=tuple(ADJUSTMENT_NAMES.items())),
    Field("price.adjustment", "Adjustment", "An amount in the marketplace's currency, or a percentage."
          " Negative lowers the price.", "decimal", "-1000000", "1000000", "0.01"),
    Field("price.vat_percent", "VAT to add", "Added on top when Magento's prices exclude the VAT Amazon"
          " shows buyers (EU and UK marketplaces). 0 when the prices already include it.",
          "decimal", "0", "100", "0.01", unit="%"),
    Field("price.currency_rate", "Currency rate", "Magento's price is multiplied by this rate to give the"
          " price in the marketplace's currency, for example 1.08 from euros to US dollars. 1 when Magento"
          " and the marketplace use the same currency.", "decimal", "0.000001", "1000000", "0.000001"),
    Field("price.rounding", "Rounding", "How the final price is rounded, after the adjustment, VAT and"
          " currency rate.", "choice", choices=tuple(ROUNDING_NAMES.items())),
)
STOCK_FIELDS = (
    Field("stock.out_of_stock_threshold", "Out-of-stock threshold", "Amazon gets quantity 0 when the salable"
          " quantity is at or below this, so the last units stay for your own shop.", "int", "0", "10000000",
          "1", unit="units"),
    Field("stock.max_quantity", "Maximum listed quantity", "Amazon never sees more than this, however many"
          " you have.", "int", "1", "10000000", "1", optional=True, unit="units"),
    Field("stock.unmanaged_quantity", "Quantity when stock is not managed", "For products whose stock"
          " Magento does not manage (Manage Stock = No).", "int", "0", "10000000", "1", unit="units"),
    Field("handling_time", "Handling time", "Days between an order and its shipment, as Amazon shows buyers."
          " Empty keeps the shipping template's.", "int", "0", "30", "1", optional=True, unit="days"),
)
LISTING_FIELDS = (
    Field("auto_publish", "Publish eligible products automatically", "Each sync lists every product the"
          " listing rule admits that has an identifier Amazon knows. Off: they wait on Ready to list.", "bool"),
    Field("condition_default", "Condition", "The condition of every listing, unless the condition attribute"
          " below says otherwise for a product.", "choice", choices=tuple(CONDITION_NAMES.items())),
    Field("condition_attribute", "Condition attribute", "A Magento attribute holding each product's condition"
          " (New, Used - Good, Refurbished...). Empty: the condition above for all.", "text", optional=True),
    Field("fulfillment_channel", "Fulfilled by", "Merchant: you ship (quantities are sent). Amazon (FBA):"
          " Amazon ships from its stock; quantities are Amazon's.", "choice",
          choices=(("DEFAULT", "Merchant (you ship)"), ("AMAZON_NA", "Amazon, North America"),
                   ("AMAZON_EU", "Amazon, Europe"), ("AMAZON_FE", "Amazon, Far East"))),
    Field("report_hold_threshold", "Hold a shrunken listings report at", "A listings report with this many"
          " percent fewer rows than your live listings is held for you to accept, instead of ending the missing"
          " ones. 0 holds none.", "int", "0", "100", "1", unit="%"),
)
BUYER_DATA_FIELDS = (
    Field("buyer_data.retention_days", "Keep buyer data for", "Days the buyer's name, e-mail, phone and"
          " address are kept after Amazon reports the order shipped or cancelled; a daily job then removes them"
          " and notes how many orders in the communication log. Amazon's Data Protection Policy allows at"
          " most 30.", "int", "0", str(MAX_RETENTION_DAYS), "1", unit="days"),
    Field("buyer_data.after", "After that", "Remove all buyer data, or keep only what tax records need (city,"
          " region, postal code and country of the delivery, encrypted), never the name, e-mail, street or"
          " phone.", "choice", choices=(("remove", "Remove it"), ("reduce", "Keep what tax law requires"))),
)
BUSINESS_FIELDS = (
    Field("business.enabled", "Send business prices", "Amazon Business customers get a business price and"
          " quantity discounts beside your standard offer, worked out from Magento below. Off: no business"
          " offer is sent, and one set in Seller Central stays as it is.", "bool"),
    Field("business.price_source", "Business price from", "Tier prices: the customer group's 1-unit tier price"
          " (else the standard price), and its tiers of 2 units and more as quantity discounts. Attribute: a price"
          " attribute of your own, with the group's tiers (if a group is set) as quantity discounts.", "choice",
          choices=(("tier_price", "Tier prices of a customer group"), ("attribute", "A price attribute"))),
    Field("business.customer_group_id", "Customer group", "The id of the Magento customer group whose tier prices"
          " are sent (Customers > Customer Groups; Wholesale is 2 in a new Magento).", "int", "0", "10000000", "1",
          optional=True),
    Field("business.price_attribute", "Business price attribute", "The Magento attribute holding the business"
          " price, when the business price comes from an attribute.", "text", optional=True),
    Field("business.discount_type", "Quantity discounts as", "Amazon takes one kind per product: a price per"
          " tier, or a percentage off the business price. As in Magento: percentages when every tier of the"
          " product is one.", "choice", choices=(("auto", "As in Magento"), ("fixed", "A price per tier"),
                                                  ("percent", "A percentage off the business price"))),
)
SECTIONS = (("Price", PRICE_FIELDS), ("Stock and shipping", STOCK_FIELDS), ("Listing", LISTING_FIELDS),
            ("Buyer data", BUYER_DATA_FIELDS), ("Business prices", BUSINESS_FIELDS))
FIELDS = PRICE_FIELDS + STOCK_FIELDS + LISTING_FIELDS + BUYER_DATA_FIELDS + BUSINESS_FIELDS


def value(settings: dict, field: Field):
    """The field's current value in the settings JSON (``AccountSettings.to_json``)."""
    node: object = settings
    for part in field.path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node
