"""New products on Amazon: the merchant's attribute mapping and the attributes it builds.

Each Amazon attribute of a product type is filled from a Magento attribute, a fixed value
or a template (``"{{manufacturer}} {{name}} - {{color}}"``, placeholders are Magento
attribute codes, select attributes by their option label). A target may name a member of
the attribute's instances (``externally_assigned_product_identifier.type``); plain names
fill ``value``. Values of an enum member go through the mapping's ``value_map`` (Magento
option label -> Amazon value), then through Amazon's own values and display names,
case-insensitively. Offer attributes (price, quantity, condition) come from the offer the
channel computes (``channel.payloads``), variation attributes from the family.

The result is validated against the product type's schema (``channel.product_types``)
before anything is sent: each problem names its attribute and product. Products travel
through ``channel_amazon_new_asin``: queued, then invalid (what to fill), restricted
(Amazon's reason), submitted, assigned (the ASIN) or refused (Amazon's issues).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from channel.errors import InvalidInput
from channel.magento.catalog import CatalogReader
from channel.product_types import OFFER_ATTRIBUTES, VARIATION_ATTRIBUTES, Problem, ProductTypeSchema

MAP_TABLE = "channel_amazon_attribute_map"
TABLE = "channel_amazon_new_asin"
SOURCES = ("attribute", "fixed", "template")
STATUSES = ("queued", "invalid", "restricted", "submitted", "assigned", "refused")
#: Statuses the worker validates (again) on its next run.
OPEN = ("queued", "invalid", "restricted", "refused")
#: Statuses the sync cycle's automatic run validates again: a product Amazon refused or a
#: gated brand stopped waits for the merchant (choosing it again queues it), so the cycle
#: never sends the same refused attributes every five minutes.
CYCLE_OPEN = ("queued", "invalid")
#: Jobs the bridge enqueues by name (``channel.jobs.queue``).
RUN_JOB = "worker.new_asin_jobs.run_job"
SEARCH_JOB = "worker.new_asin_jobs.search_job"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")
#: Magento attribute codes suggested for Amazon attributes, best first.
SUGGESTIONS = {
    "item_name": ("name",), "brand": ("brand", "manufacturer"), "manufacturer": ("manufacturer",),
    "product_description": ("description", "short_description"), "bullet_point": ("short_description",),
    "color": ("color",), "size": ("size",), "material": ("material",),
    "externally_assigned_product_identifier.value": ("ean", "upc", "gtin"),
    "item_weight": ("weight",), "country_of_origin": ("country_of_manufacture",),
}


@dataclasses.dataclass(frozen=True)
class MappingRow:
    amazon_attribute: str
    source: str
    value: str
    value_map: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise InvalidInput(f"source of {self.amazon_attribute} must be one of {', '.join(SOURCES)}")
        if not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)?", self.amazon_attribute):
            raise InvalidInput(f"{self.amazon_attribute!r} is not an Amazon attribute name")

    @property
    def attribute(self) -> str:
        return self.amazon_attribute.split(".")[0]

    @property
    def member(self) -> str:
        return self.amazon_attribute.split(".")[1] if "." in self.amazon_attribute else "value"

    def codes(self) -> list[str]:
        """The Magento attribute codes this row reads."""
        if self.source == "attribute":
            return [self.value]
        if self.source == "template":
            return _PLACEHOLDER.findall(self.value)
        return []

    def as_dict(self) -> dict:
        return {"amazon_attribute": self.amazon_attribute, "source": self.source, "value": self.value,
                "value_map": dict(self.value_map)}


def parse_mapping(rows: Iterable[Mapping[str, Any]], schema: ProductTypeSchema | None = None) -> list[MappingRow]:
    """Rows from the mapping screen; an attribute the product type does not have is refused."""
    out = []
    for raw in rows:
        if not isinstance(raw, Mapping):
            raise InvalidInput("each mapping row must be an object")
        value_map = raw.get("value_map") or {}
        if not isinstance(value_map, Mapping):
            raise InvalidInput(f"value_map of {raw.get('amazon_attribute')} must be an object")
        row = MappingRow(str(raw.get("amazon_attribute") or ""), str(raw.get("source") or ""),
                         str(raw.get("value") or ""), {str(k): str(v) for k, v in value_map.items() if v not in (None, "")})
        if schema is not None:
            spec = schema.attribute(row.attribute)
            if spec is None:
                raise InvalidInput(f"{schema.product_type} has no attribute {row.attribute}")
            member = spec.member(row.member)
            allowed = set(member.enum) if member is not None else set()
            wrong = [v for v in row.value_map.values() if v not in allowed]
            if wrong:
                raise InvalidInput(f"{row.amazon_attribute}: {wrong[0]!r} is not one of Amazon's values for it",
                                   {"amazon_attribute": row.amazon_attribute, "value": wrong[0]})
        if not row.value.strip():
            continue  # an emptied row is no mapping
        out.append(row)
    return out


def load_mapping(conn: Connection, account_id: int, product_type: str) -> list[MappingRow]:
    return [MappingRow(r.amazon_attribute, r.source, r.value or "", json.loads(r.value_map or "{}"))
            for r in conn.execute(text(
                f"SELECT amazon_attribute, source, value, value_map FROM {MAP_TABLE}"
                f" WHERE account_id = :a AND product_type = :p ORDER BY amazon_attribute"),
                {"a": account_id, "p": product_type})]


def save_mapping(conn: Connection, account_id: int, product_type: str, rows: list[MappingRow]) -> None:
    """The mapping of a product type becomes exactly ``rows``."""
    conn.execute(text(f"DELETE FROM {MAP_TABLE} WHERE account_id = :a AND product_type = :p"),
                 {"a": account_id, "p": product_type})
    if rows:
        conn.execute(text(
            f"INSERT INTO {MAP_TABLE} (account_id, product_type, amazon_attribute, source, value, value_map)"
            f" VALUES (:a, :p, :n, :s, :v, :m)"),
            [{"a": account_id, "p": product_type, "n": r.amazon_attribute, "s": r.source, "v": r.value,
              "m": json.dumps(dict(r.value_map)) if r.value_map else None} for r in rows])


def mapped_types(conn: Connection, account_id: int) -> list[str]:
    return [r[0] for r in conn.execute(text(
        f"SELECT DISTINCT product_type FROM {MAP_TABLE} WHERE account_id = :a ORDER BY product_type"),
        {"a": account_id})]


def suggest(schema: ProductTypeSchema, magento_codes: Iterable[str]) -> list[MappingRow]:
    """Defaults for the mapping screen: Magento attributes whose code matches the Amazon name."""
    codes = set(magento_codes)
    out = []
    for spec in schema.attributes:
        if spec.name in VARIATION_ATTRIBUTES or spec.name in OFFER_ATTRIBUTES:
            continue
        targets = [f"{spec.name}.{m.name}" for m in spec.members] if len(spec.members) > 1 else [spec.name]
        for target in targets:
            key = target if target in SUGGESTIONS else target.removesuffix(".value")
            for code in (*SUGGESTIONS.get(key, ()), key):
                if code in codes:
                    out.append(MappingRow(target, "attribute", code))
                    break
    return out


def option_labels(reader: CatalogReader, website_id: int) -> dict[str, list[str]]:
    """The option labels of every select attribute as the website's store view shows them
    (store 0 overridden), in Magento's order: what a value map maps from."""
    s = reader.schema
    selects = {a.attribute_id: code for code in reader.attribute_codes()
               if (a := reader.attribute(code)).frontend_input in ("select", "multiselect")}
    if not selects:
        return {}
    store_id = reader.website(website_id).store_id
    labels: dict[int, tuple[int, str]] = {}
    order: dict[int, tuple[int, int, int]] = {}
    for r in reader.conn.execute(text(
            f"SELECT o.attribute_id, o.option_id, o.sort_order, v.store_id, v.value"
            f" FROM {s.t('eav_attribute_option')} o JOIN {s.t('eav_attribute_option_value')} v"
            f" ON v.option_id = o.option_id AND v.store_id IN (0, :store) WHERE o.attribute_id IN :ids"
            f" ORDER BY v.store_id").bindparams(bindparam("ids", expanding=True)),
            {"store": store_id, "ids": list(selects)}):
        labels[r.option_id] = (r.attribute_id, r.value)
        order[r.option_id] = (r.attribute_id, r.sort_order, r.option_id)
    out: dict[str, list[str]] = {}
    for option_id in sorted(labels, key=order.__getitem__):
        attribute_id, label = labels[option_id]
        if label not in out.setdefault(selects[attribute_id], []):
            out[selects[attribute_id]].append(label)
    return out


