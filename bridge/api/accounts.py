"""Accounts, identifier mapping, listing rules and settings."""

from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import text as sql_text

from bridge import db
from bridge.api import bp
from bridge.api.common import account, body, reader, redis, settings, vault
from bridge.auth import requires
from bridge.errors import BadRequest
from channel import account_removal, jobs, marketplaces
from channel import accounts as service
from channel.errors import NotFound
from channel.models import Account
from channel.preview import preview_rule
from channel.rules import dump_rule, parse_for_catalog, parse_rule


@bp.get("/marketplaces")
@requires("view")
def list_marketplaces():
    return jsonify({"items": [{"marketplace_id": m.marketplace_id, "name": m.name, "country": m.country,
                               "currency": m.currency, "region": m.region}
                              for m in marketplaces.MARKETPLACES.values()]})


@bp.get("/accounts")
@requires("view")
def list_accounts():
    rows = (db.session.query(Account).filter(Account.status != account_removal.DELETED)
            .order_by(Account.account_id).all())
    return jsonify({"items": [service.public(a) for a in rows], "total": len(rows)})


@bp.post("/accounts")
@requires("accounts")
def create_account():
    created = service.create(db.session, vault(), settings().table_prefix, body(), settings().magento_root)
    db.session.commit()
    out = service.public(created)
    out["check_job"] = _enqueue_check(created.account_id)
    return jsonify(out), 201


def _enqueue_check(account_id: int) -> str:
    """The credential check runs in a worker (Amazon is never called inside a request)."""
    return jobs.queue(redis()).enqueue("worker.jobs.check_credentials", account_id, job_timeout=120,
                                       result_ttl=3600, failure_ttl=86400).id


@bp.get("/accounts/<int:account_id>")
@requires("view")
def get_account(account_id):
    acc = account(account_id)
    if acc.status == account_removal.DELETED:
        raise NotFound(f"account {account_id} was deleted", {"account_id": account_id})
    return jsonify(service.public(acc))


@bp.patch("/accounts/<int:account_id>")
@requires("accounts")
def update_account(account_id):
    updated = service.update(db.session, settings().table_prefix, live_account(account_id), body())
    db.session.commit()
    return jsonify(service.public(updated))


def live_account(account_id: int):
    """The account, unless it is deleted or being deleted (then 404: nothing is done to it)."""
    acc = account(account_id)
    if acc.status in account_removal.GONE:
        raise NotFound(f"account {account_id} is {acc.status}", {"account_id": account_id, "status": acc.status})
    return acc


@bp.delete("/accounts/<int:account_id>")
@requires("accounts")
def delete_account(account_id):
    """Delete an account; ``listings`` (query or body): ``leave`` them on Amazon (the default,
    done at once: 204) or ``end`` them there first (a worker job: 202 with its id). Its
    orders stay readable either way."""
    acc = live_account(account_id)
    data = body() if request.get_data(cache=True).strip() else {}
    choice = request.args.get("listings") or (data.get("listings") if isinstance(data, dict) else None) or "leave"
    if choice not in account_removal.CHOICES:
        raise BadRequest("listings must be 'end' (end them on Amazon) or 'leave' (leave them there)",
                         {"parameter": "listings"})
    if choice == "leave" and acc.status == "pending" and not db.session.connection().execute(sql_text(
            "SELECT 1 FROM channel_amazon_order WHERE account_id = :a LIMIT 1"), {"a": account_id}).first():
        db.session.delete(acc)  # never connected, nothing to keep (a refused connection removes its draft)
        db.session.commit()
        return "", 204
    db.session.rollback()  # the batches below commit on a connection of their own
    if choice == "leave":
        with db.engine.connect() as conn:
            account_removal.retire(conn, account_id)
        return "", 204
    account_removal.mark_deleting(db.session.connection(), account_id)
    db.session.commit()
    job = jobs.queue(redis()).enqueue("worker.jobs.delete_account", account_id, True, job_timeout=3600,
                                      result_ttl=3600, failure_ttl=86400)
    return jsonify({"job_id": job.id, "status": account_removal.DELETING}), 202


@bp.post("/accounts/<int:account_id>/pause")
@requires("accounts")
def pause_account(account_id):
    acc = service.update(db.session, settings().table_prefix, live_account(account_id), {"status": "paused"})
    db.session.commit()
    return jsonify(service.public(acc))


@bp.post("/accounts/<int:account_id>/resume")
@requires("accounts")
def resume_account(account_id):
    acc = service.update(db.session, settings().table_prefix, live_account(account_id), {"status": "active"})
    db.session.commit()
    out = service.public(acc)
    if acc.status == "pending":
        out["check_job"] = _enqueue_check(account_id)
    return jsonify(out)


@bp.post("/accounts/<int:account_id>/rotate-secret")
@requires("accounts")
def rotate_secret(account_id):
    acc = service.rotate_secret(live_account(account_id), vault(), body().get("lwa_client_secret"))
    db.session.commit()
    return jsonify(service.public(acc))


@bp.post("/accounts/<int:account_id>/check")
@requires("accounts")
def check_credentials(account_id):
    live_account(account_id)
    return jsonify({"job_id": _enqueue_check(account_id)}), 202


@bp.post("/accounts/<int:account_id>/sync")
@requires("act")
def sync_now(account_id):
    live_account(account_id)
    return jsonify({"job_id": jobs.enqueue_sync(redis(), account_id, "merchant")}), 202


