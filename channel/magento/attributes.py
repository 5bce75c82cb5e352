"""Product attributes as the rule builder offers them: label, value type, operators, options.

The catalog reader knows codes and backend types; the builder also needs what Magento's
admin shows: the attribute's label, its options (store 0 labels) and which of Magento's
cart-price-rule operators fit its type. Dates are left to the first-class sell-dates
condition (``channel.rules`` compares plain values, not dates), and images and other
media are not conditions at all.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel.magento.schema import MagentoSchema

PRODUCT_ENTITY_CODE = "catalog_product"
#: At most this many options per attribute are listed; past it the value is typed.
MAX_OPTIONS = 500
#: Operators by value type, as Magento's rule conditions offer them (and channel.rules evaluates).
OPERATORS_BY_TYPE = {
    "string": ("==", "!=", "{}", "!{}", "()", "!()"),
    "number": ("==", "!=", ">=", "<=", ">", "<", "()", "!()"),
    "select": ("==", "!=", "()", "!()"),
    "multiselect": ("{}", "!{}", "()", "!()"),
    "boolean": ("==", "!="),
}
#: Inputs that are not conditions.
SKIPPED_INPUTS = ("media_image", "gallery", "image", "weee", "date", "datetime")
#: Attributes with a condition of their own in channel.rules.
FIRST_CLASS = ("status", "news_from_date", "news_to_date", "quantity_and_stock_status")
#: Options Magento gives by source model, not in eav_attribute_option.
SOURCE_OPTIONS = {
    "visibility": [("1", "Not Visible Individually"), ("2", "Catalog"), ("3", "Search"), ("4", "Catalog, Search")],
}
#: The first-class conditions of ``channel.rules`` (``type`` other than ``attribute``).
PRODUCT_FACTS = (
    {"type": "status", "label": "Status", "value_type": "select", "operators": ["==", "!="],
     "options": [{"value": "1", "label": "Enabled"}, {"value": "2", "label": "Disabled"}]},
    {"type": "stock_status", "label": "Stock status", "value_type": "select", "operators": ["==", "!="],
     "options": [{"value": "1", "label": "In stock"}, {"value": "0", "label": "Out of stock"}]},
    {"type": "qty", "label": "Quantity (salable)", "value_type": "number",
     "operators": ["==", "!=", ">=", "<=", ">", "<"]},
    {"type": "category", "label": "Category ids", "value_type": "string", "operators": ["()", "!()", "==", "!="]},
    {"type": "type_id", "label": "Product type", "value_type": "select", "operators": ["==", "!=", "()", "!()"],
     "options": [{"value": v, "label": v.capitalize()} for v in
                 ("simple", "configurable", "virtual", "bundle", "grouped", "downloadable")]},
    {"type": "sell_dates", "label": "Set product as new (from/to dates)", "value_type": "none",
     "operators": ["within", "outside"]},
)


def value_type(backend_type: str, frontend_input: str | None, has_options: bool) -> str:
    if frontend_input == "multiselect":
        return "multiselect"
    if frontend_input == "boolean":
        return "boolean"
    if frontend_input == "select" and has_options:
        return "select"
    if backend_type in ("decimal", "int") or frontend_input in ("price", "weight"):
        return "number"
    return "string"


def rule_attributes(conn: Connection, schema: MagentoSchema) -> list[dict]:
    """Every product attribute a listing rule can test, labelled and typed, by label."""
    s = schema
    rows = conn.execute(text(
        f"SELECT a.attribute_id, a.attribute_code, a.frontend_label, a.backend_type, a.frontend_input"
        f" FROM {s.t('eav_attribute')} a JOIN {s.t('eav_entity_type')} t"
        f" ON t.entity_type_id = a.entity_type_id AND t.entity_type_code = :code"), {"code": PRODUCT_ENTITY_CODE}).all()
    options = _options(conn, schema)
    out = []
    for r in rows:
        if r.frontend_input in SKIPPED_INPUTS or r.backend_type == "datetime" or r.attribute_code in FIRST_CLASS:
            continue
        opts = options.get(r.attribute_id) or [{"value": v, "label": label}
                                               for v, label in SOURCE_OPTIONS.get(r.attribute_code, ())]
        if r.frontend_input == "boolean":
            opts = [{"value": "1", "label": "Yes"}, {"value": "0", "label": "No"}]
        kind = value_type(r.backend_type, r.frontend_input, bool(opts))
        item = {"code": r.attribute_code, "label": r.frontend_label or r.attribute_code, "value_type": kind,
                "backend_type": r.backend_type, "frontend_input": r.frontend_input,
                "operators": list(OPERATORS_BY_TYPE[kind])}
        if kind in ("select", "multiselect", "boolean"):
            item["options"] = opts[:MAX_OPTIONS]
            item["options_truncated"] = len(opts) > MAX_OPTIONS
        out.append(item)
    return sorted(out, key=lambda a: (a["label"].casefold(), a["code"]))


def _options(conn: Connection, schema: MagentoSchema) -> dict[int, list[dict]]:
    s = schema
    rows = conn.execute(text(
        f"SELECT o.attribute_id, o.option_id, v.value FROM {s.t('eav_attribute_option')} o"
        f" JOIN {s.t('eav_attribute_option_value')} v ON v.option_id = o.option_id AND v.store_id = 0"
        f" ORDER BY o.attribute_id, o.sort_order, v.value")).all()
    found: dict[int, list[dict]] = {}
    for r in rows:
        found.setdefault(r.attribute_id, []).append({"value": str(r.option_id), "label": r.value})
    return found


def attribute_sets(conn: Connection, schema: MagentoSchema) -> list[dict]:
    s = schema
    rows = conn.execute(text(
        f"SELECT st.attribute_set_id, st.attribute_set_name FROM {s.t('eav_attribute_set')} st"
        f" JOIN {s.t('eav_entity_type')} t ON t.entity_type_id = st.entity_type_id AND t.entity_type_code = :code"
        f" ORDER BY st.attribute_set_name"), {"code": PRODUCT_ENTITY_CODE}).all()
    return [{"value": str(r.attribute_set_id), "label": r.attribute_set_name} for r in rows]


def product_facts(conn: Connection, schema: MagentoSchema) -> list[dict]:
    """The first-class conditions, with the attribute sets of this Magento."""
    facts = [dict(f) for f in PRODUCT_FACTS]
    facts.insert(4, {"type": "attribute_set", "label": "Attribute set", "value_type": "select",
                     "operators": ["==", "!=", "()", "!()"], "options": attribute_sets(conn, schema)})
    return facts
