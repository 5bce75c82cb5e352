"""The one place where each reason code gets its merchant-facing sentence.

Titles and sentences say what the state means and what to do about it, in the
merchant's words. ``channel.tabs.Reason`` holds the codes; a test checks that every
code has its sentence here. No Flask import: the module is plain data.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class ReasonText:
    title: str
    sentence: str
    action: str


REASONS: dict[str, ReasonText] = {
    "listed_buyable": ReasonText(
        "Active", "Buyers can buy this offer on Amazon.", "Nothing to do; price and stock stay in sync."),
    "ready": ReasonText(
        "Ready to list", "The product passes your listing rules and has everything Amazon needs.",
        "Publish it, or turn on automatic publishing for the account."),
    "publish_queued": ReasonText(
        "List in progress", "The offer will be sent to Amazon at the next sync.",
        "Nothing to do; it moves to Active once Amazon approves it."),
    "awaiting_amazon_approval": ReasonText(
        "List in progress", "Amazon received the offer and has not made it buyable yet.",
        "Wait for the next sync; Amazon usually decides within minutes to hours."),
    "amazon_not_buyable": ReasonText(
        "Inactive on Amazon", "Amazon does not show this offer to buyers.",
        "Read Amazon's reason below and fix it in Seller Central or in the product; it returns to Active by itself."),
    "amazon_suppressed": ReasonText(
        "Suppressed by Amazon", "Amazon hides this offer because of a listing quality issue.",
        "Fix the issue Amazon names below (often image, title or price); the next sync picks it up."),
    "excluded_by_rule": ReasonText(
        "Excluded by listing rules", "The product no longer passes the account's listing rules.",
        "Its quantity on Amazon is set to 0 but the listing is kept; change the rule or end the listing."),
    "below_stock_threshold": ReasonText(
        "Out of stock", "The salable quantity is at or below the out-of-stock threshold.",
        "Amazon shows quantity 0 until stock returns; add stock or lower the threshold."),
    "disabled_in_magento": ReasonText(
        "Disabled in Magento", "The product is disabled on the account's website.",
        "Enable the product to sell it again; Amazon shows quantity 0 meanwhile."),
    "not_in_website": ReasonText(
        "Not on the website", "The product was removed from the Magento website this account serves.",
        "Add it back to the website, or end the listing."),
    "missing_condition": ReasonText(
        "Missing condition", "Amazon needs an item condition and the product has none.",
        "Set a default condition for the account or fill the condition attribute."),
    "missing_price": ReasonText(
        "Missing price", "The product has no usable price for this marketplace.",
        "Give the product a price, or check the account's price source and adjustments."),
    "missing_identifier": ReasonText(
        "Missing identifier", "There is no ASIN, UPC, EAN, ISBN or GCID to find the product on Amazon.",
        "Fill one of the mapped identifier attributes or map another attribute."),
    "unable_to_assign": ReasonText(
        "Unable to assign", "Amazon's catalog has no product with this product's identifiers.",
        "Check the identifier, assign an ASIN by hand, or re-attempt the match."),
    "multiple_matches": ReasonText(
        "Multiple matches found", "More than one candidate matches this product's identifiers.",
        "Pick the right one from the candidates shown."),
    "has_variants": ReasonText(
        "Has variants", "The product is a parent with variants; Amazon sells the variants.",
        "List the child products, or pick the variant that matches."),
    "asin_lookup_pending": ReasonText(
        "Looking up ASIN", "We are searching Amazon's catalog for this product's identifiers.",
        "Nothing to do; the result shows after the next sync."),
    "ended_by_merchant": ReasonText(
        "Ended", "You ended this listing; it is never relisted by itself.",
        "Publish it again whenever you want to sell it."),
    "ending": ReasonText(
        "Ending in progress", "The listing will be removed from Amazon at the next sync.",
        "Nothing to do."),
    "relisting": ReasonText(
        "Relist in progress", "The listing will be sent to Amazon again at the next sync.",
        "Nothing to do; it moves to Active once Amazon accepts it."),
    "third_party_unmatched": ReasonText(
        "Not matched", "This Amazon listing matches no product of the website.",
        "Assign a Magento product, or re-attempt the match after fixing identifiers."),
}


def describe(code: str, detail: str | None = None) -> dict:
    """Title, sentence and action for a reason, with Amazon's own text when there is one."""
    text = REASONS.get(code) or ReasonText(code.replace("_", " ").capitalize(), "", "")
    out = dataclasses.asdict(text)
    out["code"] = code
    out["detail"] = detail
    return out
