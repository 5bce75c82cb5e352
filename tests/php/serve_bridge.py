"""Serves the bridge on a free loopback port for the PHP module's tests.

Starts a private Redis (replay protection needs it), prints ``PORT=<n>`` and serves
until killed. No database is touched by the endpoints the PHP tests call.
"""

import shutil
import signal
import sys
import tempfile

from werkzeug.serving import make_server

from bridge import create_app
from sandbox.localservices import Redis
from channel.settings import Settings


def main() -> None:
    secret = sys.argv[1]
    # run.sh stops it with a SIGTERM: its Redis and folder go with it, never left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    base = tempfile.mkdtemp(prefix="chn-php-")
    redis = Redis(base)
    try:
        redis.start()
        settings = Settings(database_url="mysql+mysqldb://unused@127.0.0.1:1/unused", redis_url=redis.url,
                            bridge_secret=secret)
        server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
        print(f"PORT={server.server_port}", flush=True)
        server.serve_forever()
    finally:
        redis.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