def value_of(product: Mapping[str, Any], code: str) -> Any:
    """A product's value for a Magento code: a select attribute's label, else the raw value."""
    label = product.get(code + "_label")
    return label if label not in (None, "") else product.get(code)


def render(row: MappingRow, product: Mapping[str, Any]) -> Any:
    if row.source == "fixed":
        return row.value
    if row.source == "attribute":
        return value_of(product, row.value)
    rendered = _PLACEHOLDER.sub(lambda m: str(value_of(product, m.group(1)) or ""), row.value)
    return re.sub(r"\s+", " ", rendered).strip(" -") or None


def _coerce(value: Any, member_type: str) -> Any:
    if member_type in ("number", "integer"):
        try:
            number = float(str(value))
        except ValueError:
            return value  # left as it is: the schema names the attribute
        return int(number) if member_type == "integer" and number.is_integer() else number
    if member_type == "boolean":
        return str(value).strip().lower() in ("1", "true", "yes", "y")
    if member_type == "array":
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _enum_value(value: Any, row: MappingRow, enum: tuple[str, ...], names: tuple[str, ...]) -> Any:
    text_value = str(value)
    if text_value in row.value_map:
        return row.value_map[text_value]
    folded = text_value.casefold()
    for amazon, shown in zip(enum, names or enum, strict=False):
        if folded in (amazon.casefold(), shown.casefold()):
            return amazon
    return text_value


