"""Reads for the admin grids: listings per tab with filters, sort, paging and totals.

Every filter and sort key comes from a whitelist and every value is bound; anything
else is refused with a 400 that names the parameter. The first pages by number, any page
by key; the counts per tab are kept by classification, filtered counts stop at a bound,
and a filter on part of a value, which no index serves, reads a bounded window of the
tab per request.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import text

from bridge.errors import BadRequest
from bridge.reasons import describe
from channel.errors import NotFound
from channel.tabs import IN_PROGRESS, NOT_ELIGIBLE, VISIBLE_TABS, Tab

SORTS = {"sku": "seller_sku", "name": "product_name", "asin": "asin", "tab": "tab", "reason": "reason",
         "price": "calc_price", "qty": "calc_qty", "changed": "state_changed_at", "id": "listing_id"}
FILTERS = {"sku": "seller_sku LIKE :sku", "name": "product_name LIKE :name", "asin": "asin = :asin",
           "reason": "reason = :reason", "state": "amazon_status = :state"}
MAX_PER_PAGE = 200
#: Past this page the offset would overflow the database's integers (and nobody pages that far).
MAX_PAGE = 1_000_000
COLUMNS = ("listing_id", "product_id", "magento_sku", "seller_sku", "asin", "product_name", "tab", "reason",
           "reason_detail", "state_changed_at", "amazon_status", "calc_price", "calc_qty", "amazon_price",
           "amazon_qty", "pushed_price", "pushed_qty", "fulfillment_channel", "match_status", "match_candidates",
           "pending_action")
TAB_NAMES = [t.value for t in VISIBLE_TABS]


def tabs_of(tab: str) -> list[str]:
    """A visible tab includes the in-progress states that lead to it."""
    members = [tab] + [t.value for t, into in IN_PROGRESS.items() if into.value == tab]
    return members


def page_args(args) -> tuple[int, int]:
    try:
        page = int(args.get("page", 1))
        per_page = int(args.get("per_page", 50))
    except ValueError:
        raise BadRequest("page and per_page must be whole numbers", {"parameter": "page"}) from None
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= MAX_PER_PAGE:
        raise BadRequest(f"page must be 1 to {MAX_PAGE} and per_page between 1 and {MAX_PER_PAGE}",
                         {"parameter": "per_page"})
    return page, per_page


def listing_query(args, account_id: int) -> tuple[str, dict]:
    clauses, params = listing_clauses(args, account_id)
    return " AND ".join(clauses), params


def listing_clauses(args, account_id: int) -> tuple[list[str], dict]:
    """The WHERE clauses of a tab with its filters (all bound, from the whitelist), and their values."""
    tab = args.get("tab", "active")
    if tab not in TAB_NAMES:
        raise BadRequest(f"unknown tab '{tab}'", {"parameter": "tab", "allowed": TAB_NAMES})
    where = ["account_id = :account_id", "tab IN :tabs"]
    params: dict = {"account_id": account_id, "tabs": tabs_of(tab)}
    allowed = set(FILTERS) | {"tab", "sort", "page", "per_page", "account_id", "format", "after", "before"}
    unknown = [k for k in args.keys() if k not in allowed]
    if unknown:
        raise BadRequest(f"unknown filter '{unknown[0]}'", {"parameter": unknown[0], "allowed": sorted(allowed)})
    for key, clause in FILTERS.items():
        value = args.get(key)
        if value:
            if len(value) > 255:
                raise BadRequest(f"filter '{key}' is too long", {"parameter": key})
            words = name_words(value) if key == "name" else None
            if words:  # every word, as a word start, through the full-text index
                where.append("MATCH(product_name) AGAINST(:name_ft IN BOOLEAN MODE)")
                params["name_ft"] = " ".join(f"+{w}*" for w in words)
                continue
            where.append(clause)
            params[key] = f"%{value}%" if "LIKE" in clause else value
    return where, params


#: InnoDB's full-text index holds words of at least this many characters (innodb_ft_min_token_size).
FT_MIN_WORD = 3


def name_words(value: str) -> list[str] | None:
    """The words of a name search for the full-text index, or None when a word is too
    short for it (or holds operators), so the search falls back to a substring match."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in value).split() if w]
    if not words or any(len(w) < FT_MIN_WORD for w in words) or len(words) > 8:
        return None
    return words


