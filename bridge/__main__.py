"""``python -m bridge [--standalone]``: the bridge on 127.0.0.1 (production: gunicorn bridge.wsgi:app).

In standalone mode (the demo) it prints a one-time URL that opens the admin pages in a
browser on this machine, as Jupyter does.
"""

from __future__ import annotations

import argparse
import logging
import sys

from bridge import create_app
from bridge.auth import standalone_url
from channel.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bridge", description="Run the channel bridge.")
    parser.add_argument("--host", default=None, help="default: CHANNEL_BRIDGE_HOST or 127.0.0.1")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--standalone", action="store_true", help="serve the admin pages for a local browser")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s bridge %(levelname)s %(message)s")
    settings = Settings.from_env()
    if args.standalone:
        settings = settings.replace(standalone=True)
    host = args.host or settings.bridge_host
    port = args.port or settings.bridge_port
    if settings.standalone and host not in ("127.0.0.1", "localhost", "::1"):
        print("standalone mode only listens on loopback", file=sys.stderr)
        return 2
    return serve(create_app(settings), host, port, "one-time link" if settings.standalone else None)


def serve(app, host: str, port: int, login: str | None) -> int:
    """Serve ``app`` until interrupted; with ``login``, print the standalone admin's link first."""
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True)
    if login:
        print(f"Admin ({login}): {standalone_url(app, host, server.server_port)}", flush=True)
    print(f"Bridge listening on http://{host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
