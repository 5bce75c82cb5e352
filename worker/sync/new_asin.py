"""The creator of new ASINs: products Amazon does not have yet, made from the Magento catalog.

One run, per account, under the account's lock:

1. **Families**: a chosen configurable product becomes a variation parent and each of its
   children (``catalog_product_super_link``) a child of the family; a child added in
   Magento since the last run joins the family now, a child unlinked leaves it (on
   Amazon too: its relationship is deleted, its product and offer stay).
2. **Check**: each open product's attributes are built from the merchant's mapping for
   its product type (``channel.new_asin``) and validated against the product type's
   schema, fetched and cached with its version (``channel.product_types``): invalid
   products wait with what to fill. A parent or product whose seller SKU Amazon already
   holds (its listings report, e.g. an existing family) is taken as it is, never created
   again; new children join it. A valid product's brand is checked with
   ``getListingsRestrictions`` on a catalog item of that brand: a gated brand stops it
   with Amazon's reason before anything is sent.
3. **Submit**: parents first, then the rest; a few by ``putListingsItem``, many as one
   ``JSON_LISTINGS_FEED`` (requirements LISTING, no ASIN), recorded before they leave.
4. **Track**: a feed's processing report refuses messages with Amazon's issues; accepted
   products are asked about (``getListingsItem``) until Amazon shows the ASIN it assigned,
   or issues that refuse them.

The sync cycle runs it as a step of its own (``cycle_run``) when a rule chooses products
for a mapped product type; a manual choice runs it as a job (``worker.new_asin_jobs``).

The listing rows move through ``channel.listing_state`` (submitted for a new ASIN,
ASIN assigned, refused with issues); the flow's own facts are ``channel_amazon_new_asin``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel import listing_state, marketplaces, new_asin, payloads, product_types, rules
from channel.magento.catalog import CatalogReader
from channel.magento.configurable import families, parents
from channel.product_types import Problem, ProductTypeSchema
from worker.amazon import catalog, definitions, feeds, listings, restrictions
from worker.amazon.errors import AmazonError

logger = logging.getLogger(__name__)

#: Above this many products at once, they go as one listings feed instead of one put each.
FEED_ABOVE = 20
FEED_KIND = "new_asin"
FEED_REF = "feed:"


def utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


def cycle_run(conn: Connection, client, account, reader: CatalogReader,
              now: Callable[[], datetime] = utcnow) -> dict | None:
    """The sync cycle's new-ASIN step: products the account's rules choose are validated,
    sent when ready and tracked until Amazon assigns their ASIN, with the cycle's client
    (its rate limiter) under the cycle's lock. Invalid products are checked again each
    cycle; submitted ones are tracked, never sent again; refused and restricted ones wait
    for the merchant (``new_asin.CYCLE_OPEN``). ``None`` when no rule has a mapping."""
    if not new_asin.load_rules(conn, account.account_id, mapped_only=True):
        conn.commit()
        return None
    return NewAsinCreator(conn, client, account, reader, now=now, open_statuses=new_asin.CYCLE_OPEN).run()


@dataclasses.dataclass
class Stats:
    checked: int = 0
    invalid: int = 0
    restricted: int = 0
    submitted: int = 0
    feeds: int = 0
    assigned: int = 0
    refused: int = 0
    joined: int = 0
    left: int = 0
    chosen: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class NewAsinCreator:
    """One run for an account; ``open_statuses`` are the statuses it validates (again)."""

    def __init__(self, conn: Connection, client, account, reader: CatalogReader,
                 now: Callable[[], datetime] = utcnow, feed_above: int = FEED_ABOVE, locale: str = "en_US",
                 open_statuses: tuple[str, ...] = new_asin.OPEN):
        if not set(open_statuses) <= set(new_asin.OPEN):
            raise ValueError(f"open statuses must be among {', '.join(new_asin.OPEN)}")
        self.open_statuses = open_statuses
        self.conn = conn
        self.client = client
        self.account = account
        self.reader = reader
        self.now = now
        self.feed_above = feed_above
        self.locale = locale
        self.currency = marketplaces.get(account.marketplace_id).currency
        self.stats = Stats()
        self._schemas: dict[str, ProductTypeSchema] = {}
        self._brands: dict[str, list[dict]] = {}

    def run(self) -> dict:
        self.choose_by_rule()
        self.join_families()
        ready = self.check()
        if not self.account.read_only:
            self.submit(ready)
        self.track()
        left = new_asin.counts(self.conn, self.account.account_id)
        return {**self.stats.as_dict(), "submitted_left": left["submitted"]}

    # --- product types ---------------------------------------------------------------------
    def schema(self, product_type: str) -> ProductTypeSchema:
        """The product type's schema: cached, or fetched again when missing or old."""
        if product_type in self._schemas:
            return self._schemas[product_type]
        found = product_types.cached(self.conn, self.account.marketplace_id, product_type, self.locale)
        if product_types.is_stale(found, self.now()):
            definition = definitions.definition(self.client, product_type, self.locale)
            document = definitions.schema_document(self.client, definition)
            found = product_types.store(self.conn, self.account.marketplace_id, definition, document, self.now(),
                                        self.locale)
            self.conn.commit()
        assert found is not None
        self._schemas[product_type] = found
        return found

    # --- 0. products chosen by rule -------------------------------------------------------------
    def choose_by_rule(self) -> None:
        """Incomplete products without ASIN, not chosen yet, and the configurable products they
        belong to (which have no listing of their own), that pass an account's rule for a
        product type are queued under it (the first product type's rule that admits them); a
        chosen configurable product brings its children as a family (``join_families``). A
        rule whose product type has no mapping chooses nothing."""
        chosen_rules = new_asin.load_rules(self.conn, self.account.account_id, mapped_only=True)
        if not chosen_rules:
            return
        candidates = {int(r.product_id): r.seller_sku for r in self.conn.execute(text(
            f"SELECT l.product_id, l.seller_sku FROM channel_amazon_listing l WHERE l.account_id = :a"
            f" AND l.product_id IS NOT NULL AND COALESCE(l.asin, '') = '' AND l.tab = 'incomplete'"
            f" AND NOT EXISTS (SELECT 1 FROM {new_asin.TABLE} n WHERE n.account_id = l.account_id"
            f" AND n.product_id = l.product_id)"), {"a": self.account.account_id})}
        found = parents(self.conn, self.reader.schema, list(candidates))
        if found:
            stmt = text(f"SELECT product_id FROM {new_asin.TABLE} WHERE account_id = :a AND product_id IN :ids"
                        ).bindparams(bindparam("ids", expanding=True))
            known = {int(r[0]) for r in self.conn.execute(stmt, {"a": self.account.account_id, "ids": list(found)})}
            candidates.update({pid: sku for pid, sku in found.items() if pid not in known})
        for product_type, raw in chosen_rules:
            if not candidates:
                break
            rule = rules.parse_rule(raw)
            codes = rules.attribute_codes(rule)
            matched: list[tuple[int, str, str]] = []
            for batch in self.reader.iter_batches(self.account.website_id, attributes=codes, optional=codes,
                                                  entity_ids=list(candidates), in_website_only=False):
                for product in batch:
                    if rules.evaluate(rule, rules.ProductView.from_product(product)):
                        matched.append((product.entity_id, candidates[product.entity_id], product_type))
            new_asin.queue_products(self.conn, self.account.account_id, matched)
            for product_id, _, _ in matched:
                candidates.pop(product_id, None)
            self.stats.chosen += len(matched)
        self.conn.commit()

    # --- 1. families -----------------------------------------------------------------------------
    def join_families(self) -> None:
        every = new_asin.rows(self.conn, self.account.account_id)
        tracked = [r for r in every if r["role"] != "child"]
        found = families(self.conn, self.reader.schema, [r["product_id"] for r in tracked])
        for row in tracked:
            family = found.get(row["product_id"])
            if family is None:
                continue
            self._leave([r for r in every if r["role"] == "child" and r["parent_sku"] == row["seller_sku"]
                         and r["product_id"] not in family.child_ids])
            if row["role"] != "parent":
                self.conn.execute(text(f"UPDATE {new_asin.TABLE} SET role = 'parent' WHERE new_asin_id = :id"),
                                  {"id": row["new_asin_id"]})
            known = new_asin.rows(self.conn, self.account.account_id, product_ids=family.child_ids)
            for child in known:  # chosen on its own before its parent: a child of the family from now on
                if child["role"] != "child" and child["status"] in new_asin.OPEN:
                    self.conn.execute(text(
                        f"UPDATE {new_asin.TABLE} SET role = 'child', parent_sku = :p, product_type = :t,"
                        f" status = 'queued' WHERE new_asin_id = :id"),
                        {"p": row["seller_sku"], "t": row["product_type"], "id": child["new_asin_id"]})
            missing = [c for c in family.child_ids if c not in {k["product_id"] for k in known}]
            if not missing:
                continue
            skus = {p.entity_id: p.sku for batch in self.reader.iter_batches(
                self.account.website_id, entity_ids=missing, in_website_only=False) for p in batch}
            self.conn.execute(text(
                f"INSERT INTO {new_asin.TABLE} (account_id, product_id, seller_sku, product_type, role, parent_sku,"
                f" status) VALUES (:a, :p, :s, :t, 'child', :parent, 'queued')"),
                [{"a": self.account.account_id, "p": c, "s": skus[c], "t": row["product_type"],
                  "parent": row["seller_sku"]} for c in missing if c in skus])
            self.stats.joined += len([c for c in missing if c in skus])
            logger.info("%d children join the family %s on account %s", len(missing), row["seller_sku"],
                        self.account.account_id)
        self.conn.commit()

    def _leave(self, gone: list[dict]) -> None:
        """Children no longer linked to their configurable product in Magento leave the family:
        on Amazon when they were sent (their product and offer stay), here in any case."""
        for child in gone:
            if child["status"] in ("submitted", "assigned"):
                if self.account.read_only:
                    continue
                self.client.call("patchListingsItem", "PATCH",
                                 f"/listings/2021-08-01/items/{self.client.quote(self.client.seller_id)}/"
                                 f"{self.client.quote(child['seller_sku'])}",
                                 params={"marketplaceIds": self.client.marketplace_id},
                                 json=payloads.leave_family_body(child["product_type"], self.account.marketplace_id))
                self.conn.execute(text(f"UPDATE {new_asin.TABLE} SET role = 'single', parent_sku = NULL,"
                                       f" variation_theme = NULL WHERE new_asin_id = :id"),
                                  {"id": child["new_asin_id"]})
            else:
                self.conn.execute(text(f"DELETE FROM {new_asin.TABLE} WHERE new_asin_id = :id"),
                                  {"id": child["new_asin_id"]})
            self.stats.left += 1
            logger.info("%s left the family %s on account %s", child["seller_sku"], child["parent_sku"],
                        self.account.account_id)

    # --- 2. check ----------------------------------------------------------------------------------
    def check(self) -> list[tuple[dict, dict]]:
        """Validate every open product; returns (row, attributes) of those ready to send."""
        rows = new_asin.rows(self.conn, self.account.account_id, self.open_statuses)
        by_sku = {r["seller_sku"]: r for r in new_asin.rows(self.conn, self.account.account_id)}
        ready: list[tuple[dict, dict]] = []
        for product_type in sorted({r["product_type"] for r in rows}):
            order = {"parent": 0, "single": 1, "child": 2}
            group = sorted((r for r in rows if r["product_type"] == product_type),
                           key=lambda r: order.get(r["role"], 1))
            schema = self.schema(product_type)
            mapping = new_asin.load_mapping(self.conn, self.account.account_id, product_type)
            builder = new_asin.AttributeBuilder(schema, mapping, self.account.marketplace_id, self.locale)
            products = self._products(group, builder.codes())
            offers = self._offers([r["product_id"] for r in group])
            on_amazon = self._on_amazon([r["seller_sku"] for r in group if r["role"] in ("parent", "single")])
            supers = families(self.conn, self.reader.schema, [r["product_id"] for r in group if r["role"] == "parent"])
            for row in group:
                self.stats.checked += 1
                product = products.get(row["product_id"])
                if product is None:
                    self._stop(row, "invalid", [Problem("product", "The product is no longer in Magento.")])
                    continue
                attrs = builder.build(product)
                problems: list[Problem] = []
                if row["role"] == "parent":
                    family = supers.get(row["product_id"])
                    theme = new_asin.choose_theme(schema, mapping, family.attribute_codes if family else ())
                    if theme is None:
                        problems.append(Problem("variation_theme", (
                            f"No variation theme of {product_type} is made of the configurable attributes"
                            f" {', '.join(family.attribute_codes if family else ())}: map them to the Amazon"
                            f" attributes of one of {', '.join(schema.variation_themes) or 'no theme'}.")))
                        theme = ""
                    attrs = new_asin.parent_attributes(attrs, theme, self.account.marketplace_id)
                    row["variation_theme"] = theme or None
                else:
                    attrs.update(self._offer_attributes(offers.get(row["product_id"])))
                    if row["role"] == "child":
                        parent = by_sku.get(row["parent_sku"] or "")
                        theme = (parent or {}).get("variation_theme")
                        if not theme or parent is None or parent["status"] not in ("ready", "submitted", "assigned"):
                            problems.append(Problem("child_parent_sku_relationship",
                                                    f"Waits for its parent {row['parent_sku']} to be sent.", "waiting"))
                            theme = theme or ""
                        attrs = new_asin.child_attributes(attrs, theme, row["parent_sku"] or "",
                                                          self.account.marketplace_id)
                        row["variation_theme"] = theme or None
                known = on_amazon.get(row["seller_sku"])
                if known and row["role"] in ("parent", "single") and not problems:
                    # Already on Amazon (its listings report): understood as it is, never created again.
                    new_asin.set_status(self.conn, row["new_asin_id"], "assigned", None, asin=known,
                                        checked_at=self.now(), variation_theme=row["variation_theme"])
                    by_sku[row["seller_sku"]] = {**row, "status": "assigned"}
                    continue
                problems = problems or schema.problems(attrs)
                if problems:
                    self._stop(row, "invalid", problems)
                    continue
                blocked = self._restricted(attrs, product_type)
                if blocked:
                    self._stop(row, "restricted", blocked, "amazon")
                    continue
                new_asin.set_status(self.conn, row["new_asin_id"], "queued", None, checked_at=self.now(),
                                    variation_theme=row["variation_theme"])
                ready.append((row, attrs))
                if row["role"] == "parent":  # its children may go in this run, right after it
                    by_sku[row["seller_sku"]] = {**row, "status": "ready"}
            self.conn.commit()
        return ready

    def _stop(self, row: dict, status: str, problems: list, source: str = "channel") -> None:
        self.stats.invalid += status == "invalid"
        self.stats.restricted += status == "restricted"
        found = [p.as_dict() if isinstance(p, Problem) else p for p in problems]
        new_asin.set_status(self.conn, row["new_asin_id"], status, [{**p, "source": source} for p in found],
                            checked_at=self.now(), variation_theme=row.get("variation_theme"))

    def _products(self, rows: list[dict], codes: list[str]) -> dict[int, dict]:
        out: dict[int, dict] = {}
        for batch in self.reader.iter_batches(self.account.website_id, attributes=codes, optional=codes,
                                              entity_ids=[r["product_id"] for r in rows], in_website_only=False):
            for p in batch:
                out[p.entity_id] = {**p.attributes, "sku": p.sku}
        return out

    def _offers(self, product_ids: list[int]) -> dict[int, tuple]:
        """(price, quantity, condition) the channel computed for each product (its listing row)."""
        if not product_ids:
            return {}
        stmt = text("SELECT product_id, calc_price, offer_qty, calc_condition FROM channel_amazon_listing"
                    " WHERE account_id = :a AND product_id IN :ids").bindparams(bindparam("ids", expanding=True))
        return {int(r.product_id): (r.calc_price, r.offer_qty, r.calc_condition)
                for r in self.conn.execute(stmt, {"a": self.account.account_id, "ids": product_ids})}

    def _on_amazon(self, skus: list[str]) -> dict[str, str]:
        """ASIN by seller SKU of those Amazon already holds (its listings report), matched or not
        (a variation parent of the report stays unmatched: ``has_variants``)."""
        if not skus:
            return {}
        stmt = text("SELECT seller_sku, asin FROM channel_amazon_listing WHERE account_id = :a"
                    " AND seller_sku IN :skus AND COALESCE(asin, '') <> ''").bindparams(
            bindparam("skus", expanding=True))
        return {r.seller_sku: r.asin for r in self.conn.execute(stmt, {"a": self.account.account_id, "skus": skus})}

    def _offer_attributes(self, offer: tuple | None) -> dict:
        price, quantity, condition = offer or (None, None, None)
        return payloads.offer_attributes(self.account.marketplace_id, self.currency,
                                         price=Decimal(price) if price is not None else None,
                                         quantity=quantity, condition=condition or "new_new")

    def _restricted(self, attrs: dict, product_type: str) -> list[dict]:
        """Amazon's reasons when the product's brand needs approval (read on a catalog item of the brand)."""
        brand = str(((attrs.get("brand") or [{}])[0]).get("value") or "").strip()
        if not brand:
            return []
        key = brand.casefold()
        if key not in self._brands:
            reasons: list[dict] = []
            items = [i for i in catalog.search_by_keywords(self.client, [brand])
                     if str(i.get("brand") or "").casefold() == key]
            if items:
                found = restrictions.restrictions(self.client, items[0]["asin"], "new_new", product_type)
                reasons = [{"attribute": "brand", "message": r.get("message") or r.get("reasonCode"),
                            "code": r.get("reasonCode") or "restricted",
                            **({"link": r["links"][0]["resource"]} if r.get("links") else {})}
                           for r in restrictions.blocking_reasons(found)]
            self._brands[key] = reasons
        return self._brands[key]

    # --- 3. submit -----------------------------------------------------------------------------------
    def submit(self, ready: list[tuple[dict, dict]]) -> None:
        order = {"parent": 0, "single": 1, "child": 2}
        ready = sorted(ready, key=lambda item: order.get(item[0]["role"], 1))
        if len(ready) > self.feed_above:
            self._submit_feed(ready)
            return
        for row, attrs in ready:
            self._mark_submitted([row], None)
            try:
                result, _ = self.client.call(
                    "putListingsItem", "PUT",
                    f"/listings/2021-08-01/items/{self.client.quote(self.client.seller_id)}/"
                    f"{self.client.quote(row['seller_sku'])}",
                    params={"marketplaceIds": self.client.marketplace_id},
                    json=payloads.new_product_body(attrs, row["product_type"]))
            except AmazonError as exc:
                if exc.retryable:
                    raise
                result = {"status": "INVALID", "issues": exc.errors}
            if result.get("status") == "INVALID":
                self._refused(row, result.get("issues") or [])
            else:
                self.conn.execute(text(f"UPDATE {new_asin.TABLE} SET submission_ref = :r WHERE new_asin_id = :id"),
                                  {"r": str(result.get("submissionId") or "")[:64], "id": row["new_asin_id"]})
            self.conn.commit()

    def _mark_submitted(self, rows: list[dict], ref: str | None) -> None:
        """Recorded before it leaves: a killed worker then tracks instead of sending twice."""
        now = self.now()
        for row in rows:
            new_asin.set_status(self.conn, row["new_asin_id"], "submitted", None, submitted_at=now,
                                submission_ref=ref, variation_theme=row.get("variation_theme"))
            row["status"] = "submitted"
        listing_state.new_asin_submitted(self.conn, self.account.account_id, [r["product_id"] for r in rows],
                                         ref or "new_asin", now)
        self.conn.commit()
        self.stats.submitted += len(rows)

    def _submit_feed(self, ready: list[tuple[dict, dict]]) -> None:
        attrs_of = {row["new_asin_id"]: attrs for row, attrs in ready}

        def message(n: int, row: dict) -> dict:
            return payloads.new_product_message(n, row["seller_sku"], attrs_of[row["new_asin_id"]],
                                                row["product_type"])

        for batch, body in feeds.documents(self.client.seller_id, [row for row, _ in ready], message):
            self._mark_submitted(batch, None)
            feed_id = feeds.submit_document(self.client, body)
            index = {n: [r["new_asin_id"], r["seller_sku"]] for n, r in enumerate(batch, start=1)}
            self.conn.execute(text(
                "INSERT INTO channel_amazon_feed (feed_id, account_id, kind, messages, message_count)"
                " VALUES (:f, :a, :k, :m, :c)"),
                {"f": feed_id, "a": self.account.account_id, "k": FEED_KIND, "m": json.dumps(index), "c": len(index)})
            self.conn.execute(text(f"UPDATE {new_asin.TABLE} SET submission_ref = :r WHERE new_asin_id IN :ids")
                              .bindparams(bindparam("ids", expanding=True)),
                              {"r": FEED_REF + feed_id, "ids": [r["new_asin_id"] for r in batch]})
            self.conn.commit()
            self.stats.feeds += 1
            logger.info("Submitted a listings feed %s creating %d products for account %s", feed_id, len(batch),
                        self.account.account_id)

    def _refused(self, row: dict, issues: list[dict]) -> None:
        errors = [i for i in issues if i.get("severity", "ERROR") == "ERROR"] or issues
        problems = [{"attribute": (i.get("attributeNames") or [i.get("attributeName") or "attributes"])[0],
                     "message": str(i.get("message") or i.get("code")), "code": str(i.get("code") or ""),
                     "source": "amazon"} for i in errors]
        new_asin.set_status(self.conn, row["new_asin_id"], "refused", problems)
        listing_state.new_asin_refused(self.conn, self.account.account_id, row["product_id"], errors)
        self.stats.refused += 1

    # --- 4. track --------------------------------------------------------------------------------------
    def track(self) -> None:
        rows = new_asin.rows(self.conn, self.account.account_id, ("submitted",))
        for feed_id in sorted({r["submission_ref"][len(FEED_REF):] for r in rows
                               if (r["submission_ref"] or "").startswith(FEED_REF)
                               and not r["submission_ref"].endswith("/ok")}):
            self._apply_feed(feed_id, [r for r in rows if r["submission_ref"] == FEED_REF + feed_id])
        for row in new_asin.rows(self.conn, self.account.account_id, ("submitted",)):
            ref = row["submission_ref"] or ""
            if ref.startswith(FEED_REF) and not ref.endswith("/ok"):
                continue
            item = listings.get_item(self.client, row["seller_sku"], "summaries,issues")
            if item is None:
                continue  # accepted, not shown yet (Amazon's eventual consistency)
            status, issues = listings.status_of(item)
            asin = next((s.get("asin") for s in item.get("summaries") or [] if s.get("asin")), None)
            errors = [i for i in issues if i.get("severity") == "ERROR"]
            if asin:
                new_asin.set_status(self.conn, row["new_asin_id"], "assigned", None, asin=asin,
                                    assigned_at=self.now())
                listing_state.new_asin_assigned(self.conn, self.account.account_id, row["product_id"], asin,
                                                status == "BUYABLE", row["role"] == "parent")
                self.stats.assigned += 1
            elif errors:
                self._refused(row, errors)
            self.conn.commit()

    def _apply_feed(self, feed_id: str, rows: list[dict]) -> None:
        feed = feeds.feed_status(self.client, feed_id)
        status = feed.get("processingStatus")
        if status not in ("DONE", "FATAL", "CANCELLED"):
            return
        by_message = {}
        raw = self.conn.execute(text("SELECT messages FROM channel_amazon_feed WHERE feed_id = :f"),
                                {"f": feed_id}).scalar()
        for n, (new_asin_id, _) in (json.loads(raw) if raw else {}).items():
            by_message[int(n)] = new_asin_id
        report = feeds.processing_report(self.client, feed) if status == "DONE" else {}
        issues: dict[int, list[dict]] = {}
        for issue in report.get("issues") or []:
            if isinstance(issue, dict) and "messageId" in issue:
                issues.setdefault(int(issue["messageId"]), []).append(issue)
        rejected, _ = feeds.account_for(report, set(by_message))
        ids = {r["new_asin_id"]: r for r in rows}
        for message_id, new_asin_id in by_message.items():
            row = ids.get(new_asin_id)
            if row is None:
                continue
            if status != "DONE":
                new_asin.set_status(self.conn, new_asin_id, "queued", None)  # Amazon did not process it: again
            elif message_id in rejected:
                self._refused(row, issues.get(message_id, []))
            else:
                self.conn.execute(text(f"UPDATE {new_asin.TABLE} SET submission_ref = :r WHERE new_asin_id = :id"),
                                  {"r": f"{FEED_REF}{feed_id}/ok"[:64], "id": new_asin_id})
        self.conn.execute(text("UPDATE channel_amazon_feed SET status = :s, accepted = :ok, rejected = :bad,"
                               " processed_at = :t WHERE feed_id = :f"),
                          {"s": "done" if status == "DONE" else "fatal", "ok": len(by_message) - len(rejected),
                           "bad": len(rejected), "t": self.now(), "f": feed_id})
        self.conn.commit()