class AttributeBuilder:
    """Builds one product's Amazon attributes from the mapping, shaped as the schema says."""

    def __init__(self, schema: ProductTypeSchema, mapping: list[MappingRow], marketplace_id: str,
                 locale: str = "en_US"):
        self.schema = schema
        self.mapping = [r for r in mapping if schema.attribute(r.attribute) is not None]
        self.marketplace_id = marketplace_id
        self.locale = locale
        self._specs = {r.attribute: schema.attribute(r.attribute) for r in self.mapping}

    def codes(self) -> list[str]:
        """Every Magento attribute code the mapping reads."""
        return sorted({c for r in self.mapping for c in r.codes()})

    def build(self, product: Mapping[str, Any]) -> dict:
        instances: dict[str, dict] = {}
        from_product: dict[str, bool] = {}  # per attribute: has a product-sourced member a value?
        for row in self.mapping:
            spec = self._specs[row.attribute]
            assert spec is not None
            member = spec.member(row.member)
            value = render(row, product)
            if row.source != "fixed":
                from_product[row.attribute] = from_product.get(row.attribute, False) or value not in (None, "")
            if value is None or value == "" or member is None:
                continue
            if member.enum:
                value = [_enum_value(v, row, member.enum, member.enum_names) for v in value] \
                    if isinstance(value, list) else _enum_value(value, row, member.enum, member.enum_names)
            instances.setdefault(row.attribute, {})[row.member] = _coerce(value, member.type)
        attrs: dict = {}
        for name, instance in instances.items():
            if from_product.get(name) is False:
                continue  # only fixed members (an identifier type without the identifier): not this product's

            spec = self._specs[name]
            assert spec is not None
            props = ((self.schema.schema["properties"][name].get("items") or {}).get("properties") or {})
            if "language_tag" in props:
                instance["language_tag"] = self.locale
            if "marketplace_id" in props:
                instance["marketplace_id"] = self.marketplace_id
            attrs[name] = [instance]
        return attrs


def parent_attributes(attrs: dict, theme: str, marketplace_id: str) -> dict:
    """A variation parent: the product's facts, no offer, ``parentage_level`` parent and the theme."""
    out = {k: v for k, v in attrs.items() if k not in OFFER_ATTRIBUTES}
    out["parentage_level"] = [{"value": "parent", "marketplace_id": marketplace_id}]
    out["variation_theme"] = [{"name": theme}]
    return out


def child_attributes(attrs: dict, theme: str, parent_sku: str, marketplace_id: str) -> dict:
    return {**attrs, "parentage_level": [{"value": "child", "marketplace_id": marketplace_id}],
            "child_parent_sku_relationship": [{"child_relationship_type": "variation", "parent_sku": parent_sku,
                                               "marketplace_id": marketplace_id}],
            "variation_theme": [{"name": theme}]}


def choose_theme(schema: ProductTypeSchema, mapping: list[MappingRow], super_codes: Iterable[str]) -> str | None:
    """The theme of the product type whose attributes are exactly those mapped from the
    configurable product's attributes (size and color -> SIZE/COLOR)."""
    codes = set(super_codes)
    varied = {r.attribute for r in mapping if r.source == "attribute" and r.value in codes and r.member == "value"}
    for theme in schema.variation_themes:
        if {part.lower() for part in theme.split("/")} == varied:
            return theme
    return None


