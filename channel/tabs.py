"""Listing tabs and the reason each product is in its tab: ``classify()``, pure.

The rules follow Amazon Sales Channel's tabs, and go further where merchants asked:

- eligibility is the listing rule and the stock threshold (and the product being
  enabled and on the website); Amazon's refusals are never "ineligible", they are
  Inactive with Amazon's own text;
- a listed product that becomes ineligible stays on Amazon with quantity 0 (Ineligible),
  it is never ended by the rules;
- Ended is sticky: only the merchant's Publish brings a listing back;
- never-listed products that fail the rules are in no tab (only the rule preview
  shows them): ``classify`` returns None;
- with automatic publishing on, Ready to List reads "List in progress".
"""

from __future__ import annotations

import dataclasses
import enum
from decimal import Decimal


class Tab(str, enum.Enum):
    ACTIVE = "active"
    READY_TO_LIST = "ready_to_list"
    LIST_IN_PROGRESS = "list_in_progress"
    INACTIVE = "inactive"
    INELIGIBLE = "ineligible"
    INCOMPLETE = "incomplete"
    ENDED = "ended"
    NEW_THIRD_PARTY = "new_third_party"
    RELIST_IN_PROGRESS = "relist_in_progress"
    ENDING_IN_PROGRESS = "ending_in_progress"


#: The tabs the admin shows, in order; in-progress states fold into the tab they lead to.
VISIBLE_TABS = (Tab.ACTIVE, Tab.READY_TO_LIST, Tab.INACTIVE, Tab.INELIGIBLE, Tab.INCOMPLETE, Tab.ENDED,
                Tab.NEW_THIRD_PARTY)
IN_PROGRESS = {Tab.LIST_IN_PROGRESS: Tab.READY_TO_LIST, Tab.RELIST_IN_PROGRESS: Tab.ENDED,
               Tab.ENDING_IN_PROGRESS: Tab.ENDED}
#: Stored for rows that were in a tab but no longer qualify for one (never listed).
NOT_ELIGIBLE = "not_eligible"


class Reason(str, enum.Enum):
    LISTED_BUYABLE = "listed_buyable"
    READY = "ready"
    AWAITING_AMAZON_APPROVAL = "awaiting_amazon_approval"
    PUBLISH_QUEUED = "publish_queued"
    AMAZON_NOT_BUYABLE = "amazon_not_buyable"
    AMAZON_SUPPRESSED = "amazon_suppressed"
    EXCLUDED_BY_RULE = "excluded_by_rule"
    BELOW_STOCK_THRESHOLD = "below_stock_threshold"
    DISABLED_IN_MAGENTO = "disabled_in_magento"
    NOT_IN_WEBSITE = "not_in_website"
    MISSING_CONDITION = "missing_condition"
    MISSING_PRICE = "missing_price"
    MISSING_IDENTIFIER = "missing_identifier"
    UNABLE_TO_ASSIGN = "unable_to_assign"
    MULTIPLE_MATCHES = "multiple_matches"
    HAS_VARIANTS = "has_variants"
    ASIN_LOOKUP_PENDING = "asin_lookup_pending"
    ENDED_BY_MERCHANT = "ended_by_merchant"
    ENDING = "ending"
    RELISTING = "relisting"
    THIRD_PARTY_UNMATCHED = "third_party_unmatched"


@dataclasses.dataclass(frozen=True)
class ProductFacts:
    """A Magento product as the account sees it (None of these need I/O to decide)."""

    in_website: bool = True
    enabled: bool = True
    passes_rules: bool = True
    quantity: int = 0
    price: Decimal | None = None
    condition: str | None = "new_new"
    has_asin: bool = False
    has_identifier: bool = False
    is_parent: bool = False

    @classmethod
    def gone(cls) -> "ProductFacts":
        """The product was deleted or taken off the account's website."""
        return cls(in_website=False, enabled=False, passes_rules=False)


@dataclasses.dataclass(frozen=True)
class ListingState:
    """What we know of the product's listing on Amazon and the merchant's actions."""

    on_amazon: bool = False
    amazon_status: str | None = None  # BUYABLE, DISCOVERABLE, or None
    issues: tuple = ()  # Amazon issues: dicts with code, message, severity
    match_status: str = "matched"
    pending_action: str | None = None  # publish, end, relist, update
    ended_by_merchant: bool = False
    submitted: bool = False
    fulfilled_by_amazon: bool = False


@dataclasses.dataclass(frozen=True)
class Policy:
    auto_publish: bool = False


