"""Listing rules: the condition language of Magento's cart price rules.

A rule is a tree. A group says "If ALL/ANY of these conditions are TRUE/FALSE"; a leaf
compares one product fact with a value using Magento's operator codes::

    {"type": "combine", "aggregator": "all", "value": true, "conditions": [
        {"type": "attribute", "attribute": "color", "operator": "()", "value": ["Red", "Blue"]},
        {"type": "qty", "operator": ">", "value": 2},
        {"type": "category", "operator": "()", "value": [3, 4]}]}

Leaf types: ``attribute`` (any attribute by code), and first-class ``status``,
``stock_status``, ``qty``, ``category``, ``attribute_set``, ``type_id`` and
``sell_dates`` (inside or outside the news_from/news_to window). ``parse_rule``
validates and raises ``InvalidInput`` naming the bad node by its path; ``evaluate``
is pure. An empty rule admits every product of the website.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from channel.errors import InvalidInput

OPERATORS = {
    "==": "is", "!=": "is not", ">=": "equals or greater than", "<=": "equals or less than",
    ">": "greater than", "<": "less than", "{}": "contains", "!{}": "does not contain",
    "()": "is one of", "!()": "is not one of",
}
LEAF_TYPES = ("attribute", "status", "stock_status", "qty", "category", "attribute_set", "type_id", "sell_dates")
LEAF_OPERATORS = {
    "status": ("==", "!="), "stock_status": ("==", "!="),
    "qty": ("==", "!=", ">=", "<=", ">", "<"),
    "category": ("==", "!=", "()", "!()"), "attribute_set": ("==", "!=", "()", "!()"),
    "type_id": ("==", "!=", "()", "!()"), "sell_dates": ("within", "outside"),
}
MAX_DEPTH = 8
#: Bounds on a rule's size, so parsing, checking and previewing one stays cheap.
MAX_CONDITIONS = 200
MAX_VALUE_LENGTH = 1000
MAX_LIST_VALUES = 1000


@dataclasses.dataclass(frozen=True)
class Leaf:
    type: str
    operator: str
    value: object
    attribute: str | None = None


@dataclasses.dataclass(frozen=True)
class Group:
    aggregator: str = "all"
    value: bool = True
    conditions: tuple = ()


Rule = Group


class InvalidRule(InvalidInput):
    """A listing rule that cannot be evaluated; ``details["path"]`` names the node."""


def _bad(path: str, message: str) -> InvalidInput:
    return InvalidRule(f"listing rule: {message} at {path or 'the root'}", {"path": path or "$"})


def parse_rule(raw) -> Group | None:
    """Validate a rule (JSON text or dict); None or an empty group means every product."""
    if raw in (None, "", {}):
        return None
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise InvalidInput(f"listing rule is not valid JSON: {exc}", {"path": "$"}) from None
    _check_size(raw)
    group = _parse_group(raw, "", 0)
    return group if group.conditions else None


def _check_size(raw) -> None:
    """Refuse a rule too big to evaluate over a catalog, before parsing it (iteratively)."""
    stack, count = [(raw, "", 0)], 0
    while stack:
        node, path, depth = stack.pop()
        if not isinstance(node, dict):
            continue
        if depth > MAX_DEPTH + 1:
            raise _bad(path, f"groups nest deeper than {MAX_DEPTH} levels")
        value = node.get("value")
        values = value if isinstance(value, (list, tuple)) else [value]
        if len(values) > MAX_LIST_VALUES:
            raise _bad(f"{path}.value".lstrip("."), f"a condition takes at most {MAX_LIST_VALUES} values")
        if isinstance(value, str) and len(value) > MAX_VALUE_LENGTH * MAX_LIST_VALUES // 10:
            raise _bad(f"{path}.value".lstrip("."), "the value is too long")
        for v in (value.split(",") if isinstance(value, str) else values):
            if isinstance(v, str) and len(v) > MAX_VALUE_LENGTH:
                raise _bad(f"{path}.value".lstrip("."), f"a value is longer than {MAX_VALUE_LENGTH} characters")
        if isinstance(node.get("attribute"), str) and len(node["attribute"]) > 255:
            raise _bad(f"{path}.attribute".lstrip("."), "an attribute code has at most 255 characters")
        children = node.get("conditions")
        if isinstance(children, list):
            count += len(children)
            if count > MAX_CONDITIONS:
                raise _bad(path, f"a listing rule has at most {MAX_CONDITIONS} conditions")
            stack.extend((c, f"{path}.conditions[{i}]".lstrip("."), depth + 1) for i, c in enumerate(children))


def _parse_group(node, path: str, depth: int) -> Group:
    if not isinstance(node, dict):
        raise _bad(path, "a condition group must be an object")
    if depth > MAX_DEPTH:
        raise _bad(path, f"groups nest deeper than {MAX_DEPTH} levels")
    if node.get("type", "combine") != "combine":
        raise _bad(path, "the root must be a condition group")
    aggregator = node.get("aggregator", "all")
    if aggregator not in ("all", "any"):
        raise _bad(f"{path}.aggregator".lstrip("."), "aggregator must be 'all' or 'any'")
    value = node.get("value", True)
    if value not in (True, False, 1, 0, "1", "0"):
        raise _bad(f"{path}.value".lstrip("."), "a group's value must be true or false")
    children = node.get("conditions", [])
    if not isinstance(children, list):
        raise _bad(f"{path}.conditions".lstrip("."), "conditions must be a list")
    parsed: list[Group | Leaf] = []
    for i, child in enumerate(children):
        child_path = f"{path}.conditions[{i}]".lstrip(".")
        if isinstance(child, dict) and child.get("type", "combine") == "combine":
            parsed.append(_parse_group(child, child_path, depth + 1))
        else:
            parsed.append(_parse_leaf(child, child_path))
    return Group(aggregator, value in (True, 1, "1"), tuple(parsed))


def _parse_leaf(node, path: str) -> Leaf:
    if not isinstance(node, dict):
        raise _bad(path, "a condition must be an object")
    kind = node.get("type")
    if kind not in LEAF_TYPES:
        raise _bad(f"{path}.type", f"unknown condition type {kind!r}; use one of {', '.join(LEAF_TYPES)}")
    operator = node.get("operator")
    allowed = LEAF_OPERATORS.get(kind, tuple(OPERATORS))
    if operator not in allowed:
        raise _bad(f"{path}.operator", f"operator {operator!r} does not apply to {kind}; use one of "
                                        f"{', '.join(allowed)}")
    attribute = None
    if kind == "attribute":
        attribute = node.get("attribute")
        if not isinstance(attribute, str) or not attribute.strip():
            raise _bad(f"{path}.attribute", "an attribute condition needs an attribute code")
    value = node.get("value")
    if kind != "sell_dates":
        if value is None or value == "" or value == []:
            raise _bad(f"{path}.value", "a condition needs a value")
        if operator in ("()", "!()"):
            value = tuple(_as_list(value))
        elif isinstance(value, (list, dict)):
            raise _bad(f"{path}.value", f"operator {operator} takes a single value")
        if kind == "qty" and _number(value) is None:
            raise _bad(f"{path}.value", "quantity must be a number")
    return Leaf(kind, operator, value, attribute)


def _as_list(value) -> list:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def dump_rule(rule: Group | None) -> dict:
    if rule is None:
        return {"type": "combine", "aggregator": "all", "value": True, "conditions": []}
    return _dump(rule)


def _dump(node) -> dict:
    if isinstance(node, Group):
        return {"type": "combine", "aggregator": node.aggregator, "value": node.value,
                "conditions": [_dump(c) for c in node.conditions]}
    out = {"type": node.type, "operator": node.operator}
    if node.attribute:
        out["attribute"] = node.attribute
    if node.type != "sell_dates" or node.value is not None:
        out["value"] = list(node.value) if isinstance(node.value, tuple) else node.value
    return out


def walk(rule: Group | None) -> Iterator[Leaf]:
    if rule is None:
        return
    for c in rule.conditions:
        if isinstance(c, Group):
            yield from walk(c)
        else:
            yield c


def attribute_codes(rule: Group | None) -> list[str]:
    """The Magento attributes a rule reads, so the catalog reader fetches only those."""
    codes: set[str] = set()
    for leaf in walk(rule):
        if leaf.type == "attribute" and leaf.attribute:
            codes.add(leaf.attribute)
        elif leaf.type == "sell_dates":
            codes |= {"news_from_date", "news_to_date"}
    return sorted(codes)


def reads_categories(rule: Group | None) -> bool:
    """Whether a rule looks at the product's categories (the catalog reader reads them then)."""
    return any(leaf.type == "category" for leaf in walk(rule)) if rule is not None else False


