"""Amazon product type definitions, kept with their version, and the validators built from them.

A product type's JSON schema (``getDefinitionsProductType``, requirements LISTING) is the
single truth for what a new product needs: required and conditionally required
attributes, enums, lengths, the variation themes the type allows. Definitions are cached
in ``channel_amazon_product_type`` per marketplace, locale and requirements with their
version; the worker fetches them again when they are older than ``MAX_AGE``.

Validation uses a JSON Schema library (``jsonschema_rs``) on Amazon's documents as they
are: their meta-schema extends draft 2019-09 with keywords of its own (``selectors``,
``maxUniqueItems``, ``editable``, ``hidden``, ``enumNames``) that a validator ignores.
Each error is tied to the top-level attribute it concerns.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

import jsonschema_rs
from sqlalchemy import text
from sqlalchemy.engine import Connection

TABLE = "channel_amazon_product_type"
REQUIREMENTS = "LISTING"
DEFAULT_LOCALE = "en_US"
#: A cached definition older than this is fetched again.
MAX_AGE = timedelta(days=1)
#: Attributes the new-ASIN flow sets itself (never mapped by the merchant).
VARIATION_ATTRIBUTES = ("parentage_level", "child_parent_sku_relationship", "variation_theme")
#: Attributes the offer fills (price, quantity, condition), as ``channel.payloads`` builds them.
OFFER_ATTRIBUTES = ("purchasable_offer", "fulfillment_availability", "condition_type", "merchant_suggested_asin")


@dataclasses.dataclass(frozen=True)
class Problem:
    """One reason a product is not ready: the attribute, what is wrong, Amazon's code when Amazon said it."""

    attribute: str
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict:
        return {"attribute": self.attribute, "message": self.message, "code": self.code}


@dataclasses.dataclass(frozen=True)
class Member:
    """A field of an attribute's instances (``value``, ``type``, ``unit``...); an array
    member's ``enum`` is that of its items."""

    name: str
    type: str
    enum: tuple[str, ...] = ()
    enum_names: tuple[str, ...] = ()
    max_length: int | None = None


@dataclasses.dataclass(frozen=True)
class AttributeSpec:
    name: str
    title: str
    description: str
    required: str  # "required", "conditional" or ""
    members: tuple[Member, ...]
    selectors: tuple[str, ...]

    def member(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)

    def as_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description, "required": self.required,
                "selectors": list(self.selectors),
                "members": [{"name": m.name, "type": m.type, "enum": list(m.enum), "enum_names": list(m.enum_names),
                             "max_length": m.max_length} for m in self.members]}


@dataclasses.dataclass(frozen=True)
class ProductTypeSchema:
    product_type: str
    marketplace_id: str
    locale: str
    version: str
    display_name: str
    schema: dict = dataclasses.field(repr=False, compare=False)
    checksum: str | None = None
    fetched_at: datetime | None = None

    @property
    def validator(self) -> Any:
        """The compiled validator, one per schema version (compiling is the slow part)."""
        key = (self.product_type, self.marketplace_id, self.version,
               self.checksum or hashlib.md5(json.dumps(self.schema, sort_keys=True).encode()).hexdigest())
        found = _COMPILED.get(key)
        if found is None:
            if len(_COMPILED) >= 64:
                _COMPILED.clear()
            found = _COMPILED[key] = jsonschema_rs.Draft201909Validator(self.schema)
        return found

    @functools.cached_property
    def attributes(self) -> tuple[AttributeSpec, ...]:
        required = set(self.schema.get("required") or [])
        conditional = _conditionally_required(self.schema)
        out = []
        for name, prop in (self.schema.get("properties") or {}).items():
            items = prop.get("items") or {}
            members = tuple(_member(k, v, self.schema) for k, v in (items.get("properties") or {}).items()
                            if k not in ("marketplace_id", "language_tag"))
            out.append(AttributeSpec(
                name, str(prop.get("title") or name), str(prop.get("description") or ""),
                "required" if name in required else ("conditional" if name in conditional else ""),
                members, tuple(prop.get("selectors") or ())))
        return tuple(out)

    def attribute(self, name: str) -> AttributeSpec | None:
        return next((a for a in self.attributes if a.name == name), None)

    def title(self, name: str) -> str:
        spec = self.attribute(name)
        return spec.title if spec else name

    @property
    def variation_themes(self) -> tuple[str, ...]:
        spec = self.attribute("variation_theme")
        member = spec.member("name") if spec else None
        return member.enum if member else ()

    def problems(self, attributes: dict) -> list[Problem]:
        """Every schema error of ``attributes``, one per attribute, tied to it."""
        found: dict[str, Problem] = {}
        for error in self.validator.iter_errors(attributes):
            kind = error.kind
            path = list(error.instance_path)
            if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required) and not path:
                name = str(kind.property)
                found.setdefault(name, Problem(name, f"{self.title(name)} is required", "missing"))
                continue
            name = str(path[0]) if path else "attributes"
            found.setdefault(name, Problem(name, f"{self.title(name)}: {error.message}", "invalid"))
        return list(found.values())

    def is_valid(self, attributes: dict) -> bool:
        return bool(self.validator.is_valid(attributes))


