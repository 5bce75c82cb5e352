"""New ASINs: product types, the attribute mapping per product type, and products chosen
for creation on Amazon.

Nothing here calls Amazon: a product type search (which also caches the found types'
definitions) and the creation run are worker jobs; the mapping is validated here against
the cached schema, and saving it answers how the products chosen for that product type
would fare (validation counts), read from Magento as the worker will read them.
"""

from __future__ import annotations

from flask import jsonify, request

from bridge import db
from bridge.api import bp
from bridge.api.common import account, body, reader, redis
from bridge.auth import requires
from bridge.errors import BadRequest
from channel import jobs, new_asin, product_types
from channel.errors import InvalidInput, NotFound
from channel.magento.catalog import CatalogReader
from channel.product_types import OFFER_ATTRIBUTES, VARIATION_ATTRIBUTES

#: Products a mapping preview validates.
PREVIEW = 500
MAX_CHOSEN = 10_000


def _schema(account_id: int, product_type: str) -> product_types.ProductTypeSchema:
    acc = account(account_id)
    found = product_types.cached(db.session.connection(), acc.marketplace_id, product_type)
    if found is None:
        raise NotFound(f"the definition of {product_type} is not fetched yet: search for it first",
                       {"product_type": product_type})
    return found


def _magento_attributes(catalog: CatalogReader) -> list[str]:
    return sorted(catalog.attribute_codes())


def preview(account_id: int, schema: product_types.ProductTypeSchema, mapping: list[new_asin.MappingRow]) -> dict:
    """How the products chosen for this product type fare with ``mapping`` (first ``PREVIEW``)."""
    acc = account(account_id)
    conn = db.session.connection()
    chosen = [r for r in new_asin.rows(conn, account_id) if r["product_type"] == schema.product_type
              and r["role"] != "parent"][:PREVIEW]
    builder = new_asin.AttributeBuilder(schema, mapping, acc.marketplace_id)
    codes = builder.codes()
    valid, by_attribute = 0, dict[str, int]()
    catalog = reader()
    known = set(catalog.attribute_codes())
    codes = [c for c in codes if c in known]
    products = {p.entity_id: p.attributes for batch in catalog.iter_batches(
        acc.website_id, attributes=codes, optional=codes, entity_ids=[r["product_id"] for r in chosen],
        in_website_only=False) for p in batch}
    for row in chosen:
        attrs = builder.build(products.get(row["product_id"], {}))
        for name in VARIATION_ATTRIBUTES + OFFER_ATTRIBUTES:
            attrs.pop(name, None)
        problems = [p for p in schema.problems(attrs) if p.attribute not in VARIATION_ATTRIBUTES + OFFER_ATTRIBUTES]
        valid += not problems
        for p in problems:
            by_attribute[p.attribute] = by_attribute.get(p.attribute, 0) + 1
    return {"products": len(chosen), "valid": valid, "invalid": len(chosen) - valid, "by_attribute": by_attribute,
            "statuses": new_asin.counts(conn, account_id)}


@bp.get("/accounts/<int:account_id>/product-types")
@requires("view")
def product_type_list(account_id: int):
    acc = account(account_id)
    conn = db.session.connection()
    return jsonify({"product_types": product_types.cached_types(conn, acc.marketplace_id),
                    "mapped": new_asin.mapped_types(conn, account_id)})


@bp.post("/accounts/<int:account_id>/product-types/search")
@requires("accounts")
def product_type_search(account_id: int):
    account(account_id)
    keywords = str(body().get("keywords") or "").strip()
    if not keywords or len(keywords) > 200:
        raise BadRequest("keywords (or an item name) of 1 to 200 characters are required", {"parameter": "keywords"})
    job = jobs.queue(redis()).enqueue(new_asin.SEARCH_JOB, account_id, keywords, job_timeout=120, result_ttl=600,
                                      failure_ttl=3600, meta={"step": "queued", "done": 0, "total": 1},
                                      at_front=True)
    return jsonify({"job_id": job.id}), 202