@dataclasses.dataclass(frozen=True)
class ProductView:
    """The product facts a rule can see."""

    values: dict
    status: int | None = None
    in_stock: bool = True
    qty: Decimal | None = None
    categories: tuple = ()
    attribute_set_id: int | None = None
    type_id: str = "simple"
    now: datetime | None = None

    @classmethod
    def from_product(cls, product, qty=None, now: datetime | None = None) -> "ProductView":
        values = dict(product.attributes)
        values["sku"] = product.sku
        return cls(values=values, status=product.get("status"), in_stock=bool(product.is_in_stock),
                   qty=qty if qty is not None else product.salable_qty, categories=tuple(product.categories),
                   attribute_set_id=product.attribute_set_id, type_id=product.type_id, now=now)


def evaluate(rule: Group | None, product: ProductView) -> bool:
    if rule is None:
        return True
    return _eval(rule, product, None)


@dataclasses.dataclass(frozen=True)
class NodeTrace:
    """One node of a rule as it was evaluated for a product: the value it saw (a leaf),
    whether it held, and its children (a group)."""

    node: dict
    held: bool
    saw: object = None
    children: tuple = ()

    def to_json(self) -> dict:
        out = {"node": self.node, "held": self.held}
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        else:
            out["saw"] = _plain(self.saw)
        return out