@bp.get("/accounts/<int:account_id>/mapping")
@requires("view")
def get_mapping(account_id):
    from channel.matching import normalize_mapping

    return jsonify(normalize_mapping(account(account_id).identifier_mapping))


@bp.put("/accounts/<int:account_id>/mapping")
@requires("accounts")
def put_mapping(account_id):
    mapping = service.set_mapping(live_account(account_id), reader(), body())
    db.session.commit()
    return jsonify(mapping)


@bp.get("/accounts/<int:account_id>/rule")
@requires("view")
def get_rule(account_id):
    return jsonify(dump_rule(parse_rule(account(account_id).listing_rule)))


@bp.put("/accounts/<int:account_id>/rule")
@requires("accounts")
def put_rule(account_id):
    rule = service.set_rule(live_account(account_id), body(), reader())
    db.session.commit()
    return jsonify(rule)


@bp.post("/accounts/<int:account_id>/rule/validate")
@requires("view")
def validate_rule(account_id):
    account(account_id)
    return jsonify({"valid": True, "rule": dump_rule(parse_for_catalog(body(), reader()))})


@bp.post("/accounts/<int:account_id>/rule/preview")
@requires("view")
def preview(account_id):
    data = body()
    bucket = request.args.get("bucket", "eligible")
    try:
        limit = int(request.args.get("limit", 50))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise BadRequest("limit and offset must be whole numbers", {"parameter": "limit"}) from None
    if not 1 <= limit <= 200 or offset < 0:
        raise BadRequest("limit must be 1 to 200 and offset 0 or more", {"parameter": "limit"})
    result = preview_rule(db.session.connection(), reader(), account(account_id), data.get("rule", data),
                          bucket, limit, offset)
    return jsonify({"counts": result.counts, "bucket": result.bucket, "items": result.rows, "limit": limit,
                    "offset": offset})


@bp.get("/accounts/<int:account_id>/settings")
@requires("view")
def get_settings(account_id):
    from channel.pricing import AccountSettings

    return jsonify(AccountSettings.from_json(account(account_id).settings).to_json())


@bp.put("/accounts/<int:account_id>/settings")
@requires("accounts")
def put_settings(account_id):
    from channel.orders import check_order_settings, order_settings

    acc = live_account(account_id)
    saved = service.set_settings(acc, body())
    if "orders" in (body() or {}):
        check_order_settings(db.session.connection(), reader().schema, order_settings(acc), acc.website_id)
    db.session.commit()
    return jsonify(saved)


#: Sample products offered on the settings page (the account's listings, first by id).
SAMPLES = 20


@bp.post("/accounts/<int:account_id>/settings/preview")
@requires("accounts")
def preview_settings(account_id):
    """The settings being edited (saved ones with the form's on top, not stored), applied to
    one sample product of the catalog by the product page's own traces
    (``pricing.explain_price`` / ``explain_qty`` / ``condition_of``): what Amazon would get."""
    import dataclasses
    from datetime import datetime, timezone

    from sqlalchemy import text as sql

    from bridge.api.product import _magento, business_trace
    from channel import pricing
    from channel.classification import AccountContext

    acc = account(account_id)
    data = body() or {}
    if not isinstance(data, dict):
        raise BadRequest("the body is an object: {settings, sku}", {"parameter": "body"})
    draft, sku = data.get("settings", {}), data.get("sku")
    draft = {} if draft is None else draft
    if not isinstance(draft, dict):
        raise BadRequest("settings must be an object of the settings being edited", {"parameter": "settings"})
    if sku is not None and (not isinstance(sku, str) or not sku.strip() or len(sku) > 64):
        raise BadRequest("sku must be a Magento SKU (1 to 64 characters)", {"parameter": "sku"})
    merged = pricing.AccountSettings.from_json({**acc.settings, **draft})  # refuses bad values with their path
    conn = db.session.connection()
    samples = [{"product_id": r.product_id, "sku": r.magento_sku} for r in conn.execute(sql(
        "SELECT product_id, magento_sku FROM channel_amazon_listing WHERE account_id = :a AND product_id IS NOT NULL"
        " ORDER BY listing_id LIMIT :n"), {"a": account_id, "n": SAMPLES})]
    if sku is not None:
        found = reader().product_ids([sku.strip()]).get(sku.strip().lower())
        if found is None:
            raise BadRequest(f"Magento has no product with SKU {sku.strip()[:64]!r}", {"parameter": "sku"})
        product_id = found[0]
    elif samples:
        product_id = samples[0]["product_id"]
    else:
        raise BadRequest("no sample product yet: type a SKU of your catalog", {"parameter": "sku"})
    known = set(reader().attribute_codes())
    missing = [c for c in merged.attribute_codes() if c not in known]
    if missing:
        raise BadRequest(f"Magento has no attribute {missing[0]!r}", {"parameter": "settings", "attribute": missing[0]})
    ctx = dataclasses.replace(AccountContext.of(acc, None), settings=merged)
    product, _ = _magento(acc, ctx, product_id, True)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    price = pricing.explain_price(product, merged, now)
    qty = pricing.explain_qty(product, merged)
    business = business_trace(conn, product, merged, price.amount, acc.website_id)
    return jsonify({"product": {"product_id": product.entity_id, "sku": product.sku, "name": product.get("name")},
                    "currency": marketplaces.get(acc.marketplace_id).currency,
                    "price": price.to_json(), "quantity": qty.to_json(), "business": business.to_json(),
                    "condition": pricing.condition_of(product, merged), "samples": samples})
