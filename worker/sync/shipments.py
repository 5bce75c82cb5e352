"""ShipmentExporter: a Magento shipment of an Amazon order becomes confirmShipment, once."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from worker.amazon import orders as api
from worker.amazon.errors import AmazonError

logger = logging.getLogger(__name__)

#: Magento carrier codes -> Amazon carrier codes.
CARRIERS = {"ups": "UPS", "usps": "USPS", "fedex": "FedEx", "dhl": "DHL", "dhlint": "DHL"}


class ShipmentExporter:
    def __init__(self, conn: Connection, client, account, schema):
        self.conn = conn
        self.client = client
        self.account = account
        self.schema = schema

    def pending(self) -> list:
        s = self.schema
        return self.conn.execute(text(
            f"SELECT o.order_id, o.amazon_order_id, sh.entity_id AS shipment_id, sh.created_at,"
            f" t.track_number, t.carrier_code, t.title FROM channel_amazon_order o"
            f" JOIN {s.t('sales_shipment')} sh ON sh.order_id = o.magento_order_id"
            f" JOIN {s.t('sales_shipment_track')} t ON t.parent_id = sh.entity_id"
            f" WHERE o.account_id = :a AND o.fulfilled_by = 'MERCHANT' AND o.shipment_status = 'none'"
            f" AND o.magento_status = 'created' AND o.amazon_status <> 'CANCELLED' ORDER BY o.order_id"),
            {"a": self.account.account_id}).mappings().all()

    def run(self) -> int:
        if self.account.read_only:
            return 0
        sent = 0
        done = set()
        for row in self.pending():
            if row["order_id"] in done:
                continue  # one confirmation per order, with its first tracking number
            done.add(row["order_id"])
            items = self.conn.execute(text(
                "SELECT amazon_order_item_id AS orderItemId, qty_ordered AS quantity FROM channel_amazon_order_item"
                " WHERE order_id = :o"), {"o": row["order_id"]}).mappings().all()
            code = CARRIERS.get((row["carrier_code"] or "").lower(), "Other")
            try:
                api.confirm_shipment(self.client, row["amazon_order_id"], f"M{row['shipment_id']}", code,
                                     row["track_number"], [dict(i) for i in items],
                                     row["created_at"] or datetime.utcnow(),
                                     carrier_name=row["title"] if code == "Other" else None)
            except AmazonError as exc:
                if exc.retryable:
                    raise
                self.conn.execute(text("UPDATE channel_amazon_order SET shipment_status = 'failed',"
                                       " shipment_message = :m WHERE order_id = :o"),
                                  {"m": exc.message[:1000], "o": row["order_id"]})
                continue
            self.conn.execute(text("UPDATE channel_amazon_order SET shipment_status = 'confirmed', shipment_message ="
                                   " :m, shipment_confirmed_at = NOW() WHERE order_id = :o"),
                              {"m": f"{code} {row['track_number']}", "o": row["order_id"]})
            self.conn.commit()
            sent += 1
        return sent