def order_by(args) -> str:
    raw = args.get("sort", "sku")
    desc = raw.startswith("-")
    key = raw.lstrip("-")
    if key not in SORTS:
        raise BadRequest(f"cannot sort by '{key}'", {"parameter": "sort", "allowed": sorted(SORTS)})
    direction = "DESC" if desc else "ASC"
    return f"{SORTS[key]} {direction}, listing_id {direction}"


def listings(conn, args, account_id: int, counts: dict[str, int] | None = None) -> dict:
    """One page of a tab. The first ``OFFSET_PAGES`` pages go by number; any page can go by
    key (``after``/``before``: the cursor of the last/first row of the page before), which
    seeks the (tab, sort key) index instead of counting rows off. A tab made of several
    states reads each state's index and merges, never sorting the whole tab. The total is
    the kept tab count without filters, and a count that stops at ``COUNT_BOUND`` with them.
    A filter on part of a value on a tab of more than ``SCAN_ROWS`` listings is read over
    a window of the tab (``_scan_page``). ``counts``: the kept tab counts, when the caller
    has read them already."""
    clauses, params = listing_clauses(args, account_id)
    where = " AND ".join(clauses)
    page, per_page = page_args(args)
    sort_key, desc = sort_args(args)
    after, before = args.get("after"), args.get("before")
    if after and before:
        raise BadRequest("give after or before, not both", {"parameter": "before"})
    cursor = decode_cursor(after or before) if (after or before) else None
    if cursor is None and page > OFFSET_PAGES:
        raise BadRequest(f"pages past {OFFSET_PAGES} are reached with after/before cursors",
                         {"parameter": "page"})
    backwards = bool(before)
    offset = 0 if cursor is not None else (page - 1) * per_page
    if any(" LIKE " in c for c in clauses):
        tab = args.get("tab", "active")
        if (counts if counts is not None else tab_counts(conn, account_id)).get(tab, 0) > SCAN_ROWS:
            return _scan_page(conn, clauses, params, tabs_of(tab), SORTS[sort_key], desc, cursor, backwards,
                              page, per_page, offset, after or before)
    total, exact = _total(conn, where, params, account_id, args)
    rows = _seek(conn, where, params, tabs_of(args.get("tab", "active")), SORTS[sort_key], desc != backwards,
                 cursor, per_page + 1, offset, dense=not exact)
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    items = [row_out(r) for r in rows]
    out = {"items": items, "total": total, "total_exact": exact, "page": page if cursor is None else None,
           "per_page": per_page, "pages": max(1, -(-total // per_page)) if exact else None,
           "next_cursor": None, "prev_cursor": None, "searched": None}
    if rows:
        first, last = encode_cursor(rows[0][SORTS[sort_key]], rows[0]["listing_id"]), \
            encode_cursor(rows[-1][SORTS[sort_key]], rows[-1]["listing_id"])
        has_next = more if not backwards else True
        has_prev = (cursor is not None and not backwards) or (backwards and more) or (cursor is None and page > 1)
        out["next_cursor"] = last if has_next else None
        out["prev_cursor"] = first if has_prev else None
    return out


#: The (account, tab, sort key) index of each sort column that has one (sql/0001, sql/0005).
SORT_INDEXES = {"seller_sku": "CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_SELLER_SKU",
                "calc_price": "CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_CALC_PRICE",
                "state_changed_at": "CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_STATE_CHANGED_AT",
                "listing_id": "CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_LISTING_ID"}
#: The (account, tab, reason, sort key) index of a sort column, for the reason filter (sql/0020).
REASON_SORT_INDEXES = {"calc_price": "CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_REASON_CALC_PRICE"}
#: Pages reachable by number (OFFSET); deeper ones go by cursor.
OFFSET_PAGES = 20
#: Filtered counts stop here: "10,000+" tells enough and costs a bounded read.
COUNT_BOUND = 10_000
#: A filter on part of a value (``LIKE '%...%'``: the SKU filter, a name too short for the
#: full-text index) has no index to seek. On a larger tab each request reads at most this
#: many of the tab's rows in the page's order, from the page's start: a page of matches, or
#: the matches of the rows read and a cursor that reads on (about 5 ms per 10,000 rows).
SCAN_ROWS = 10_000


def sort_args(args) -> tuple[str, bool]:
    raw = args.get("sort", "sku")
    key = raw.lstrip("-")
    if key not in SORTS:
        raise BadRequest(f"cannot sort by '{key}'", {"parameter": "sort", "allowed": sorted(SORTS)})
    return key, raw.startswith("-")


def encode_cursor(value, listing_id: int) -> str:
    if hasattr(value, "isoformat"):
        value = {"t": value.isoformat()}
    elif value is not None and not isinstance(value, (str, int)):
        value = {"d": str(value)}
    raw = json.dumps([value, int(listing_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple:
    try:
        value, listing_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["t"]) if "t" in value else Decimal(value["d"])
        if not isinstance(listing_id, int) or isinstance(value, (list, bool, float)):
            raise ValueError(token)
        return value, listing_id
    except (ValueError, TypeError, KeyError, binascii.Error, InvalidOperation):
        raise BadRequest("the page cursor is not one this grid gave", {"parameter": "after"}) from None


def _past(column: str, desc: bool, cursor, params: dict) -> tuple[str, dict]:
    """The clause for the rows past ``cursor`` in (column, listing_id) order, and its values."""
    if cursor is None:
        return "", params
    value, cid = cursor
    params = {**params, "ck": value, "cid": cid}
    cmp = "<" if desc else ">"
    if value is None:  # NULLs sort first ascending, last descending
        return (f" AND ({column} IS NULL AND listing_id {cmp} :cid"
                + ("" if desc else f" OR {column} IS NOT NULL") + ")"), params
    return (f" AND ({column} {cmp} :ck OR ({column} = :ck AND listing_id {cmp} :cid)"
            + (f" OR {column} IS NULL" if desc else "") + ")"), params


def _seek(conn, where: str, params: dict, members: list[str], column: str, desc: bool, cursor, limit: int,
          offset: int, dense: bool = False) -> list:
    """Rows in (column, listing_id) order from each tab state's index, merged. ``dense``:
    the filters match more rows than a filtered count reads (``COUNT_BOUND``)."""
    direction = "DESC" if desc else "ASC"
    after, params = _past(column, desc, cursor, params)
    cols = ", ".join(COLUMNS)
    scoped = where.replace("tab IN :tabs", "tab = :tab{i}")
    table = "channel_amazon_listing"
    index = (REASON_SORT_INDEXES.get(column) if "reason" in params else None) or SORT_INDEXES.get(column)
    if cursor is not None and dense and index and "name_ft" not in params:
        # Past the cursor the page is the next rows of the (tab, sort key) index. With a
        # filter MariaDB 10.11 reads that index from the tab's first entry (ref on account
        # and tab) instead of seeking the cursor (range): 30 ms instead of 0.2 at 1M. Only
        # when the filter matches many rows: the next 50 are then near the cursor, while a
        # sparse one is better served by the optimizer's own plan (its index, then a sort),
        # and a name search by its full-text index.
        table += f" FORCE INDEX ({index})"
    branches = []
    for i, member in enumerate(members):
        params[f"tab{i}"] = member
        branches.append(f"(SELECT {cols} FROM {table} WHERE {scoped.format(i=i)}{after}"
                        f" ORDER BY {column} {direction}, listing_id {direction} LIMIT {int(limit + offset)})")
    if len(branches) == 1 and offset:
        # One state, a page past the first: the rows before it are counted off on the index
        # alone (a deferred join), and only the page's own rows are read whole.
        sql = (f"SELECT {cols} FROM channel_amazon_listing JOIN (SELECT listing_id FROM {table}"
               f" WHERE {scoped.format(i=0)}{after} ORDER BY {column} {direction}, listing_id {direction}"
               f" LIMIT {int(limit)} OFFSET {int(offset)}) page USING (listing_id)"
               f" ORDER BY {column} {direction}, listing_id {direction}")
    elif len(branches) == 1:  # one state: the index order is the page order
        sql = (f"SELECT {cols} FROM {table} WHERE {scoped.format(i=0)}{after}"
               f" ORDER BY {column} {direction}, listing_id {direction} LIMIT {int(limit)} OFFSET {int(offset)}")
    else:
        sql = (" UNION ALL ".join(branches) + f" ORDER BY {column} {direction}, listing_id {direction}"
               f" LIMIT {int(limit)} OFFSET {int(offset)}")
    params = {k: v for k, v in params.items() if k != "tabs"}
    return list(conn.execute(text(sql), params).mappings().all())


def _scan_page(conn, clauses: list[str], params: dict, members: list[str], column: str, desc: bool, cursor,
               backwards: bool, page: int, per_page: int, offset: int, token: str | None) -> dict:
    """A page of a tab filtered on part of a value, read over a window: the next ``SCAN_ROWS``
    rows of the tab in the page's order past the cursor (from the start for pages by
    number), through the sort's index and the filters that index serves (account, tab, a
    reason with its index, the name's full-text search); the other filters are tested on
    the window's rows. A window with more than a page of matches gives a page, and its
    matches are counted for the total; one with fewer gives them all, and when the window
    stopped at ``SCAN_ROWS`` a cursor at its last row reads on (``searched``: the rows
    read). Reading on by cursor gives every match once, in order; the total is exact when
    the first window is the whole (filtered) tab."""
    order_desc = desc != backwards
    direction = "DESC" if order_desc else "ASC"
    index = REASON_SORT_INDEXES.get(column) if "reason" in params else None
    seek = [c for c in clauses
            if c.startswith(("account_id ", "tab ", "MATCH(")) or (index is not None and c.startswith("reason "))]
    hit = " AND ".join(f"({c})" for c in clauses if c not in seek) or "1"
    index = index or SORT_INDEXES.get(column)
    forced = f" FORCE INDEX ({index})" if index and cursor is not None and "name_ft" not in params else ""
    after, params = _past(column, order_desc, cursor, params)
    scoped = " AND ".join(seek).replace("tab IN :tabs", "tab = :tab{i}")
    order = f"ORDER BY k {direction}, listing_id {direction}"
    for i, member in enumerate(members):
        params[f"tab{i}"] = member

    def window(what: str) -> str:
        """The window's rows (``listing_id``, the sort key ``k``, then ``what``)."""
        branches = [f"SELECT listing_id, {column} AS k{what} FROM channel_amazon_listing{forced}"
                    f" WHERE {scoped.format(i=i)}{after} {order} LIMIT {SCAN_ROWS}" for i in range(len(members))]
        if len(branches) == 1:
            return branches[0]
        return "SELECT * FROM (" + " UNION ALL ".join(f"({b})" for b in branches) + f") u {order} LIMIT {SCAN_ROWS}"

    params = {k: v for k, v in params.items() if k != "tabs"}
    cols = ", ".join(f"l.{c}" for c in COLUMNS)
    hits = list(conn.execute(text(
        f"SELECT {cols} FROM ({window(f', ({hit}) AS hit')}) w JOIN channel_amazon_listing l"
        f" ON l.listing_id = w.listing_id WHERE w.hit = 1 ORDER BY w.k {direction}, w.listing_id {direction}"
        f" LIMIT {int(offset + per_page + 1)}"), params).mappings().all())
    rows = hits[offset:offset + per_page]
    more = len(hits) > offset + per_page
    edge = None
    if more:  # the window's matches, counted for the total
        examined, counted = conn.execute(text(f"SELECT COUNT(*), SUM(hit) FROM ({window(f', ({hit}) AS hit')}) s"),
                                         params).one()
        full, matches = examined >= SCAN_ROWS, int(counted or 0)
    else:  # every match of the window is at hand; its last row, when it stopped at the bound
        edge = conn.execute(text(f"SELECT k, listing_id FROM ({window('')}) s {order} LIMIT 1 OFFSET {SCAN_ROWS - 1}"),
                            params).first()
        full, matches = edge is not None, len(hits)

    def key(r) -> str:
        return encode_cursor(r[column], r["listing_id"])

    # In the order read: ``ahead`` reads on past the page, ``behind`` reads back before it.
    ahead = key(rows[-1]) if more else (encode_cursor(edge[0], edge[1]) if edge is not None else None)
    if cursor is not None:
        behind = key(rows[0]) if rows else token
    else:
        behind = key(rows[0]) if rows and page > 1 else None
    if backwards:
        rows.reverse()
        ahead, behind = behind, ahead
    exact = cursor is None and not full
    return {"items": [row_out(r) for r in rows], "total": matches, "total_exact": exact,
            "page": page if cursor is None and edge is None else None, "per_page": per_page,
            "pages": max(1, -(-matches // per_page)) if exact else None,
            "next_cursor": ahead, "prev_cursor": behind, "searched": SCAN_ROWS if edge is not None else None}


def _total(conn, where: str, params: dict, account_id: int, args) -> tuple[int, bool]:
    from sqlalchemy import bindparam

    if not any(args.get(k) for k in FILTERS):
        counts = tab_counts(conn, account_id)
        return int(counts.get(args.get("tab", "active"), 0)), True
    found = conn.execute(text(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM channel_amazon_listing WHERE {where} LIMIT {COUNT_BOUND + 1}) c"
    ).bindparams(bindparam("tabs", expanding=True)), params).scalar() or 0
    return min(int(found), COUNT_BOUND), found <= COUNT_BOUND


def row_out(r) -> dict:
    """A row as the API gives it: times in ISO 8601, prices as numbers, the reason's text."""
    out = dict(r)
    for k, v in out.items():
        if v is None or isinstance(v, str):
            continue
        if hasattr(v, "isoformat"):
            out[k] = v.isoformat()
        elif k.endswith("price"):
            out[k] = float(v)
    out["reason_text"] = dict(_reason_text(r["reason"], r["reason_detail"]))
    out["match_candidates"] = json.loads(r["match_candidates"]) if r["match_candidates"] else None
    return out


@functools.lru_cache(maxsize=4096)
def _reason_text(code: str, detail: str | None) -> dict:
    """``describe`` once per (reason, detail): a page of 50 rows holds a handful of them."""
    return describe(code, detail)


def require_account(conn, account_id: int) -> None:
    """The account exists, or NotFound: the grid's one read of the account, one row by
    its key (the whole account, credentials and settings, is not needed to list rows)."""
    if conn.execute(text("SELECT 1 FROM channel_amazon_account WHERE account_id = :a"),
                    {"a": account_id}).first() is None:
        raise NotFound(f"account {account_id} does not exist", {"account_id": account_id})


def tab_counts(conn, account_id: int) -> dict[str, int]:
    """Listings per visible tab, from the counts each classification run keeps
    (``channel.classification.refresh_tab_counts``); counted here only before the first run."""
    rows = conn.execute(text("SELECT tab, listings FROM channel_amazon_tab_count WHERE account_id = :a"
                             " AND tab <> :hidden"), {"a": account_id, "hidden": NOT_ELIGIBLE}).all()
    if not rows:
        rows = conn.execute(text("SELECT tab, COUNT(*) FROM channel_amazon_listing WHERE account_id = :a"
                                 " AND tab <> :hidden GROUP BY tab"), {"a": account_id, "hidden": NOT_ELIGIBLE}).all()
    counts = {t: 0 for t in TAB_NAMES}
    for tab, n in rows:
        visible = IN_PROGRESS.get(Tab(tab), Tab(tab)).value if tab in Tab._value2member_map_ else tab
        if visible in counts:
            counts[visible] += int(n)
    return counts
