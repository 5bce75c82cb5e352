"""Repricing: an offer's price follows the competition within a floor and a ceiling.

Each account may have one rule (``channel_amazon_repricing_rule``): a strategy (match the
Buy Box, beat the lowest offer by an amount or a percent, or match the lowest offer of
one fulfilment type), a floor and a ceiling (a fixed amount, a percent of the price rule's
price, or a Magento attribute), and what to do when no competitor is seen or the
competition is below the floor.

What Amazon says of the competition per ASIN (``getItemOffersBatch`` and
``ANY_OFFER_CHANGED``) is kept in ``channel_amazon_competition``, newest first. A decision
starts from the price rule's price (``pricing.compute_price``, the one price rule), is
recorded with its words (``channel_amazon_repricing_decision``: "Buy Box 19.99 by a FBA
seller, floor 18.50, sent 19.98") and, when it changes the price, becomes the offer's
price through the listing owner (``listing_state.repriced``): the normal delta push sends
it. The price in force is kept per listing with the price rule's price it started from
(``channel_amazon_repricing``); classification keeps it while that price is unchanged.

A rule may also be given per group of products, each group selected by a listing-rule
condition (``channel.rules``, the language of Magento's cart price rules): the first group
whose condition a product meets decides its price, the account's rule decides the rest
(``RuleSet``). The stored JSON is the account's rule with ``groups`` and
``competition_source`` beside its keys, so a reader of the account's rule alone still reads it.

Repricing runs on its own schedule (``worker.repricing.reprice_tick``); each run's outcome is
kept on the rule row (``run_finished``) and, after ``FAILING_AFTER`` failed runs in a row, an
alert tells the merchant until a run succeeds.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel import alerts, listing_state, pricing, rules
from channel.business import explain_business
from channel.errors import InvalidInput
from channel.magento import tier_price

STRATEGIES = ("match_buybox", "beat_lowest", "lowest_of_fulfilment")
BOUND_TYPES = ("fixed", "percent", "attribute")
NO_COMPETITOR = ("price_source", "ceiling", "keep")
BELOW_FLOOR = ("floor", "price_source")
#: Where the competition is read from on a scheduled run (``worker.repricing`` explains the choice).
SOURCES = ("both", "item_offers", "competitive_summary")
#: A rule set's bound on its groups, so evaluating it per product stays cheap.
MAX_GROUPS = 20
CENT = Decimal("0.01")
#: Seconds between two scheduled runs of an account, and failed runs in a row before the alert.
INTERVAL = 15 * 60
FAILING_AFTER = 3
ALERT = "repricing_failing"
ALERT_ACTION = ("Read the communication log (operation repricing); prices stay as last decided and the next"
                " run tries again.")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _dec(value: Any, path: str, minimum: Decimal = Decimal(0)) -> Decimal:
    try:
        out = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{path} must be a number", {"field": path}) from None
    if not out.is_finite() or out < minimum:
        raise InvalidInput(f"{path} must be a number of at least {minimum}", {"field": path})
    return out


@dataclasses.dataclass(frozen=True)
class Bound:
    """A floor or ceiling: ``fixed`` amount, ``percent`` of the price rule's price, or a Magento ``attribute``."""

    type: str
    value: str

    @classmethod
    def parse(cls, raw: Any, path: str) -> "Bound | None":
        if raw in (None, {}):
            return None
        if not isinstance(raw, dict) or raw.get("type") not in BOUND_TYPES:
            raise InvalidInput(f"{path}.type must be one of {', '.join(BOUND_TYPES)}", {"field": path})
        if raw["type"] == "attribute":
            code = str(raw.get("value") or "")
            if not code.replace("_", "").isalnum():
                raise InvalidInput(f"{path}.value must be a Magento attribute code", {"field": path})
            return cls("attribute", code)
        return cls(raw["type"], str(_dec(raw.get("value"), f"{path}.value")))

    def amount(self, source: Decimal | None, product: Any = None) -> Decimal | None:
        if self.type == "fixed":
            return Decimal(self.value)
        if self.type == "percent":
            return None if source is None else (source * Decimal(self.value) / 100).quantize(CENT, ROUND_HALF_UP)
        raw = product.get(self.value) if product is not None else None
        try:
            return None if raw in (None, "") else Decimal(str(raw)).quantize(CENT, ROUND_HALF_UP)
        except InvalidOperation:
            return None

    def words(self) -> str:
        return {"fixed": f"{self.value}", "percent": f"{self.value}% of the price rule's price",
                "attribute": f"Magento attribute '{self.value}'"}[self.type]