@dataclasses.dataclass(frozen=True)
class Classification:
    tab: Tab
    reason: Reason
    detail: str | None = None


def issue_text(issues: tuple) -> str | None:
    texts = [str(i.get("message") or i.get("code")) for i in issues if isinstance(i, dict)
             and str(i.get("severity", "ERROR")).upper() == "ERROR"]
    return "; ".join(texts)[:2000] or None


def ineligibility(facts: ProductFacts, fulfilled_by_amazon: bool = False) -> Reason | None:
    if not facts.in_website:
        return Reason.NOT_IN_WEBSITE
    if not facts.enabled:
        return Reason.DISABLED_IN_MAGENTO
    if not facts.passes_rules:
        return Reason.EXCLUDED_BY_RULE
    if facts.quantity <= 0 and not fulfilled_by_amazon:  # Amazon holds the stock of FBA offers
        return Reason.BELOW_STOCK_THRESHOLD
    return None


def classify(facts: ProductFacts | None, state: ListingState, policy: Policy = Policy()) -> Classification | None:
    """The tab and reason of one product or listing; None when it belongs in no tab.

    ``facts`` is None for an Amazon listing with no Magento product.
    """
    if facts is None:
        if state.match_status == "multiple_matches":
            return Classification(Tab.INCOMPLETE, Reason.MULTIPLE_MATCHES)
        if state.match_status == "has_variants":
            return Classification(Tab.INCOMPLETE, Reason.HAS_VARIANTS)
        return Classification(Tab.NEW_THIRD_PARTY, Reason.THIRD_PARTY_UNMATCHED)
    if state.ended_by_merchant:
        if state.pending_action in ("publish", "relist"):
            return Classification(Tab.RELIST_IN_PROGRESS, Reason.RELISTING)
        if state.pending_action == "end" and state.on_amazon:
            return Classification(Tab.ENDING_IN_PROGRESS, Reason.ENDING)
        return Classification(Tab.ENDED, Reason.ENDED_BY_MERCHANT)
    if state.pending_action == "end":
        return Classification(Tab.ENDING_IN_PROGRESS, Reason.ENDING)
    excluded = ineligibility(facts, state.fulfilled_by_amazon)
    if state.on_amazon:
        if excluded is not None:
            return Classification(Tab.INELIGIBLE, excluded)
        if state.amazon_status == "BUYABLE":
            return Classification(Tab.ACTIVE, Reason.LISTED_BUYABLE)
        text = issue_text(state.issues)
        if state.submitted and not state.issues:
            return Classification(Tab.LIST_IN_PROGRESS, Reason.AWAITING_AMAZON_APPROVAL)
        suppressed = any(isinstance(i, dict) and "SUPPRESS" in str(i.get("categories", "")).upper()
                         for i in state.issues)
        reason = Reason.AMAZON_SUPPRESSED if suppressed else Reason.AMAZON_NOT_BUYABLE
        return Classification(Tab.INACTIVE, reason, text)
    if excluded is not None:
        return None
    if state.submitted:
        if state.issues:
            return Classification(Tab.INACTIVE, Reason.AMAZON_NOT_BUYABLE, issue_text(state.issues))
        return Classification(Tab.LIST_IN_PROGRESS, Reason.AWAITING_AMAZON_APPROVAL)
    if facts.is_parent or state.match_status == "has_variants":
        return Classification(Tab.INCOMPLETE, Reason.HAS_VARIANTS)
    if state.match_status == "multiple_matches":
        return Classification(Tab.INCOMPLETE, Reason.MULTIPLE_MATCHES)
    if state.match_status == "no_match":
        return Classification(Tab.INCOMPLETE, Reason.UNABLE_TO_ASSIGN)
    if not facts.has_identifier:
        return Classification(Tab.INCOMPLETE, Reason.MISSING_IDENTIFIER)
    if facts.price is None:
        return Classification(Tab.INCOMPLETE, Reason.MISSING_PRICE)
    if not facts.condition:
        return Classification(Tab.INCOMPLETE, Reason.MISSING_CONDITION)
    if not facts.has_asin:
        return Classification(Tab.INCOMPLETE, Reason.ASIN_LOOKUP_PENDING)
    if state.pending_action == "publish" or policy.auto_publish:
        return Classification(Tab.LIST_IN_PROGRESS, Reason.PUBLISH_QUEUED)
    return Classification(Tab.READY_TO_LIST, Reason.READY)
