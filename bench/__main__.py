"""``make bench``: runs the benchmarks, prints a table, writes bench/results.json.

    python -m bench              the sizes of the issue (10k and 100k import, 1M rows for pages and deltas)
    python -m bench --quick      small sizes, to check the benchmarks themselves
    python -m bench --huge       adds the 1M-row import
    python -m bench --only tab_page
    python -m bench --only orders_import --size 10000
                                 one scenario at one size; its result is printed as one JSON line
                                 (the object written into bench/results.json), others' results are kept
    python -m bench faults       the fault matrix, written to bench/faults.json
    python -m bench security     the security checks, live, written to bench/security.json

Figures, not pass/fail. Each scenario runs in a fresh interpreter with its own private
MariaDB, Redis and sandbox, so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import Any

from bench.harness import RESULTS, machine, run_isolated, table, write_results

PLANS: dict[str, list[tuple[str, tuple]]] = {
    "full": [("catalog_generation", (100_000,)), ("import_match_classify", (10_000,)),
             ("import_match_classify", (100_000,)), ("tab_page", (1_000_000,)), ("delta_detection", (1_000_000,)),
             ("price_stock_export", (100,)), ("price_stock_export", (10_000,)), ("price_stock_export", (100_000,)),
             ("price_stock_export", (1_000_000,)),
             ("orders_import", (10_000,)), ("csv_export", (100_000,)), ("csv_export", (1_000_000,)),
             ("order_page", (1_000_000, 10_000)), ("product_page", (1_000_000,)), ("first_sync", (20_000,)),
             ("new_asin_validation", (10_000,)),
             ("notifications", (10_000,)), ("repricing", (10_000,))],
    "quick": [("catalog_generation", (2_000,)), ("import_match_classify", (2_000,)), ("tab_page", (20_000, 20)),
              ("delta_detection", (20_000, 100)), ("price_stock_export", (50,)), ("price_stock_export", (1_000,)),
              ("orders_import", (300,)), ("csv_export", (20_000,)), ("order_page", (20_000, 1_000, 60)),
              ("product_page", (20_000, 500, 60)), ("first_sync", (1_000,)), ("new_asin_validation", (1_000,)),
              ("notifications", (1_000,)), ("repricing", (1_000,))],
}
#: Scenarios that live in a module of their own (the others are in bench.scenarios).
MODULES = {"notifications": "bench.notifications", "repricing": "bench.repricing"}
TARGETS = {
    "repricing": "every live listing decided and recorded well within a run's interval (15 minutes); the"
                 " competition read within the pricing APIs' rate limits (ratio to their least time <= 1.2,"
                 " throttled calls ~0)",
    "new_asin_validation": ">= 1,000 products per second read from Magento, built through the attribute mapping"
                           " and validated against a product type schema",
    "notifications": "10,000 events per minute applied by one worker, 0 lost and 0 applied twice (redelivered and"
                     " shuffled); an event applied <= 5 s after Amazon sent it",
    "import_match_classify": "1M <= 60 s, 100k <= 6 s, <= 3x LOAD DATA of the same rows, peak RSS <= 150 MB and"
                             " flat in N, an unchanged second run writes 0 rows (1M <= 20 s)",
    "tab_page": "1M rows: p95 <= 30 ms single client; 16 clients >= 150 requests/s with p99 <= 150 ms;"
                " <= 4 queries per request; search by SKU prefix and name word p95 <= 50 ms",
    "delta_detection": "<= 2 s for 1,000 changed in 1M",
    "price_stock_export": "Amazon-clock time <= 1.1 x the rate limits' least (K = 100 patches; 10k, 100k, 1M"
                          " feeds), 429s <= 1 % of calls",
    "orders_import": "10k orders <= 10 s of local work, <= 3 statements per order",
    "csv_export": "1M rows well within the 60 s worker timeout, pages < 1 s meanwhile, RSS flat in N",
    "order_page": "p95 <= 50 ms single client for one order's page beside 1M listings and 10k orders",
    "product_page": "p95 <= 50 ms single client for one product's page beside 1M listings, without Amazon's live side",
    "first_sync": "20k products all needing an ASIN lookup, connect to every ready product submitted on Amazon's"
                  " clock <= 1.2 x the least Amazon's limits allow (report, searchCatalogItems 2/s x 20, feeds)",
}


WHEN = ("idle", "beside_one", "beside_two")


def summary(name: str, r: dict) -> str:
    if name == "import_match_classify":
        runs = f" (median of {r['repeats']}: {', '.join(str(x) for x in r['seconds_runs'])})" if r.get("repeats") else ""
        return (f"N={r['n']:,}: {r['seconds']} s{runs} (import {r['import_s']}, match {r['match_s']}, classify"
                f" {r['classify_s']}), {r['ratio_to_load_data']}x LOAD DATA of the same rows into the listing table"
                f" ({r.get('ratio_to_bare_table')}x into a bare table, {r.get('ratio_to_listing_rows')}x a LOAD DATA of"
                f" the listing rows as written); unchanged second run"
                f" {r['second_run_s']} s reading {r.get('second_run_read')}, writing {r['rows_written_second_run']} listing and"
                f" {r['change_rows_second_run']} change rows; after {r.get('prices_changed')} price changes in Magento"
                f" {r.get('changed_run_s')} s reading {r.get('changed_run_read')}; peak RSS {r['peak_rss_mb']} MB"
                + (f" (+ {r['classify_workers']} classification processes of at most {r['worker_peak_rss_mb']} MB)"
                   if r.get("classify_workers") else ""))
    if name == "tab_page":
        s, c = r["single_ms"], r["clients16_ms"]
        out = (f"{r['rows']:,} rows: 1 client p50/p95/p99 {s['p50']}/{s['p95']}/{s['p99']} ms; 16 clients "
               f"{c['p50']}/{c['p95']}/{c['p99']} ms, {r['clients16_requests_per_second']} req/s; "
               f"{r['queries_per_request']} queries/request")
        if "deep_page_ms" in r:
            out += (f"; deep pages by cursor p95 {r['deep_page_ms']['p95']} ms; search p95 "
                    + ", ".join(f"{k} {v['p95']} ms" for k, v in r["search_ms"].items()))
        return out
    if name == "delta_detection":
        return f"{r['found']:,} changed of {r['rows']:,}: {r['seconds_median']} s (median)"
    if name == "price_stock_export":
        return (f"K={r['k']:,} by {r['mode']}: {r['sp_api_calls']} calls, {r['throttled_calls']} throttled, "
                f"{r['seconds_amazon_time']} s on Amazon's clock vs {r['least_seconds_rate_limits']} s least, "
                f"ratio {r['ratio_to_least']}")
    if name == "orders_import":
        return (f"{r['orders']:,} orders: {r['seconds']} s ({r['orders_per_second']}/s), "
                f"{r['statements_per_order']} statements/order; Amazon's clock {r['amazon_clock_hours']} h "
                f"(searchOrders least {round(r['least_seconds_searchOrders'] / 3600, 2)} h)")
    if name == "csv_export":
        return (f"{r['rows']:,} rows: {r['alone_s']} s alone ({r['alone_rows_per_second']:,} rows/s), two at once "
                f"{r['two_at_once_s']} s; p50/max ms idle, beside one, beside two: grid page "
                + ", ".join(f"{r[f'grid_page_ms_{w}']['p50']}/{r[f'grid_page_ms_{w}']['max']}" for w in WHEN)
                + "; accounts "
                + ", ".join(f"{r[f'accounts_ms_{w}']['p50']}/{r[f'accounts_ms_{w}']['max']}" for w in WHEN)
                + f"; worker peak RSS "
                f"{r['worker_peak_rss_mb']} MB; {r['workers_timed_out']} timeouts")
    if name == "order_page":
        o, a, lst = r["order_page_ms"], r["order_api_ms"], r["list_api_ms"]
        return (f"{r['orders']:,} orders, {r['listings']:,} listings: order page p50/p95/p99 {o['p50']}/{o['p95']}/"
                f"{o['p99']} ms ({r['queries_per_request']} queries); its API {a['p50']}/{a['p95']} ms; filtered "
                f"list {lst['p50']}/{lst['p95']} ms")
    if name == "product_page":
        pg, a, q = r["page_ms"], r["api_ms"], r["search_sku_ms"]
        return (f"{r['rows']:,} listings: product page p50/p95/p99 {pg['p50']}/{pg['p95']}/{pg['p99']} ms "
                f"({r['queries_per_request']} queries); its API {a['p50']}/{a['p95']} ms; search by SKU "
                f"{q['p50']}/{q['p95']} ms")
    if name == "first_sync":
        return (f"{r['products']:,} products to list of {r['catalog_products']:,}: {r['looked_up']:,} looked up in {r['search_calls']:,} calls"
                f" ({r['identifiers_per_call']}/call), {r['submitted']:,} submitted in {r['publish_feeds']} feed(s);"
                f" {r['seconds_amazon_time']} s on Amazon's clock vs {r['least_seconds_rate_limits']} s least,"
                f" ratio {r['ratio_to_least']}; {r['throttled_calls']} throttled")
    if name == "notifications":
        return (f"{r['events']:,} events ({r['redelivered']:,} redelivered, shuffled) by one worker: {r['seconds']} s,"
                f" {r['events_per_minute']:,}/min ({r['events_per_second']}/s); lost {r['lost']}, applied twice"
                f" {r['applied_twice']}, wrong final status {r['wrong_final_status']}; at 10,000/min sent steadily:"
                f" latency p50/p95 {r['latency_p50_s']}/{r['latency_p95_s']} s")
    if name == "repricing":
        return (f"{r['listings']:,} listings: {r['decisions']:,} decisions in {r['seconds']} s"
                f" ({r['decisions_per_second']:,}/s, {r['changed']:,} prices set); competition of {r['asins_read']:,}"
                f" ASINs in {r['sp_api_calls']} calls ({r['throttled_calls']} throttled), {r['read_seconds_amazon_time']} s"
                f" on Amazon's clock vs {r['least_seconds_rate_limits']} s least (ratio {r['ratio_to_least']})")
    if name == "new_asin_validation":
        return (f"{r['products']:,} products read, built and validated in {r['seconds']} s:"
                f" {r['products_per_second']:,}/s ({r['valid']:,} valid); validation alone"
                f" {r['validate_only_products_per_second']:,}/s")
    if name == "catalog_generation":
        return f"{r['products']:,} products: {r['seconds']} s"
    return str(r)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["faults"]:
        from bench.faults import main as faults

        return faults()
    if argv[:1] == ["security"]:
        from bench.security import main as security

        return security()
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--huge", action="store_true", help="add the 1M-row import")
    parser.add_argument("--only", default=None, metavar="NAME", help="run this scenario only")
    parser.add_argument("--size", type=int, default=None, metavar="N",
                        help="with --only: this size only (the scenario's other parameters keep their defaults)")
    args = parser.parse_args(argv)
    if args.size is not None and not args.only:
        parser.error("--size needs --only NAME")
    if args.size is not None and args.size < 1:
        parser.error("--size must be a positive number")
    plan = list(PLANS["quick" if args.quick else "full"])
    if args.huge:
        plan.append(("import_match_classify", (1_000_000,)))
    if args.only:
        known = {name for p in PLANS.values() for name, _ in p}
        if args.only not in known:
            parser.error(f"unknown scenario {args.only!r}; one of: {', '.join(sorted(known))}")
        plan = [p for p in plan if p[0] == args.only]
        if args.size is not None:
            plan = [(args.only, (args.size,))]
    results: dict[str, Any] = {"machine": machine(), "run_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
               "plan": "quick" if args.quick else "full", "targets": TARGETS, "results": []}
    def keep(previous: list[dict]) -> list[dict]:
        """Re-running one benchmark keeps the others' latest figures (with --size, its other
        sizes too); read when each result is written, so runs side by side keep each other's."""
        return [r for r in previous if r["benchmark"] != args.only
                or (args.size is not None and (r.get("params") or [None])[0] != args.size)]

    # With --only, standard output carries the results alone, one JSON line each.
    report = sys.stderr if args.only else sys.stdout
    rows = [("benchmark", "target", "figure")]
    for name, params in plan:
        print(f"running {name}{params} ...", file=report, flush=True)
        result = {"benchmark": name, "params": list(params), **run_isolated(MODULES.get(name, "bench.scenarios"), name, *params)}
        results["results"].append(result)
        if args.only:
            print(json.dumps(result, sort_keys=True, default=str), flush=True)
        rows.append((name, TARGETS.get(name, ""), summary(name, result)))
        if args.only and RESULTS.exists():
            previous = json.loads(RESULTS.read_text())
            written = {**previous, "results": keep(previous.get("results", [])) + results["results"]}
            write_results(written)
        else:
            write_results(results)
    print(file=report)
    print(f"machine: {results['machine']['cores']} cores, {results['machine']['memory_gib']} GiB", file=report)
    print(table(rows), file=report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