@dataclasses.dataclass(frozen=True)
class Rule:
    enabled: bool = True
    strategy: str = "match_buybox"
    #: Undercut the reference price by this: (``amount`` or ``percent``, value); none matches it.
    beat_by: tuple[str, str] | None = None
    #: For ``lowest_of_fulfilment``: ``FBA`` or ``MFN``.
    fulfilment: str = "FBA"
    floor: Bound | None = None
    ceiling: Bound | None = None
    no_competitor: str = "price_source"
    below_floor: str = "floor"

    @classmethod
    def from_json(cls, raw: Any) -> "Rule":
        try:
            data = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
        except ValueError:
            raise InvalidInput("the repricing rule is not JSON") from None
        if not isinstance(data, dict):
            raise InvalidInput("the repricing rule must be an object")
        strategy = data.get("strategy", "match_buybox")
        if strategy not in STRATEGIES:
            raise InvalidInput(f"strategy must be one of {', '.join(STRATEGIES)}", {"field": "strategy"})
        beat = data.get("beat_by")
        beat_by = None
        if beat not in (None, {}):
            if not isinstance(beat, dict) or beat.get("type") not in ("amount", "percent"):
                raise InvalidInput("beat_by.type must be amount or percent", {"field": "beat_by"})
            beat_by = (beat["type"], str(_dec(beat.get("value"), "beat_by.value")))
        fulfilment = str(data.get("fulfilment", "FBA")).upper()
        if fulfilment not in ("FBA", "MFN"):
            raise InvalidInput("fulfilment must be FBA or MFN", {"field": "fulfilment"})
        no_competitor = data.get("no_competitor", "price_source")
        if no_competitor not in NO_COMPETITOR:
            raise InvalidInput(f"no_competitor must be one of {', '.join(NO_COMPETITOR)}", {"field": "no_competitor"})
        below = data.get("below_floor", "floor")
        if below not in BELOW_FLOOR:
            raise InvalidInput(f"below_floor must be one of {', '.join(BELOW_FLOOR)}", {"field": "below_floor"})
        floor, ceiling = Bound.parse(data.get("floor"), "floor"), Bound.parse(data.get("ceiling"), "ceiling")
        if floor and ceiling and floor.type == ceiling.type != "attribute" and Decimal(floor.value) > Decimal(ceiling.value):
            raise InvalidInput("the floor is above the ceiling", {"field": "floor"})
        return cls(bool(data.get("enabled", True)), strategy, beat_by, fulfilment, floor, ceiling, no_competitor, below)

    def to_json(self) -> dict:
        return {"enabled": self.enabled, "strategy": self.strategy,
                "beat_by": {"type": self.beat_by[0], "value": self.beat_by[1]} if self.beat_by else None,
                "fulfilment": self.fulfilment,
                "floor": dataclasses.asdict(self.floor) if self.floor else None,
                "ceiling": dataclasses.asdict(self.ceiling) if self.ceiling else None,
                "no_competitor": self.no_competitor, "below_floor": self.below_floor}

    def attribute_codes(self) -> list[str]:
        return [b.value for b in (self.floor, self.ceiling) if b is not None and b.type == "attribute"]


def _at(path: str, exc: InvalidInput) -> InvalidInput:
    """``exc`` raised at ``path`` of a request: its message and ``details["path"]`` say where."""
    inner = (exc.details or {}).get("path") or (exc.details or {}).get("field")
    where = f"{path}.{inner}" if inner and inner != "$" else path
    return InvalidInput(f"{where}: {exc.message}", {"path": where})


@dataclasses.dataclass(frozen=True)
class GroupRule:
    """A rule for the products meeting ``condition`` (a listing-rule tree; None: every product)."""

    name: str
    condition: rules.Group | None
    rule: Rule

    def to_json(self) -> dict:
        return {"name": self.name, "condition": rules.dump_rule(self.condition), "rule": self.rule.to_json()}


