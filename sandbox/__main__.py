"""``python -m sandbox --host 127.0.0.1 --port PORT [--seed FILE] [--time-scale X] [--shared-clock REDIS_URL]``."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from sandbox.app import create_app, warm_reports
from sandbox.state import Clock, Marketplace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sandbox", description="A local SP-API marketplace.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--seed", help="JSON file with sellers, catalog, listings and orders")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="run the marketplace clock (and its rate limits) this many times faster")
    parser.add_argument("--no-throttle", action="store_true", help="turn Amazon's rate limits off")
    parser.add_argument("--shared-clock", metavar="REDIS_URL",
                        help="add the offset of the clock the worker shares through this Redis"
                             " (worker.amazon.clock.SharedClock): its waits pass on this clock too")
    parser.add_argument("--sqs-endpoint", metavar="URL",
                        help="the SQS API notifications are delivered to (moto locally, sandbox.localservices.Sqs)")
    parser.add_argument("--quiet", action="store_true", help="log warnings only (no line per request)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s sandbox %(levelname)s %(message)s")
    offset = None
    if args.shared_clock:
        from worker.amazon.clock import offset_reader

        offset = offset_reader(args.shared_clock)
    market = Marketplace(Clock(args.time_scale, offset=offset), throttle=not args.no_throttle)
    market.notifications.sqs_endpoint = args.sqs_endpoint
    if args.seed:
        with open(args.seed, encoding="utf-8") as f:
            market.load(json.load(f))
        warm_reports(market)
    from werkzeug.serving import make_server

    if args.quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(args.host, args.port, create_app(market), threaded=True)
    print(f"SP-API sandbox on http://{args.host}:{server.server_port} (time scale {args.time_scale})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
