"""``/_sandbox/...``: seed and read state, inject faults, count calls (tests and the demo)."""

from __future__ import annotations

from flask import jsonify


def register(app, market, guard, marketplace_ids, body, ApiError, iso):
    @app.post("/_sandbox/seed")
    def seed():
        market.load(body())
        return jsonify({"ok": True})

    @app.post("/_sandbox/faults")
    def faults():
        """``{"operation": "getReport" | "*", "status": 500, "count": 3}``; kinds: status (default),
        ``timeout`` (with ``seconds``), ``expire_token``. Also ``report_options`` for listings
        reports (``None`` clears them), ``feed_report`` (``"empty"``, ``"malformed"``,
        ``"missing_messages"`` or ``None``), ``reject_skus`` (SKUs whose every put/patch is
        INVALID) and ``revoke_refresh_tokens`` (LWA answers invalid_grant)."""
        data = body()
        if "report_options" in data:
            if data["report_options"] is None:
                market.report_options.clear()
            else:
                market.report_options.update(data["report_options"])
            return jsonify({"ok": True})
        if "feed_report" in data:
            market.feed_report = data["feed_report"]
            return jsonify({"ok": True})
        if "reject_skus" in data:
            market.reject_skus = set(data["reject_skus"] or ())
            return jsonify({"ok": True})
        if "revoke_refresh_tokens" in data:
            market.revoked = bool(data["revoke_refresh_tokens"])
            if market.revoked:
                market.expire_tokens()
            return jsonify({"ok": True})
        market.faults.append({"operation": data.get("operation", "*"), "status": int(data.get("status", 500)),
                              "count": int(data.get("count", 1)), "kind": data.get("kind", "status"),
                              "seconds": data.get("seconds", 2)})
        return jsonify({"ok": True})

    @app.post("/_sandbox/throttle")
    def throttle():
        market.buckets.enabled = bool(body().get("enabled", True))
        return jsonify({"enabled": market.buckets.enabled})

    @app.get("/_sandbox/calls")
    def calls():
        return jsonify(market.calls)

    @app.get("/_sandbox/stats")
    def stats():
        """Calls and 429 answers per operation, the clock, and when Amazon applied the last
        offer change (a benchmark's finish line)."""
        with market.lock:
            return jsonify({"calls": dict(market.calls), "throttled": dict(market.throttled),
                            "now": market.clock.seconds(), "clock": iso(market.clock.now()),
                            "last_applied": (market.last_applied - market.clock._t0).total_seconds()
                            if market.last_applied else None})

    @app.get("/_sandbox/submissions")
    def submissions():
        return jsonify(market.submissions)

    @app.get("/_sandbox/sellers/<seller_id>/listings")
    def listings(seller_id):
        seller = market.sellers.get(seller_id)
        if seller is None:
            raise ApiError(404, "NotFound", "no such seller")
        with market.lock:
            for listing in seller.listings.values():
                market.refresh_listing(listing)
            return jsonify({sku: {"asin": li.asin, "price": li.price, "quantity": li.quantity,
                                  "status": li.status, "issues": li.issues, "condition": li.condition}
                            for sku, li in seller.listings.items()})

    @app.post("/_sandbox/sellers/<seller_id>/orders")
    def add_order(seller_id):
        if seller_id not in market.sellers:
            raise ApiError(404, "NotFound", "no such seller")
        return jsonify(market.add_order(seller_id, body()))

    @app.post("/_sandbox/sellers/<seller_id>/orders/<order_id>/status")
    def order_status(seller_id, order_id):
        try:
            return jsonify(market.update_order(seller_id, order_id, body()["status"]))
        except KeyError:
            raise ApiError(404, "NotFound", "no such order") from None

    @app.get("/_sandbox/sellers/<seller_id>/shipments")
    def shipments(seller_id):
        return jsonify(market.sellers[seller_id].shipments if seller_id in market.sellers else [])

    @app.post("/_sandbox/clock")
    def clock():
        """Jump the clock forward by ``seconds`` (approvals, reports, feeds)."""
        from datetime import timedelta

        market.clock._t0 += timedelta(seconds=float(body().get("seconds", 0)))
        return jsonify({"now": iso(market.clock.now())})