@dataclasses.dataclass(frozen=True)
class RuleSet:
    """The account's rule (the default), its groups (first match wins) and the competition source."""

    default: Rule
    groups: tuple[GroupRule, ...] = ()
    competition_source: str = "both"

    @classmethod
    def parse(cls, data: Any, reader: Any = None) -> "RuleSet":
        """A request's ``{"rule", "groups", "competition_source"}``, validated; every error
        names its place (``groups[1].condition.conditions[0].operator``). With a catalog
        ``reader`` the groups' conditions are checked against Magento's attributes too."""
        if not isinstance(data, dict):
            raise InvalidInput("the repricing settings must be an object", {"path": "$"})
        try:
            default = Rule.from_json(data.get("rule"))
        except InvalidInput as exc:
            raise _at("rule", exc) from None
        raw_groups = data.get("groups") or []
        if not isinstance(raw_groups, list):
            raise InvalidInput("groups must be a list", {"path": "groups"})
        if len(raw_groups) > MAX_GROUPS:
            raise InvalidInput(f"groups: at most {MAX_GROUPS} groups", {"path": "groups"})
        groups = []
        known = rules.catalog_attributes(reader) if reader is not None else None
        for i, raw in enumerate(raw_groups):
            path = f"groups[{i}]"
            if not isinstance(raw, dict):
                raise InvalidInput(f"{path} must be an object", {"path": path})
            name = raw.get("name")
            if not isinstance(name, str) or not name.strip() or len(name) > 64:
                raise InvalidInput(f"{path}.name must be a name of 1 to 64 characters", {"path": f"{path}.name"})
            try:
                condition = rules.parse_rule(raw.get("condition"))
                if known is not None:
                    rules.check_against_catalog(condition, known)
            except InvalidInput as exc:
                raise _at(f"{path}.condition", exc) from None
            try:
                rule = Rule.from_json(raw.get("rule"))
            except InvalidInput as exc:
                raise _at(f"{path}.rule", exc) from None
            groups.append(GroupRule(name.strip(), condition, rule))
        source = data.get("competition_source", "both")
        if source not in SOURCES:
            raise InvalidInput(f"competition_source must be one of {', '.join(SOURCES)}",
                               {"path": "competition_source"})
        return cls(default, tuple(groups), source)

    @classmethod
    def from_stored(cls, raw: Any) -> "RuleSet":
        data = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
        return cls.parse({"rule": data, "groups": data.get("groups") or [],
                          "competition_source": data.get("competition_source", "both")})

    def to_stored(self) -> dict:
        return {**self.default.to_json(), "groups": [g.to_json() for g in self.groups],
                "competition_source": self.competition_source}

    def to_json(self) -> dict:
        return {"rule": self.default.to_json(), "groups": [g.to_json() for g in self.groups],
                "competition_source": self.competition_source}

    @property
    def enabled(self) -> bool:
        return self.default.enabled or any(g.rule.enabled for g in self.groups)

    def attribute_codes(self) -> list[str]:
        """Every Magento attribute the groups' conditions and the rules' bounds read."""
        codes = set(self.default.attribute_codes())
        for g in self.groups:
            codes |= set(rules.attribute_codes(g.condition)) | set(g.rule.attribute_codes())
        return sorted(codes)

    def bound_codes(self) -> list[str]:
        """The attributes only the bounds read (a product may lack them: no bound then)."""
        return sorted(set(self.default.attribute_codes()).union(*(g.rule.attribute_codes() for g in self.groups)))

    def rule_for(self, product: Any, now: datetime | None = None) -> tuple[str | None, Rule]:
        """(group name, rule) deciding ``product``'s price: the first group it meets, else the account's."""
        if self.groups and product is not None:
            view = rules.ProductView.from_product(product, now=now)
            for g in self.groups:
                if rules.evaluate(g.condition, view):
                    return g.name, g.rule
        return None, self.default