def explain(rule: Group | None, product: ProductView) -> NodeTrace | None:
    """``evaluate`` with the tree: each node with the value it saw and whether it held
    (None for an empty rule, which admits every product). The same evaluation as
    ``evaluate``: the root's ``held`` is its answer."""
    if rule is None:
        return None
    trace: list = []
    _eval(rule, product, trace)
    return trace[0]


def _plain(value):
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, (Decimal, datetime)):
        return str(value)
    return value


def _eval(node, p: ProductView, trace: list | None) -> bool:
    """Evaluate a node; with ``trace`` (a list), append its NodeTrace there. Without one,
    a group stops at its first deciding child as before."""
    if isinstance(node, Group):
        if trace is None:
            results = (_eval(c, p, None) == node.value for c in node.conditions)
            return all(results) if node.aggregator == "all" else any(results)
        children: list = []
        outcomes = [_eval(c, p, children) == node.value for c in node.conditions]
        held = all(outcomes) if node.aggregator == "all" else any(outcomes)
        head = {"type": "combine", "aggregator": node.aggregator, "value": node.value}
        trace.append(NodeTrace(head, held, children=tuple(children)))
        return held
    held = _eval_leaf(node, p)
    if trace is not None:
        trace.append(NodeTrace(_dump(node), held, _seen(node, p)))
    return held


def _seen(leaf: Leaf, p: ProductView):
    """The product fact a leaf compared."""
    if leaf.type == "attribute":
        code = leaf.attribute or ""
        label = p.values.get(code + "_label")
        value = p.values.get(code)
        return value if label is None else [value, label]
    if leaf.type == "sell_dates":
        return [p.values.get("news_from_date"), p.values.get("news_to_date")]
    return {"status": p.status, "stock_status": p.in_stock, "qty": p.qty, "category": list(p.categories),
            "attribute_set": p.attribute_set_id, "type_id": p.type_id}[leaf.type]


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _eq(actual, expected) -> bool:
    a, e = _number(actual), _number(expected)
    if a is not None and e is not None:
        return a == e
    return str(actual).strip().casefold() == str(expected).strip().casefold()


NEGATED = {"!=": "==", "!()": "()", "!{}": "{}"}


def _compare(op: str, actual, expected) -> bool:
    """Magento's operators over one value, or over several (multiselect, categories,
    a select's option id and its label): a positive operator holds when any value
    matches, its negation when none does."""
    if op in NEGATED:
        return not _compare(NEGATED[op], actual, expected)
    values = list(actual) if isinstance(actual, (list, tuple, set)) else [actual]
    values = [v for v in values if v is not None]
    if op == "()":
        return any(_eq(a, e) for a in values for e in expected)
    if op == "{}":
        return any(_eq(a, expected) or str(expected).casefold() in str(a).casefold() for a in values)
    if op == "==":
        return any(_eq(a, expected) for a in values)
    e = _number(expected)
    numbers = [n for n in (_number(v) for v in values) if n is not None]
    if e is None or not numbers:
        return False
    return {">=": numbers[0] >= e, "<=": numbers[0] <= e, ">": numbers[0] > e, "<": numbers[0] < e}[op]