@bp.get("/accounts/<int:account_id>/product-types/<product_type>")
@requires("view")
def product_type_mapping(account_id: int, product_type: str):
    schema = _schema(account_id, product_type)
    conn = db.session.connection()
    saved = new_asin.load_mapping(conn, account_id, product_type)
    catalog = reader()
    magento = _magento_attributes(catalog)
    mapping = saved or new_asin.suggest(schema, magento)
    return jsonify({
        "product_type": schema.product_type, "display_name": schema.display_name, "version": schema.version,
        "attributes": [a.as_dict() for a in schema.attributes
                       if a.name not in VARIATION_ATTRIBUTES + OFFER_ATTRIBUTES],
        "variation_themes": list(schema.variation_themes), "magento_attributes": magento,
        "magento_options": new_asin.option_labels(catalog, account(account_id).website_id),
        "mapping": [r.as_dict() for r in mapping], "suggested": not saved,
        "rule": dict(new_asin.load_rules(conn, account_id)).get(product_type),
        "validation": preview(account_id, schema, mapping)})


@bp.put("/accounts/<int:account_id>/product-types/<product_type>/mapping")
@requires("accounts")
def product_type_mapping_save(account_id: int, product_type: str):
    schema = _schema(account_id, product_type)
    raw = body().get("rows")
    if not isinstance(raw, list) or len(raw) > 500:
        raise BadRequest("rows must be a list of at most 500 mapping rows", {"parameter": "rows"})
    rows = new_asin.parse_mapping(raw, schema)
    known = set(_magento_attributes(reader()))
    for row in rows:
        unknown = [c for c in row.codes() if c not in known]
        if unknown:
            raise InvalidInput(f"{row.amazon_attribute}: Magento has no attribute {unknown[0]}",
                               {"amazon_attribute": row.amazon_attribute})
    new_asin.save_mapping(db.session.connection(), account_id, product_type, rows)
    db.session.commit()
    return jsonify({"saved": len(rows), "validation": preview(account_id, schema, rows)})


@bp.get("/accounts/<int:account_id>/new-asins")
@requires("view")
def new_asin_list(account_id: int):
    account(account_id)
    status = request.args.get("status")
    if status is not None and status not in new_asin.STATUSES:
        raise BadRequest(f"status must be one of {', '.join(new_asin.STATUSES)}", {"parameter": "status"})
    conn = db.session.connection()
    found = new_asin.rows(conn, account_id, [status] if status else None)[:1000]
    out = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in found]
    return jsonify({"products": out, "counts": new_asin.counts(conn, account_id)})


@bp.post("/accounts/<int:account_id>/new-asins")
@requires("accounts")
def new_asin_create(account_id: int):
    """Products chosen by hand (``product_ids``) for ``product_type``: queued and a run enqueued."""
    data = body()
    product_type = str(data.get("product_type") or "")
    ids = data.get("product_ids")
    if not isinstance(ids, list) or not ids or len(ids) > MAX_CHOSEN or not all(isinstance(i, int) for i in ids):
        raise BadRequest(f"product_ids must be a list of 1 to {MAX_CHOSEN} product ids", {"parameter": "product_ids"})
    acc = account(account_id)
    _schema(account_id, product_type)
    skus = {p.entity_id: p.sku for batch in reader().iter_batches(acc.website_id, entity_ids=ids,
                                                                   in_website_only=False) for p in batch}
    missing = [i for i in ids if i not in skus]
    if missing:
        raise NotFound(f"product {missing[0]} is not in Magento", {"product_id": missing[0]})
    queued = new_asin.queue_products(db.session.connection(), account_id,
                                     [(i, skus[i], product_type) for i in ids])
    db.session.commit()
    job = jobs.queue(redis()).enqueue(new_asin.RUN_JOB, account_id, job_timeout=1800, result_ttl=3600,
                                      failure_ttl=86400, meta={"step": "queued", "done": 0, "total": len(ids)})
    return jsonify({"queued": queued, "job_id": job.id}), 202


@bp.put("/accounts/<int:account_id>/product-types/<product_type>/rule")
@requires("accounts")
def product_type_rule_save(account_id: int, product_type: str):
    """Products chosen by rule: each run queues the Incomplete products without ASIN that pass it."""
    from channel import rules

    _schema(account_id, product_type)
    raw = body().get("rule")
    rule = rules.parse_for_catalog(raw, reader()) if raw else None
    new_asin.save_rule(db.session.connection(), account_id, product_type, rules.dump_rule(rule) if rule else None)
    db.session.commit()
    job_id = None
    if rule is not None:
        job_id = jobs.queue(redis()).enqueue(new_asin.RUN_JOB, account_id, job_timeout=1800, result_ttl=3600,
                                             failure_ttl=86400).id
    return jsonify({"rule": rules.dump_rule(rule) if rule else None, "job_id": job_id})