@dataclasses.dataclass(frozen=True)
class Competition:
    """Other sellers' offers on an ASIN (the account's own excluded)."""

    buybox_price: Decimal | None = None
    buybox_fba: bool | None = None
    buybox_ours: bool = False
    lowest_fba: Decimal | None = None
    lowest_mfn: Decimal | None = None
    offers: int = 0

    @classmethod
    def of_offers(cls, offers: Iterable[dict], seller_id: str) -> "Competition":
        """From an offers list (ANY_OFFER_CHANGED's ``Offers`` or getItemOffers' ``Offers``)."""
        box_price: Decimal | None = None
        box_fba: bool | None = None
        ours = False
        lowest: dict[bool, Decimal] = {}
        count = 0
        for offer in offers:
            price = Decimal(str((offer.get("ListingPrice") or {}).get("Amount", "0")))
            landed = price + Decimal(str((offer.get("Shipping") or {}).get("Amount", "0")))
            fba = bool(offer.get("IsFulfilledByAmazon"))
            mine = offer.get("SellerId") == seller_id or bool(offer.get("MyOffer"))
            if offer.get("IsBuyBoxWinner"):
                if mine:
                    ours = True
                else:
                    box_price, box_fba = price, fba
            if mine:
                continue
            count += 1
            if fba not in lowest or landed < lowest[fba]:
                lowest[fba] = landed
        return cls(box_price, box_fba, ours, lowest.get(True), lowest.get(False), count)

    @classmethod
    def of_summary(cls, body: dict, seller_id: str) -> "Competition":
        """From a getCompetitiveSummary body (productPricing 2022-05-01): the Buy Box is the
        featured offer of the segments with the most glance views; the lowest landed prices
        per fulfilment are read from ``lowestPricedOffers`` (listing price plus the DEFAULT
        shipping option), the account's own offer left out."""

        def amount(money: Any) -> Decimal:
            return Decimal(str((money or {}).get("amount", "0")))

        weights: dict[tuple[str, str, Decimal], float] = {}
        for option in body.get("featuredBuyingOptions") or []:
            if option.get("buyingOptionType", "New") != "New":
                continue
            for offer in option.get("segmentedFeaturedOffers") or []:
                key = (str(offer.get("sellerId")), str(offer.get("fulfillmentType")), amount(offer.get("listingPrice")))
                weight = sum(float((seg.get("segmentDetails") or {}).get("glanceViewWeightPercentage") or 0)
                             for seg in offer.get("featuredOfferSegments") or []) or 0.001
                weights[key] = weights.get(key, 0.0) + weight
        box_price: Decimal | None = None
        box_fba: bool | None = None
        ours = False
        if weights:
            seller, channel, price = max(weights, key=lambda k: weights[k])
            if seller == seller_id:
                ours = True
            else:
                box_price, box_fba = price, channel == "AFN"
        lowest: dict[bool, Decimal] = {}
        others: set[tuple[str, bool]] = set()
        for group in body.get("lowestPricedOffers") or []:
            for offer in group.get("offers") or []:
                if offer.get("sellerId") == seller_id:
                    continue
                fba = offer.get("fulfillmentType") == "AFN"
                shipping = next((amount(o.get("price")) for o in offer.get("shippingOptions") or []
                                 if o.get("shippingOptionType", "DEFAULT") == "DEFAULT"), Decimal(0))
                landed = amount(offer.get("listingPrice")) + shipping
                others.add((str(offer.get("sellerId")), fba))
                if fba not in lowest or landed < lowest[fba]:
                    lowest[fba] = landed
        return cls(box_price, box_fba, ours, lowest.get(True), lowest.get(False), len(others))


@dataclasses.dataclass(frozen=True)
class Decision:
    price: Decimal | None  # None: the price stays as it is
    outcome: str
    reference: Decimal | None
    floor: Decimal | None
    ceiling: Decimal | None
    trace: str


def _money(value: Decimal | None) -> str:
    return "-" if value is None else f"{value.quantize(CENT, ROUND_HALF_UP)}"