#: Compiled validators by (product type, marketplace, version, checksum).
_COMPILED: dict[tuple[str, str, str, str], Any] = {}


def _member(name: str, prop: dict, schema: dict) -> Member:
    if "$ref" in prop:
        ref = str(prop["$ref"]).split("/")[-1]
        prop = {**((schema.get("$defs") or {}).get(ref) or {}), **{k: v for k, v in prop.items() if k != "$ref"}}
    values = prop
    if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
        values = prop["items"]  # a list of enum values (a color map's standardized values)
    return Member(name, str(prop.get("type") or "string"), tuple(str(v) for v in values.get("enum") or ()),
                  tuple(str(v) for v in values.get("enumNames") or ()), values.get("maxLength"))


def _conditionally_required(node: Any, top: bool = True) -> set[str]:
    """Attributes named by ``required`` inside ``allOf``/``anyOf``/``oneOf`` and ``then``/``else``
    branches (the conditions of ``if`` are not requirements)."""
    found: set[str] = set()
    if isinstance(node, dict):
        if not top:
            found |= set(node.get("required") or [])
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key) or []:
                found |= _conditionally_required(sub, top=False)
        for key in ("then", "else"):
            found |= _conditionally_required(node.get(key), top=False)
    return found


def from_document(product_type: str, marketplace_id: str, locale: str, version: str, display_name: str,
                  schema: dict, checksum: str | None = None, fetched_at: datetime | None = None) -> ProductTypeSchema:
    return ProductTypeSchema(product_type, marketplace_id, locale, version, display_name, schema, checksum,
                             fetched_at)


def store(conn: Connection, marketplace_id: str, definition: dict, schema: dict, now: datetime,
          locale: str = DEFAULT_LOCALE) -> ProductTypeSchema:
    """Keep a fetched definition and its schema (one row per marketplace, type, locale, requirements)."""
    product_type = str(definition["productType"])
    version = str((definition.get("productTypeVersion") or {}).get("version") or "")
    checksum = (definition.get("schema") or {}).get("checksum")
    display = str(definition.get("displayName") or product_type)
    conn.execute(text(
        f"INSERT INTO {TABLE} (marketplace_id, product_type, locale, requirements, display_name, version,"
        " schema_checksum, schema_json, property_groups, fetched_at) VALUES (:m, :p, :l, :r, :d, :v, :c, :s, :g, :t)"
        " ON DUPLICATE KEY UPDATE display_name = VALUES(display_name), version = VALUES(version),"
        " schema_checksum = VALUES(schema_checksum), schema_json = VALUES(schema_json),"
        " property_groups = VALUES(property_groups), fetched_at = VALUES(fetched_at)"),
        {"m": marketplace_id, "p": product_type, "l": locale, "r": definition.get("requirements") or REQUIREMENTS,
         "d": display, "v": version, "c": checksum, "s": json.dumps(schema),
         "g": json.dumps(definition.get("propertyGroups") or {}), "t": now})
    return from_document(product_type, marketplace_id, locale, version, display, schema, checksum, now)


def cached(conn: Connection, marketplace_id: str, product_type: str,
           locale: str = DEFAULT_LOCALE) -> ProductTypeSchema | None:
    row = conn.execute(text(
        f"SELECT product_type, marketplace_id, locale, version, display_name, schema_checksum, schema_json,"
        f" fetched_at FROM {TABLE} WHERE marketplace_id = :m AND product_type = :p AND locale = :l"
        f" AND requirements = :r"), {"m": marketplace_id, "p": product_type, "l": locale, "r": REQUIREMENTS}).first()
    if row is None:
        return None
    return from_document(row.product_type, row.marketplace_id, row.locale, row.version,
                         row.display_name or row.product_type, json.loads(row.schema_json), row.schema_checksum,
                         row.fetched_at)


def is_stale(found: ProductTypeSchema | None, now: datetime) -> bool:
    return found is None or found.fetched_at is None or now - found.fetched_at > MAX_AGE


def cached_types(conn: Connection, marketplace_id: str) -> list[dict]:
    """The product types known for the marketplace, for the mapping screen."""
    return [{"name": r.product_type, "display_name": r.display_name, "version": r.version}
            for r in conn.execute(text(
                f"SELECT product_type, display_name, version FROM {TABLE} WHERE marketplace_id = :m"
                f" AND requirements = :r ORDER BY product_type"), {"m": marketplace_id, "r": REQUIREMENTS})]
