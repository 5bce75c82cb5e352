"""AttributeImporter: Amazon attributes the merchant mapped onto Magento attributes.

The account's settings list the pairs (``attribute_import``: ``{"amazon", "magento",
"overwrite"}``). Each cycle takes the matched listings whose attributes waited longest,
within a bound, asks Amazon for their attributes and writes the mapped values through
``channel.magento.attributes_writer``. A value that does not fit is logged, not written.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import text

from channel import listing_state
from channel.errors import InvalidInput
from channel.magento.attributes_writer import write_value
from channel.models.log import write_log
from worker.amazon import listings

logger = logging.getLogger(__name__)

MAX_PER_CYCLE = 200


def mappings(settings) -> list[dict]:
    raw = settings.extra.get("attribute_import") or []
    if not isinstance(raw, list):
        raise InvalidInput("attribute_import must be a list", {"path": "attribute_import"})
    out = []
    for n, item in enumerate(raw):
        if not isinstance(item, dict) or not item.get("amazon") or not item.get("magento"):
            raise InvalidInput("each attribute import needs 'amazon' and 'magento'", {"path": f"attribute_import[{n}]"})
        out.append({"amazon": str(item["amazon"]), "magento": str(item["magento"]),
                    "overwrite": bool(item.get("overwrite", False))})
    return out


class AttributeImporter:
    def __init__(self, conn, client, account, settings, reader):
        self.conn = conn
        self.client = client
        self.account = account
        self.pairs = mappings(settings)
        self.reader = reader

    def run(self, now: datetime) -> int:
        if not self.pairs:
            return 0
        rows = self.conn.execute(text(
            "SELECT listing_id, seller_sku, product_id FROM channel_amazon_listing WHERE account_id = :a"
            " AND product_id IS NOT NULL AND amazon_status IS NOT NULL ORDER BY attributes_imported_at IS NOT NULL,"
            " attributes_imported_at LIMIT :n"), {"a": self.account.account_id, "n": MAX_PER_CYCLE}).all()
        written = 0
        for row in rows:
            item = listings.get_item(self.client, row.seller_sku, included="attributes")
            attributes = (item or {}).get("attributes") or {}
            for pair in self.pairs:
                values = attributes.get(pair["amazon"]) or []
                if not values or not isinstance(values[0], dict) or values[0].get("value") in (None, ""):
                    continue
                try:
                    written += write_value(self.conn, self.reader, row.product_id, pair["magento"],
                                           values[0]["value"], pair["overwrite"])
                except InvalidInput as exc:
                    write_log(self.conn, account_id=self.account.account_id, operation="attribute_import",
                              level="warning", message=f"{row.seller_sku}: {exc.message}")
            listing_state.attributes_imported(self.conn, row.listing_id, now)
            self.conn.commit()
        return written