def decide(rule: Rule, source: Decimal | None, comp: Competition | None, floor: Decimal | None,
           ceiling: Decimal | None, current: Decimal | None = None) -> Decision:
    """The price one listing gets under ``rule``; pure."""
    bounds = "".join(f", {name} {_money(v)}" for name, v in (("floor", floor), ("ceiling", ceiling)) if v is not None)
    if source is None:
        return Decision(None, "no_price", None, floor, ceiling, "the price rule gives no price: nothing is sent")
    comp = comp or Competition()
    reference: Decimal | None = None
    seen = ""
    if rule.strategy == "match_buybox":
        if comp.buybox_ours:
            return Decision(None, "holding_buybox", None, floor, ceiling,
                            f"this offer holds the Buy Box{bounds}: price kept")
        reference = comp.buybox_price
        if reference is not None:
            seen = f"Buy Box {_money(reference)} by a {'FBA' if comp.buybox_fba else 'merchant-fulfilled'} seller"
    elif rule.strategy == "beat_lowest":
        candidates = [(p, fba) for p, fba in ((comp.lowest_fba, True), (comp.lowest_mfn, False)) if p is not None]
        if candidates:
            reference, fba = min(candidates)
            seen = f"lowest offer {_money(reference)} by a {'FBA' if fba else 'merchant-fulfilled'} seller"
    else:
        reference = comp.lowest_fba if rule.fulfilment == "FBA" else comp.lowest_mfn
        if reference is not None:
            seen = f"lowest {rule.fulfilment} offer {_money(reference)}"
    if reference is None:
        if rule.no_competitor == "keep":
            return Decision(None, "no_competitor", None, floor, ceiling, f"no competitor{bounds}: price kept")
        target = ceiling if rule.no_competitor == "ceiling" and ceiling is not None else source
        price = target.quantize(CENT, ROUND_HALF_UP)
        why = "the ceiling" if target is ceiling else "the price rule's price"
        return Decision(price, "no_competitor", None, floor, ceiling, f"no competitor{bounds}, sent {why} {_money(price)}")
    target = reference
    if rule.beat_by:
        kind, value = rule.beat_by
        target = reference - Decimal(value) if kind == "amount" else reference * (1 - Decimal(value) / 100)
    target = target.quantize(CENT, ROUND_HALF_UP)
    outcome = "followed"
    if floor is not None and target < floor:
        target, outcome = (floor, "floor") if rule.below_floor == "floor" else (source, "floor")
    if ceiling is not None and target > ceiling:
        target, outcome = ceiling, "ceiling"
    price = target.quantize(CENT, ROUND_HALF_UP)
    note = {"floor": " (floor hit)" if rule.below_floor == "floor" else " (below the floor: the price rule's price)",
            "ceiling": " (ceiling)", "followed": ""}[outcome]
    return Decision(price, outcome, reference, floor, ceiling, f"{seen}{bounds}, sent {_money(price)}{note}")


# --- storage -----------------------------------------------------------------------------------

def rule_of(conn: Connection, account_id: int) -> Rule | None:
    """The account's rule (the default of its rule set), or None when repricing is off."""
    rule_set = rules_of(conn, account_id)
    return rule_set.default if rule_set else None


def rules_of(conn: Connection, account_id: int) -> RuleSet | None:
    raw = conn.execute(text("SELECT rule FROM channel_amazon_repricing_rule WHERE account_id = :a"),
                       {"a": account_id}).scalar()
    return RuleSet.from_stored(raw) if raw else None


def save_rule(conn: Connection, account_id: int, raw: Any) -> Rule | None:
    """The merchant's account rule (validated), its groups kept; or none (``raw`` None):
    repricing off, prices back to the rule's."""
    if raw is None:
        save_rules(conn, account_id, {"rule": None})
        return None
    current = rules_of(conn, account_id)
    data: dict = {"rule": raw}
    if current is not None:
        data.update({"groups": [g.to_json() for g in current.groups], "competition_source": current.competition_source})
    return save_rules(conn, account_id, data).default  # type: ignore[union-attr]