def _eval_leaf(leaf: Leaf, p: ProductView) -> bool:
    if leaf.type == "attribute":
        code = leaf.attribute or ""
        actual = p.values.get(code)
        label = p.values.get(code + "_label")
        if label is not None:
            actual = [actual, *(label if isinstance(label, list) else [label])]
        return _compare(leaf.operator, actual, leaf.value)
    if leaf.type == "status":
        wanted = {"enabled": 1, "disabled": 2}.get(str(leaf.value).lower(), leaf.value)
        return _compare(leaf.operator, p.status, wanted)
    if leaf.type == "stock_status":
        wanted = str(leaf.value).lower() in ("1", "true", "in_stock", "in stock")
        return (p.in_stock == wanted) == (leaf.operator == "==")
    if leaf.type == "qty":
        return _compare(leaf.operator, p.qty if p.qty is not None else Decimal("1e9"), leaf.value)
    if leaf.type == "category":
        op = {"==": "()", "!=": "!()"}.get(leaf.operator, leaf.operator)
        expected = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        return _compare(op, list(p.categories), expected)
    if leaf.type == "attribute_set":
        return _compare(leaf.operator, p.attribute_set_id, leaf.value)
    if leaf.type == "type_id":
        return _compare(leaf.operator, p.type_id, leaf.value)
    return _sell_dates(leaf, p)


def _sell_dates(leaf: Leaf, p: ProductView) -> bool:
    now = p.now or datetime.now()
    start, end = p.values.get("news_from_date"), p.values.get("news_to_date")
    start = _as_datetime(start)
    end = _as_datetime(end)
    inside = (start is not None or end is not None) and (start is None or start <= now) and \
        (end is None or now < end.replace(hour=0, minute=0, second=0) + timedelta(days=1))
    return inside if leaf.operator == "within" else not inside




def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


#: Operators that compare order, so they need a number or a date.
ORDERED = (">=", "<=", ">", "<")
#: Magento backend types whose values order.
ORDERED_TYPES = ("decimal", "int", "datetime")


def walk_paths(rule: Group | None, path: str = "") -> Iterator[tuple[str, Leaf]]:
    """Each leaf with its node path, as ``parse_rule`` names them in its errors."""
    if rule is None:
        return
    for i, c in enumerate(rule.conditions):
        child = f"{path}.conditions[{i}]".lstrip(".")
        if isinstance(c, Group):
            yield from walk_paths(c, child)
        else:
            yield child, c


def check_against_catalog(rule: Group | None, attributes) -> None:
    """Refuse a parsed rule that this Magento cannot evaluate.

    ``attributes`` maps attribute codes to objects with ``backend_type`` and
    ``frontend_input`` (the catalog reader's). Raises ``InvalidInput`` with the node
    path of the first leaf naming an unknown attribute or using an operator its type
    does not have. Saving, preview and the sync all call this, so a rule that saves is
    a rule that runs."""
    for path, leaf in walk_paths(rule):
        if leaf.type == "sell_dates":
            for code in ("news_from_date", "news_to_date"):
                if code not in attributes:
                    raise _bad(path, f"Magento has no product attribute '{code}' for the sell dates condition")
            continue
        if leaf.type != "attribute":
            continue
        meta = attributes.get(leaf.attribute)
        if meta is None:
            raise _bad(f"{path}.attribute", f"Magento has no product attribute '{leaf.attribute}'")
        if leaf.operator in ORDERED and meta.backend_type not in ORDERED_TYPES:
            raise _bad(f"{path}.operator", f"operator {leaf.operator} compares numbers or dates, but "
                                            f"'{leaf.attribute}' holds {meta.backend_type} values")
        if leaf.operator in ORDERED and _number(leaf.value) is None and meta.backend_type != "datetime":
            raise _bad(f"{path}.value", f"'{leaf.attribute}' is a number; {leaf.value!r} is not")


def catalog_attributes(reader) -> dict:
    """Attribute metadata by code from a catalog reader, for ``check_against_catalog``."""
    return {code: reader.attribute(code) for code in reader.attribute_codes()}


def parse_for_catalog(raw, reader) -> Group | None:
    """``parse_rule`` and ``check_against_catalog`` in one: the one validation every door uses."""
    rule = parse_rule(raw)
    check_against_catalog(rule, catalog_attributes(reader))
    return rule