def problems_of(schema: ProductTypeSchema, attrs: dict) -> list[Problem]:
    return schema.problems(attrs)


# --- the flow's table (channel_amazon_new_asin; the listing table has its own owner) ----------

def queue_products(conn: Connection, account_id: int, items: list[tuple[int, str, str]]) -> int:
    """(product_id, seller_sku, product_type) chosen for a new ASIN: queued, or queued again
    when they were stopped (invalid, restricted, refused); submitted and assigned ones stay."""
    if not items:
        return 0
    return int(conn.execute(text(
        f"INSERT INTO {TABLE} (account_id, product_id, seller_sku, product_type, status) VALUES (:a, :p, :s, :t, 'queued')"
        f" ON DUPLICATE KEY UPDATE product_type = IF(status IN ('submitted', 'assigned'), product_type,"
        f" VALUES(product_type)), status = IF(status IN ('submitted', 'assigned'), status, 'queued')"),
        [{"a": account_id, "p": p, "s": s, "t": t} for p, s, t in items]).rowcount or 0)


def set_status(conn: Connection, new_asin_id: int, status: str, problems: list[dict] | None = None,
               **values: Any) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    columns = {"status": status, "issues": json.dumps(problems) if problems else None, **values}
    sets = ", ".join(f"{k} = :{k}" for k in columns)
    conn.execute(text(f"UPDATE {TABLE} SET {sets} WHERE new_asin_id = :id"), {**columns, "id": new_asin_id})


def rows(conn: Connection, account_id: int, statuses: Iterable[str] | None = None,
         product_ids: Iterable[int] | None = None) -> list[dict]:
    sql = f"SELECT * FROM {TABLE} WHERE account_id = :a"
    params: dict = {"a": account_id}
    binds: list = []
    if statuses is not None:
        sql += " AND status IN :st"
        params["st"] = list(statuses) or [""]
        binds.append(bindparam("st", expanding=True))
    if product_ids is not None:
        sql += " AND product_id IN :ids"
        params["ids"] = list(product_ids) or [-1]
        binds.append(bindparam("ids", expanding=True))
    stmt = text(sql + " ORDER BY new_asin_id").bindparams(*binds) if binds else text(sql + " ORDER BY new_asin_id")
    out = []
    for r in conn.execute(stmt, params).mappings():
        row = dict(r)
        row["issues"] = json.loads(row["issues"]) if row.get("issues") else []
        out.append(row)
    return out


def counts(conn: Connection, account_id: int) -> dict[str, int]:
    found = {s: 0 for s in STATUSES}
    for status, n in conn.execute(text(f"SELECT status, COUNT(*) FROM {TABLE} WHERE account_id = :a GROUP BY status"),
                                  {"a": account_id}):
        found[status] = int(n)
    return found


# --- products chosen by rule (channel_amazon_new_asin_rule) -------------------------------------

RULE_TABLE = "channel_amazon_new_asin_rule"


def save_rule(conn: Connection, account_id: int, product_type: str, rule: dict | None) -> None:
    """The rule choosing products for ``product_type`` (``None`` removes it)."""
    conn.execute(text(f"DELETE FROM {RULE_TABLE} WHERE account_id = :a AND product_type = :p"),
                 {"a": account_id, "p": product_type})
    if rule:
        conn.execute(text(f"INSERT INTO {RULE_TABLE} (account_id, product_type, rule) VALUES (:a, :p, :r)"),
                     {"a": account_id, "p": product_type, "r": json.dumps(rule)})


def load_rules(conn: Connection, account_id: int, mapped_only: bool = False) -> list[tuple[str, dict]]:
    """The account's rules by product type; ``mapped_only`` keeps those whose product type
    has an attribute mapping (a rule without one would only queue products with nothing to send)."""
    sql = f"SELECT r.product_type, r.rule FROM {RULE_TABLE} r WHERE r.account_id = :a"
    if mapped_only:
        sql += (f" AND EXISTS (SELECT 1 FROM {MAP_TABLE} m WHERE m.account_id = r.account_id"
                f" AND m.product_type = r.product_type)")
    return [(r.product_type, json.loads(r.rule)) for r in conn.execute(text(sql + " ORDER BY r.product_type"),
                                                                       {"a": account_id})]