def save_rules(conn: Connection, account_id: int, data: dict, reader: Any = None) -> RuleSet | None:
    """The merchant's repricing settings: ``rule`` (None: repricing off, prices back to the
    price rule's), ``groups`` and ``competition_source`` (any of them absent: kept as it is)."""
    if "rule" in data and data["rule"] is None:
        conn.execute(text("DELETE FROM channel_amazon_repricing_rule WHERE account_id = :a"), {"a": account_id})
        listing_state.repricing_dropped(conn, account_id)
        return None
    current = rules_of(conn, account_id)
    merged = dict(data)
    if "rule" not in merged:
        if current is None:
            raise InvalidInput("rule: the account's rule is needed before groups", {"path": "rule"})
        merged["rule"] = current.default.to_json()
    if "groups" not in merged:
        merged["groups"] = [g.to_json() for g in current.groups] if current else []
    if "competition_source" not in merged:
        merged["competition_source"] = current.competition_source if current else "both"
    rule_set = RuleSet.parse(merged, reader)
    conn.execute(text(
        "INSERT INTO channel_amazon_repricing_rule (account_id, rule) VALUES (:a, :r)"
        " ON DUPLICATE KEY UPDATE rule = VALUES(rule)"), {"a": account_id, "r": json.dumps(rule_set.to_stored())})
    return rule_set


# --- scheduled runs ------------------------------------------------------------------------------

def due_accounts(conn: Connection, now: datetime) -> list[int]:
    """Active accounts with a repricing rule whose next run is due, longest waiting first."""
    return [int(r[0]) for r in conn.execute(text(
        "SELECT r.account_id FROM channel_amazon_repricing_rule r JOIN channel_amazon_account a"
        " ON a.account_id = r.account_id WHERE a.status = 'active'"
        " AND (r.next_run_at IS NULL OR r.next_run_at <= :now) ORDER BY r.next_run_at"), {"now": now})]


def run_finished(conn: Connection, account_id: int, ok: bool, message: str, now: datetime | None = None,
                 interval: int = INTERVAL) -> int:
    """Keep a run's outcome on the account's rule; returns its failed runs in a row. From
    ``FAILING_AFTER`` failures on, the ``repricing_failing`` alert is open; a success clears it."""
    now = now or _now()
    conn.execute(text(
        "UPDATE channel_amazon_repricing_rule SET last_run_at = :t, last_run_status = :s, last_run_message = :m,"
        " failures = IF(:ok, 0, failures + 1), next_run_at = :n WHERE account_id = :a"),
        {"t": now, "s": "ok" if ok else "failed", "m": message[:1024], "ok": int(ok),
         "n": now + timedelta(seconds=interval), "a": account_id})
    failures = int(conn.execute(text("SELECT failures FROM channel_amazon_repricing_rule WHERE account_id = :a"),
                                {"a": account_id}).scalar() or 0)
    if ok:
        alerts.clear_alert(conn, account_id, ALERT, now=now)
    elif failures >= FAILING_AFTER:
        alerts.raise_alert(conn, account_id, ALERT, f"Repricing failed {failures} times in a row: {message}",
                           action=ALERT_ACTION, details={"failures": failures}, now=now)
    return failures


def last_run(conn: Connection, account_id: int) -> dict | None:
    """The latest run's outcome (``last_run_at``, ``status``, ``message``, ``failures``, ``next_run_at``)."""
    row = conn.execute(text(
        "SELECT last_run_at, last_run_status AS status, last_run_message AS message, failures, next_run_at"
        " FROM channel_amazon_repricing_rule WHERE account_id = :a"), {"a": account_id}).mappings().first()
    if row is None:
        return None
    return {k: (v.isoformat() + "Z" if isinstance(v, datetime) else v) for k, v in row.items()}


def recent_decisions(conn: Connection, account_id: int, limit: int = 10) -> list[dict]:
    """The account's latest decisions with their listing's SKU, newest first, for the admin."""
    rows = conn.execute(text(
        "SELECT d.listing_id, l.seller_sku, d.outcome, d.price, d.trace, d.created_at"
        " FROM channel_amazon_repricing_decision d JOIN channel_amazon_listing l ON l.listing_id = d.listing_id"
        " WHERE d.account_id = :a ORDER BY d.decision_id DESC LIMIT :n"), {"a": account_id, "n": limit}).mappings()
    return [{**{k: (str(v) if isinstance(v, Decimal) else v) for k, v in r.items()},
             "created_at": r["created_at"].isoformat() + "Z"} for r in rows]


