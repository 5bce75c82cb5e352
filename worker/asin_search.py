"""The listings grid's "Find ASINs on Amazon": candidate ASINs for up to 100 listings the
merchant selected, searched in Amazon's catalog so the merchant can assign one by hand.

Each listing is searched by its mapped barcode when it has one (20 identifiers per
``searchCatalogItems`` call, as the sync's lookup does), and by the words of its product
name when it has none or its barcode found nothing. Every call goes through the account's
client and so through the token buckets every worker shares: the search keeps to Amazon's
2 calls a second. Nothing is written: the candidates are the job's result, and the
merchant's choice is assigned through the bridge (``listing_state.asins_looked_up``).
"""

from __future__ import annotations

import logging
import re

from rq import get_current_job
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from channel.jobs import MAX_ASIN_SEARCH
from worker import runtime

logger = logging.getLogger(__name__)

#: Barcode kinds searched, in this order (those searchCatalogItems can search).
KINDS = ("upc", "ean", "isbn", "jan", "gtin")
#: searchCatalogItems takes at most 20 keywords.
MAX_WORDS = 20


def keywords_of(name: str | None) -> list[str]:
    """The words of a product name, as keywords Amazon's catalog search takes."""
    return re.findall(r"\w+", name or "")[:MAX_WORDS]


def _progress(done: int, total: int) -> None:
    job = get_current_job()
    if job is not None:
        job.meta.update({"step": "asin_search", "done": done, "total": total})
        job.save_meta()


def _searchable(conn, account_id: int, listing_ids: list[int]) -> list[dict]:
    """The selected listings that are Magento products not on Amazon, in the given order."""
    rows = conn.execute(text(
        "SELECT listing_id, product_id, seller_sku, product_name FROM channel_amazon_listing"
        " WHERE account_id = :a AND listing_id IN :ids AND product_id IS NOT NULL AND amazon_status IS NULL")
        .bindparams(bindparam("ids", expanding=True)), {"a": account_id, "ids": listing_ids}).mappings().all()
    by_id = {r["listing_id"]: dict(r) for r in rows}
    return [by_id[i] for i in listing_ids if i in by_id]


def find_asins(account_id: int, listing_ids: list[int]) -> dict:
    """Candidates (ASIN, title, brand, whether a variation parent) for each listing, with
    what it was searched by; a failed search is reported on its listings, the others go on."""
    from channel.magento.catalog import CatalogReader
    from channel.models import Account
    from worker.amazon import catalog
    from worker.amazon.errors import AmazonError
    from worker.amazon.factory import client_for

    ids = [int(i) for i in listing_ids][:MAX_ASIN_SEARCH]
    with Session(runtime.engine()) as session:
        account = session.get(Account, int(account_id))
        if account is None:
            return {"error": "no such account"}
        conn = session.connection()
        rows = _searchable(conn, account.account_id, ids)
        mapping = account.identifier_mapping or {}
        kinds = [k for k in KINDS if mapping.get(k) and catalog.searchable(k)]
        if rows and kinds:
            reader = CatalogReader.from_settings(conn, runtime.settings())
            codes = sorted({mapping[k] for k in kinds})
            products = {p.entity_id: p for p in reader.products(
                account.website_id, entity_ids=[r["product_id"] for r in rows], attributes=codes, optional=codes,
                in_website_only=False)}
        else:
            products = {}
        client = client_for(account, runtime.settings(), runtime.redis_conn(), max_attempts=3)
    total = len(rows)
    out = {r["listing_id"]: {"listing_id": r["listing_id"], "seller_sku": r["seller_sku"], "searched_by": None,
                             "candidates": [], "error": None} for r in rows}
    done = 0
    _progress(done, total)
    for kind in kinds:  # barcodes first: 20 per call
        wanted: dict[str, list[int]] = {}
        for r in rows:
            product = products.get(r["product_id"])
            value = product.get(mapping[kind]) if product is not None else None
            if value and out[r["listing_id"]]["searched_by"] is None:
                wanted.setdefault(str(value), []).append(r["listing_id"])
        if not wanted:
            continue
        failed: str | None = None
        try:
            found = catalog.search_by_identifiers(client, kind, list(wanted))
        except AmazonError as exc:
            found, failed = {}, exc.message
        for value, listing_ids_of in wanted.items():
            for lid in listing_ids_of:
                out[lid]["searched_by"] = {"kind": kind, "value": value}
                out[lid]["candidates"] = [dict(i) for i in found.get(value, [])]
                out[lid]["error"] = failed
        done = sum(1 for o in out.values() if o["candidates"] or o["error"])
        _progress(done, total)
    for r in rows:  # no barcode, or one the catalog does not know: the product's name
        entry = out[r["listing_id"]]
        if entry["candidates"] or entry["error"]:
            continue
        words = keywords_of(r["product_name"])
        if not words:
            entry["error"] = entry["error"] or "the product has no barcode Amazon knows and no name to search by"
        else:
            entry["searched_by"] = {"kind": "keywords", "value": " ".join(words)}
            try:
                entry["candidates"] = catalog.search_by_keywords(client, words)
            except AmazonError as exc:
                entry["error"] = exc.message
        done += 1
        _progress(done, total)
    _progress(total, total)
    logger.info("Searched Amazon's catalog for %d listings of account %s", total, account_id)
    return {"listings": [out[r["listing_id"]] for r in rows],
            "skipped": [i for i in ids if i not in out]}
