"""ShipmentExporter: each Magento shipment of an Amazon order becomes one confirmShipment.

One package per Magento shipment, with the items and quantities of that shipment (a
split or partial shipment is confirmed as it was shipped), its tracking number, the
carrier as Amazon names it (``worker.sync.carriers``) and the shipment's time in ISO
8601. The package reference is the Magento track's id, a positive number as Amazon
requires, unique within the order.

A package is recorded before it is sent, and marked ``unknown`` while it is sent, so a
timeout, a 5xx or a worker killed mid-call leaves it ``unknown`` and the next run reads
the order from Amazon; the package is confirmed
when Amazon shows it, and only sent again when Amazon still does not show it after
``RESEND_AFTER``. A refusal is checked the same way before it is recorded as failed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, RowMapping

from worker.amazon import orders as api
from worker.amazon.errors import AmazonError, Throttled
from worker.sync.carriers import amazon_carrier

logger = logging.getLogger(__name__)

#: An unconfirmed package Amazon does not show after this long is sent again.
RESEND_AFTER = timedelta(minutes=15)


class ShipmentExporter:
    def __init__(self, conn: Connection, client, account, schema, now: datetime | None = None):
        self.conn = conn
        self.client = client
        self.account = account
        self.schema = schema
        self.now = now
        self.confirmed = 0

    def _now(self) -> datetime:
        return self.now or datetime.utcnow()

    # --- collect: Magento shipments not recorded yet ---------------------------------
    def new_shipments(self) -> Sequence[RowMapping]:
        s = self.schema
        return self.conn.execute(text(
            f"SELECT o.order_id, o.amazon_order_id, sh.entity_id AS shipment_id, sh.created_at,"
            f" MIN(t.entity_id) AS track_id FROM channel_amazon_order o"
            f" JOIN {s.t('sales_shipment')} sh ON sh.order_id = o.magento_order_id"
            f" JOIN {s.t('sales_shipment_track')} t ON t.parent_id = sh.entity_id"
            f" LEFT JOIN channel_amazon_shipment cs ON cs.order_id = o.order_id AND cs.magento_shipment_id = sh.entity_id"
            f" WHERE o.account_id = :a AND o.fulfilled_by = 'MERCHANT' AND o.magento_status = 'created'"
            f" AND o.amazon_status <> 'CANCELLED' AND cs.shipment_id IS NULL"
            f" GROUP BY o.order_id, o.amazon_order_id, sh.entity_id, sh.created_at ORDER BY o.order_id, sh.entity_id"),
            {"a": self.account.account_id}).mappings().all()

    def _has_item_table(self) -> bool:
        name = f"{self.schema.prefix}sales_shipment_item"
        return bool(self.conn.execute(text(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = :t"),
            {"t": name}).scalar())

    def _shipment_lines(self, shipment_ids: list[int]) -> dict[int, list]:
        if not shipment_ids or not self._has_item_table():
            return {}
        stmt = text(f"SELECT parent_id, sku, product_id, qty FROM {self.schema.t('sales_shipment_item')}"
                    f" WHERE parent_id IN :ids AND qty > 0 ORDER BY entity_id").bindparams(
            bindparam("ids", expanding=True))
        out: dict[int, list] = {}
        for r in self.conn.execute(stmt, {"ids": shipment_ids}):
            out.setdefault(int(r.parent_id), []).append(r)
        return out

    def _remaining(self, order_id: int) -> list[dict]:
        """The order's items with what no recorded package ships yet."""
        items = [dict(r) for r in self.conn.execute(text(
            "SELECT amazon_order_item_id, magento_sku, product_id, qty_ordered FROM channel_amazon_order_item"
            " WHERE order_id = :o ORDER BY item_id"), {"o": order_id}).mappings()]
        sent: dict[str, int] = {}
        for row in self.conn.execute(text("SELECT items FROM channel_amazon_shipment WHERE order_id = :o"
                                          " AND status IN ('pending', 'unknown', 'confirmed')"), {"o": order_id}):
            for line in json.loads(row.items):
                sent[line["orderItemId"]] = sent.get(line["orderItemId"], 0) + int(line["quantity"])
        for item in items:
            item["left"] = int(item["qty_ordered"]) - sent.get(item["amazon_order_item_id"], 0)
        return items

    @staticmethod
    def _allocate(items: list[dict], lines: list | None) -> list[dict]:
        """Amazon order items and quantities for a Magento shipment's lines (by SKU, then
        product id); without lines, everything not shipped yet."""
        package: dict[str, int] = {}
        if lines is None:
            for item in items:
                if item["left"] > 0:
                    package[item["amazon_order_item_id"]] = item["left"]
                    item["left"] = 0
        else:
            for line in lines:
                qty = int(line.qty)
                for item in items:
                    same = (item["magento_sku"] or "").lower() == (line.sku or "").lower() or (
                        line.product_id is not None and item["product_id"] == line.product_id)
                    if not same or item["left"] <= 0 or qty <= 0:
                        continue
                    take = min(qty, item["left"])
                    package[item["amazon_order_item_id"]] = package.get(item["amazon_order_item_id"], 0) + take
                    item["left"] -= take
                    qty -= take
        return [{"orderItemId": k, "quantity": v} for k, v in package.items()]

    def collect(self) -> int:
        """Record a package for every Magento shipment not recorded yet."""
        rows = self.new_shipments()
        lines = self._shipment_lines([int(r["shipment_id"]) for r in rows])
        s = self.schema
        for row in rows:
            track = self.conn.execute(text(
                f"SELECT entity_id, track_number, carrier_code, title, description FROM {s.t('sales_shipment_track')}"
                f" WHERE entity_id = :t"), {"t": row["track_id"]}).mappings().one()
            items = self._allocate(self._remaining(row["order_id"]), lines.get(int(row["shipment_id"])))
            code, name = amazon_carrier(track["carrier_code"], track["title"])
            status, message = ("pending", None) if items else ("skipped", "nothing of this shipment is left to ship")
            self.conn.execute(text(
                "INSERT IGNORE INTO channel_amazon_shipment (order_id, magento_shipment_id, package_reference_id,"
                " carrier_code, carrier_name, shipping_method, tracking_number, ship_date, items, status, message)"
                " VALUES (:o, :sh, :ref, :cc, :cn, :sm, :tn, :sd, :items, :st, :m)"),
                {"o": row["order_id"], "sh": row["shipment_id"], "ref": str(track["entity_id"]), "cc": code,
                 "cn": name, "sm": None,  # a track's title names the carrier, not the ship method
                 "tn": (track["track_number"] or "").strip()[:255], "sd": row["created_at"] or self._now(),
                 "items": json.dumps(items), "st": status, "m": message})
        self.conn.commit()
        return len(rows)

    # --- send and verify ----------------------------------------------------------------
    def _packages(self, statuses: tuple[str, ...]) -> Sequence[RowMapping]:
        stmt = text(
            "SELECT cs.*, o.amazon_order_id FROM channel_amazon_shipment cs JOIN channel_amazon_order o"
            " ON o.order_id = cs.order_id WHERE o.account_id = :a AND cs.status IN :st"
            " ORDER BY cs.shipment_id").bindparams(bindparam("st", expanding=True))
        return self.conn.execute(stmt, {"a": self.account.account_id, "st": list(statuses)}).mappings().all()

    def _set(self, package, status: str, message: str | None = None, sent: bool = False) -> None:
        self.conn.execute(text(
            "UPDATE channel_amazon_shipment SET status = :s, message = :m,"
            " attempts = attempts + :sent, sent_at = CASE WHEN :sent THEN :now ELSE sent_at END,"
            " confirmed_at = CASE WHEN :s = 'confirmed' THEN :now ELSE confirmed_at END WHERE shipment_id = :id"),
            {"s": status, "m": (message or "")[:1024] or None, "sent": int(sent), "now": self._now(),
             "id": package["shipment_id"]})
        if status == "confirmed":
            self.confirmed += 1
        self._summarise(package["order_id"])
        self.conn.commit()

    def _summarise(self, order_id: int) -> None:
        """The order's shipment status: failed if a package failed, confirmed when every
        package is, none while one is on its way."""
        rows = self.conn.execute(text("SELECT status, carrier_code, tracking_number FROM channel_amazon_shipment"
                                      " WHERE order_id = :o ORDER BY shipment_id"), {"o": order_id}).all()
        statuses = {r.status for r in rows}
        confirmed = [f"{r.carrier_code} {r.tracking_number}" for r in rows if r.status == "confirmed"]
        overall = "failed" if "failed" in statuses else (
            "confirmed" if confirmed and statuses <= {"confirmed", "skipped"} else "none")
        self.conn.execute(text(
            "UPDATE channel_amazon_order SET shipment_status = :s, shipment_message = :m,"
            " shipment_confirmed_at = CASE WHEN :s = 'confirmed' THEN COALESCE(shipment_confirmed_at, :now)"
            " ELSE shipment_confirmed_at END WHERE order_id = :o"),
            {"s": overall, "m": ", ".join(confirmed)[:1024] or None, "now": self._now(), "o": order_id})

    def _shown_by_amazon(self, package) -> bool:
        """Did this confirmation go through? Amazon lists the package (by our reference or its
        tracking number), or its shipped quantities already cover this package on top of the
        packages confirmed before it."""
        order = api.get_order(self.client, package["amazon_order_id"])
        shown = api.shipped_packages(order)
        if package["package_reference_id"] in shown or any(
                p.get("trackingNumber") == package["tracking_number"] for p in shown.values()):
            return True
        fulfilled = {i["orderItemId"]: (i.get("fulfillment") or {}).get("quantityFulfilled")
                     for i in order.get("orderItems", [])}
        before: dict[str, int] = {}
        for row in self.conn.execute(text(
                "SELECT items FROM channel_amazon_shipment WHERE order_id = :o AND status = 'confirmed'"
                " AND shipment_id <> :id"), {"o": package["order_id"], "id": package["shipment_id"]}):
            for line in json.loads(row.items):
                before[line["orderItemId"]] = before.get(line["orderItemId"], 0) + int(line["quantity"])
        lines = json.loads(package["items"])

        def covered(line: dict) -> bool:
            done = fulfilled.get(line["orderItemId"])
            return done is not None and done >= before.get(line["orderItemId"], 0) + int(line["quantity"])

        return bool(lines) and all(covered(line) for line in lines)

    def verify(self) -> None:
        """Packages sent without a clear answer: confirmed when Amazon shows them, sent
        again when it still does not after ``RESEND_AFTER``."""
        for package in self._packages(("unknown",)):
            if self._shown_by_amazon(package):
                self._set(package, "confirmed", "Amazon shows the package")
            elif package["sent_at"] is None or self._now() - package["sent_at"] >= RESEND_AFTER:
                self._set(package, "pending", "Amazon does not show the package; sending it again")

    def send(self, package) -> None:
        """Send one package. It is marked ``unknown`` (sent, answer not known) before the
        call, so a worker killed during the call leaves it to ``verify``, not to a blind re-send."""
        try:
            detail_args = (package["amazon_order_id"], package["package_reference_id"], package["carrier_code"],
                           package["tracking_number"], json.loads(package["items"]), package["ship_date"])
            api.package_detail(*detail_args[1:], carrier_name=package["carrier_name"],
                               shipping_method=package["shipping_method"])
        except ValueError as exc:  # refused before sending: Amazon would refuse it too
            self._set(package, "failed", str(exc))
            return
        self._set(package, "unknown", "sending", sent=True)
        try:
            api.confirm_shipment(self.client, *detail_args, carrier_name=package["carrier_name"],
                                 shipping_method=package["shipping_method"])
        except api.ConfirmationUnknown as exc:
            logger.warning("Shipment confirmation of order %s may not have reached Amazon: %s",
                           package["amazon_order_id"], exc)
            self._set(package, "unknown", "sent; Amazon's answer did not arrive")
            return
        except Throttled:
            self._set(package, "pending", "Amazon throttled the confirmation; it was not processed")
            raise
        except AmazonError as exc:
            if exc.retryable:
                self._set(package, "pending", exc.message)
                raise
            if self._shown_by_amazon(package):
                self._set(package, "confirmed", "Amazon already shows the package")
                return
            self._set(package, "failed", exc.message)
            return
        self._set(package, "confirmed", None)

    def run(self) -> int:
        """Record new shipments, settle the doubtful ones, send the rest; packages confirmed."""
        if self.account.read_only:
            return 0
        self.collect()
        self.verify()
        for package in self._packages(("pending",)):
            self.send(package)
        return self.confirmed