def competition_seen(conn: Connection, account_id: int, asin: str, comp: Competition, source: str,
                     observed_at: datetime) -> bool:
    """Keep what Amazon says of an ASIN's competition unless something newer is kept; True when kept."""
    return bool(conn.execute(text(
        "INSERT INTO channel_amazon_competition (account_id, asin, buybox_price, buybox_fba, buybox_ours, lowest_fba,"
        " lowest_mfn, offers, source, observed_at) VALUES (:a, :asin, :bb, :bbf, :ours, :fba, :mfn, :n, :src, :t)"
        " ON DUPLICATE KEY UPDATE"
        " buybox_price = IF(VALUES(observed_at) > observed_at, VALUES(buybox_price), buybox_price),"
        " buybox_fba = IF(VALUES(observed_at) > observed_at, VALUES(buybox_fba), buybox_fba),"
        " buybox_ours = IF(VALUES(observed_at) > observed_at, VALUES(buybox_ours), buybox_ours),"
        " lowest_fba = IF(VALUES(observed_at) > observed_at, VALUES(lowest_fba), lowest_fba),"
        " lowest_mfn = IF(VALUES(observed_at) > observed_at, VALUES(lowest_mfn), lowest_mfn),"
        " offers = IF(VALUES(observed_at) > observed_at, VALUES(offers), offers),"
        " source = IF(VALUES(observed_at) > observed_at, VALUES(source), source),"
        " observed_at = GREATEST(observed_at, VALUES(observed_at))"),
        {"a": account_id, "asin": asin, "bb": comp.buybox_price, "bbf": None if comp.buybox_fba is None else
         int(comp.buybox_fba), "ours": int(comp.buybox_ours), "fba": comp.lowest_fba, "mfn": comp.lowest_mfn,
         "n": comp.offers, "src": source, "t": observed_at}).rowcount)


def competitions(conn: Connection, account_id: int, asins: list[str]) -> dict[str, Competition]:
    if not asins:
        return {}
    rows = conn.execute(text(
        "SELECT asin, buybox_price, buybox_fba, buybox_ours, lowest_fba, lowest_mfn, offers"
        " FROM channel_amazon_competition WHERE account_id = :a AND asin IN :s").bindparams(
        bindparam("s", expanding=True)), {"a": account_id, "s": asins}).all()
    return {r[0]: Competition(r[1], None if r[2] is None else bool(r[2]), bool(r[3]), r[4], r[5], int(r[6]))
            for r in rows}


def offers_notified(conn: Connection, account_id: int, seller_id: str, body: dict) -> str | None:
    """An ANY_OFFER_CHANGED payload: the ASIN's competition is kept; returns the ASIN when kept."""
    trigger = body.get("OfferChangeTrigger") or {}
    asin = trigger.get("ASIN")
    if not asin:
        return None
    from channel.notifications import parse_time

    when = parse_time(trigger.get("TimeOfOfferChange")) or _now()
    comp = Competition.of_offers(body.get("Offers") or [], seller_id)
    return asin if competition_seen(conn, account_id, asin, comp, "ANY_OFFER_CHANGED", when) else None


