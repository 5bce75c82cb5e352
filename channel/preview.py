"""Listing rule preview: what a draft rule would do, before the merchant saves it.

Buckets, as in Amazon Sales Channel's preview: ``eligible`` (passes the rule and the
stock threshold, listed or not), ``ineligible`` (fails either; never-listed ones appear
nowhere else) and ``new`` (eligible and not yet listed: publishing would create them).
The whole website is streamed once; only the requested page of rows is kept.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timezone

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel import pricing, rules, tabs
from channel.errors import InvalidInput
from channel.magento.catalog import CatalogReader

BUCKETS = ("eligible", "ineligible", "new")
#: A preview stops (422) past this many seconds or products: a request must stay short.
PREVIEW_SECONDS = 20.0
PREVIEW_PRODUCTS = 500_000


class PreviewTooLarge(InvalidInput):
    """The preview would take longer than a request may."""

    code = "preview_too_large"


@dataclasses.dataclass
class Preview:
    counts: dict
    bucket: str
    rows: list
    limit: int
    offset: int


def preview_rule(conn: Connection, reader: CatalogReader, account, draft, bucket: str = "eligible",
                 limit: int = 50, offset: int = 0, now: datetime | None = None, seconds: float = PREVIEW_SECONDS,
                 max_products: int = PREVIEW_PRODUCTS) -> Preview:
    """Counts per bucket for the draft rule and one page of the chosen bucket."""
    if bucket not in BUCKETS:
        raise InvalidInput(f"bucket must be one of {', '.join(BUCKETS)}", {"path": "bucket"})
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    rule = rules.parse_for_catalog(draft, reader)
    settings = pricing.AccountSettings.from_json(account.settings)
    wanted = sorted(set(rules.attribute_codes(rule)) | set(settings.attribute_codes()) | {"visibility"})
    counts = {b: 0 for b in BUCKETS}
    page: list = []
    deadline, seen = time.monotonic() + seconds, 0
    for batch in reader.iter_batches(account.website_id, attributes=wanted):
        seen += len(batch)
        if time.monotonic() > deadline or seen > max_products:
            raise PreviewTooLarge(f"the preview stopped after {seen} products ({seconds:.0f} s at most): simplify the"
                                  " rule or save it and let the next sync classify the catalog",
                                  {"path": "rule", "products": seen})
        stmt = text("SELECT DISTINCT product_id FROM channel_amazon_listing WHERE account_id = :a"
                    " AND product_id IN :ids AND (amazon_status IS NOT NULL OR submitted_at IS NOT NULL)"
                    ).bindparams(bindparam("ids", expanding=True))
        listed = {r[0] for r in conn.execute(stmt, {"a": account.account_id, "ids": [p.entity_id for p in batch]})}
        for p in batch:
            qty = pricing.compute_qty(p, settings)
            facts = tabs.ProductFacts(enabled=p.get("status") == 1,
                                      passes_rules=rules.evaluate(rule, rules.ProductView.from_product(p, now=now)),
                                      quantity=qty)
            reason = tabs.ineligibility(facts, settings.fulfilled_by_amazon)
            kinds = ["ineligible"] if reason else ["eligible"] + ([] if p.entity_id in listed else ["new"])
            for kind in kinds:
                counts[kind] += 1
                if kind == bucket and offset < counts[kind] <= offset + limit:
                    page.append({"product_id": p.entity_id, "sku": p.sku, "name": p.get("name"),
                                 "type_id": p.type_id, "attribute_set_id": p.attribute_set_id,
                                 "status": p.get("status"), "visibility": p.get("visibility"), "qty": qty,
                                 "reason": reason.value if reason else None})
    return Preview(counts, bucket, page, limit, offset)
