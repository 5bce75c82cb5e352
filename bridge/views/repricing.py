"""The repricing section of an account's settings page: the account's rule, its rules per
group of products, where the competition is read from, the last scheduled run and the
latest decisions in the merchant's words.

The section renders from ``repricing_for`` (the API's ``GET .../repricing`` read in the
page's request); ``channel.js`` sends the merchant's changes with ``PUT`` and shows the
bridge's refusal with the place it names. The words for each choice live here.
"""

from __future__ import annotations

from flask import g

from bridge import db
from bridge.auth import RESOURCES
from bridge.views import bp
from channel import repricing

#: Each choice in the merchant's words.
STRATEGY_WORDS = {
    "match_buybox": "Match the Buy Box",
    "beat_lowest": "Beat the lowest offer",
    "lowest_of_fulfilment": "Match the lowest offer of one fulfilment type",
}
BOUND_WORDS = {"": "None", "fixed": "A fixed amount", "percent": "A percent of the price rule's price",
               "attribute": "A Magento attribute"}
NO_COMPETITOR_WORDS = {"price_source": "Send the price rule's price", "ceiling": "Send the ceiling",
                       "keep": "Keep the price as it is"}
BELOW_FLOOR_WORDS = {"floor": "Send the floor", "price_source": "Send the price rule's price"}
SOURCE_WORDS = {
    "both": "Both pricing APIs, shared by their rate limits (fastest)",
    "item_offers": "Every offer (getItemOffersBatch, 2 ASINs a second)",
    "competitive_summary": "The featured offer per customer segment (getCompetitiveSummary, 0.67 ASIN a second)",
}
STATUS_WORDS = {None: "Not run yet", "ok": "Succeeded", "failed": "Failed"}


@bp.app_template_global("repricing_for")
def repricing_for(account_id: int) -> dict | None:
    """The account's repricing settings as ``GET .../repricing`` answers, its latest decisions
    and the page's words; None when the caller may not see them."""
    from bridge.api.pushes import _repricing

    if not g.get("caller") or not g.caller.allows(RESOURCES["view"]):
        return None
    out = _repricing(int(account_id))
    out["decisions"] = repricing.recent_decisions(db.session.connection(), int(account_id))
    out["can_manage"] = g.caller.allows(RESOURCES["accounts"])
    out["every_minutes"] = repricing.INTERVAL // 60
    out["failing_after"] = repricing.FAILING_AFTER
    out["words"] = {"strategy": STRATEGY_WORDS, "bound": BOUND_WORDS, "no_competitor": NO_COMPETITOR_WORDS,
                    "below_floor": BELOW_FLOOR_WORDS, "source": SOURCE_WORDS, "status": STATUS_WORDS}
    return out