def reprice(conn: Connection, account_id: int, website_id: int, reader: Any, settings: pricing.AccountSettings,
            asins: list[str] | None = None, now: datetime | None = None) -> list[tuple[int, Decision]]:
    """Decide the price of the account's live listings (of ``asins``, or all), record every
    decision and send the changed prices through the listing owner. Returns (listing_id, decision)."""
    now = now or _now()
    rule_set = rules_of(conn, account_id)
    if rule_set is None or not rule_set.enabled:
        return []
    where = " AND l.asin IN :s" if asins is not None else ""
    stmt = text(
        "SELECT l.listing_id, l.product_id, l.asin, l.calc_price FROM channel_amazon_listing l"
        " WHERE l.account_id = :a AND l.product_id IS NOT NULL AND l.asin IS NOT NULL"
        " AND l.amazon_status IS NOT NULL" + where)
    if asins is not None:
        if not asins:
            return []
        stmt = stmt.bindparams(bindparam("s", expanding=True))
    rows = conn.execute(stmt, {"a": account_id, "s": asins}).all()
    if not rows:
        return []
    comps = competitions(conn, account_id, sorted({r.asin for r in rows}))
    codes = sorted(set(settings.attribute_codes()) | set(rule_set.attribute_codes()))
    products = {p.entity_id: p for p in reader.products(website_id, attributes=codes,
                                                        entity_ids=[r.product_id for r in rows],
                                                        optional=rule_set.bound_codes())}
    tiers = _tier_prices(reader, website_id, settings, list(products))
    out: list[tuple[int, Decision]] = []
    changed: list[tuple[int, Decimal, Decimal]] = []
    business: list[tuple[int, str | None]] = []
    records = []
    for row in rows:
        product = products.get(row.product_id)
        source = pricing.compute_price(product, settings, now) if product is not None else None
        group, rule = rule_set.rule_for(product, now)
        floor = rule.floor.amount(source, product) if rule.floor else None
        ceiling = rule.ceiling.amount(source, product) if rule.ceiling else None
        if not rule.enabled:  # a group left alone: its products keep the price rule's price
            decision = Decision(None if source is None else source.quantize(CENT, ROUND_HALF_UP), "off", None,
                                None, None, f"repricing is off for these products, sent the price rule's price"
                                            f" {_money(source)}")
        else:
            decision = decide(rule, source, comps.get(row.asin), floor, ceiling, row.calc_price)
        if group is not None:
            decision = dataclasses.replace(decision, trace=f"group '{group}': {decision.trace}")
        if decision.price is not None and source is not None and settings.business.enabled:
            # The business offer beside the repriced price, by the one rule (``channel.business``):
            # never above it, and sent with it.
            offer = explain_business(product, settings, decision.price, tiers.get(row.product_id, ()))
            business.append((row.listing_id, None if offer.offer is None else offer.offer.to_text()))
            if offer.notes:
                decision = dataclasses.replace(decision, trace=f"{decision.trace}; business price: "
                                                               + " ".join(offer.notes))
        out.append((row.listing_id, decision))
        records.append({"a": account_id, "l": row.listing_id, "st": rule.strategy, "src": source,
                        "ref": decision.reference, "fl": floor, "ce": ceiling, "p": decision.price,
                        "o": decision.outcome, "tr": decision.trace[:512], "t": now})
        if decision.price is not None and source is not None:
            changed.append((row.listing_id, source, decision.price))
    conn.execute(text(
        "INSERT INTO channel_amazon_repricing_decision (account_id, listing_id, strategy, price_source, reference,"
        " floor_price, ceiling_price, price, outcome, trace, created_at)"
        " VALUES (:a, :l, :st, :src, :ref, :fl, :ce, :p, :o, :tr, :t)"), records)
    if changed:
        conn.execute(text(
            "INSERT INTO channel_amazon_repricing (listing_id, account_id, price_source, price, decided_at)"
            " VALUES (:l, :a, :src, :p, :t) ON DUPLICATE KEY UPDATE price_source = VALUES(price_source),"
            " price = VALUES(price), decided_at = VALUES(decided_at)"),
            [{"l": lid, "a": account_id, "src": src, "p": price, "t": now} for lid, src, price in changed])
        listing_state.repriced(conn, account_id, [(lid, price) for lid, _, price in changed], business)
    return out


def _tier_prices(reader: Any, website_id: int, settings: pricing.AccountSettings,
                 entity_ids: list[int]) -> dict[int, list]:
    """The business customer group's tier prices of these products, as classification reads them."""
    group = settings.business.tier_group
    if group is None or not entity_ids:
        return {}
    scope = tier_price.price_scope_is_website(reader.conn, reader.schema)
    out: dict[int, list] = {}
    for start in range(0, len(entity_ids), 5000):
        out.update(tier_price.read_tier_prices(reader.conn, reader.schema, website_id,
                                               entity_ids[start:start + 5000], group, scope))
    return out


def last_decision(conn: Connection, listing_id: int) -> dict | None:
    """The listing's latest repricing decision, for the product page's price trace."""
    row = conn.execute(text(
        "SELECT strategy, price_source, reference, floor_price, ceiling_price, price, outcome, trace, created_at"
        " FROM channel_amazon_repricing_decision WHERE listing_id = :l ORDER BY decision_id DESC LIMIT 1"),
        {"l": listing_id}).mappings().first()
    if row is None:
        return None
    out = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
    out["created_at"] = row["created_at"].isoformat() + "Z"
    return out
