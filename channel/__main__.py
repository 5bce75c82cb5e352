"""``python -m channel``: database upgrade, the sample Magento catalog, and the demo.

    python -m channel db upgrade            apply sql/ migrations (idempotent)
    python -m channel db status             applied and known versions
    python -m channel rotate-key [--to KEY] re-encrypt every stored secret under the new key
    python -m channel magento build -n 1000 [--shape commerce] [--prefix mg_]
    python -m channel demo [-n 20000] [--keep]   the whole product on private services
"""

from __future__ import annotations

import argparse
import logging
import sys

from channel.errors import ChannelError


def _settings():
    from channel.settings import Settings

    return Settings.from_env()


def cmd_db(args) -> int:
    from channel.db import make_engine
    from channel.migrations import applied, available, upgrade

    engine = make_engine(_settings().database_url, _settings().table_prefix)
    try:
        if args.action == "upgrade":
            ran = upgrade(engine)
            print(f"applied {len(ran)} migration(s): {ran}" if ran else "schema is up to date")
        else:
            done = set(applied(engine))
            for version, name, _ in available():
                print(f"{version:04d}_{name}: {'applied' if version in done else 'pending'}")
    finally:
        engine.dispose()
    return 0


def cmd_magento(args) -> int:
    import MySQLdb

    from channel.magento import fixture
    from sqlalchemy.engine import make_url

    url = make_url(_settings().database_url)
    kwargs = {"user": url.username or "root", "password": url.password or "", "database": url.database}
    if url.query.get("unix_socket"):
        kwargs["unix_socket"] = url.query["unix_socket"]
    else:
        kwargs.update(host=url.host or "127.0.0.1", port=url.port or 3306)
    conn = MySQLdb.connect(charset="utf8mb4", **kwargs)
    try:
        fixture.build(conn, args.products, shape=args.shape, prefix=args.prefix)
    finally:
        conn.close()
    print(f"built a {args.shape} Magento catalog of {args.products} products")
    return 0


def cmd_demo(args) -> int:
    try:
        from channel.demo import run_demo
    except ImportError as exc:  # a Python without the project's packages (not the venv)
        return _demo_in_venv(exc)
    return run_demo(products=args.products, keep=args.keep, wait=not args.no_wait)


def _demo_in_venv(exc: ImportError) -> int:
    """Run the demo with the project's venv when started by another Python."""
    import os
    from pathlib import Path

    venv = Path(__file__).resolve().parents[1] / ".venv"
    venv_python = venv / "bin" / "python"
    if venv_python.exists() and Path(sys.prefix).resolve() != venv.resolve():
        os.execv(str(venv_python), [str(venv_python), "-m", "channel", *sys.argv[1:]])
    print(f"error: {exc.name or exc} is not installed for {sys.executable}; run `make demo`, which installs"
          " what the demo needs in .venv", file=sys.stderr)
    return 2


def _positive(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except ChannelError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="channel", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="extension tables")
    db.add_argument("action", choices=["upgrade", "status"])
    db.set_defaults(func=cmd_db)
    from channel.key_rotation import add_command as add_rotate_key

    add_rotate_key(sub)
    mg = sub.add_parser("magento", help="the sample Magento database")
    mg.add_argument("action", choices=["build"])
    mg.add_argument("-n", "--products", type=int, default=1000)
    mg.add_argument("--shape", choices=["opensource", "commerce"], default="opensource")
    mg.add_argument("--prefix", default="")
    mg.set_defaults(func=cmd_magento)
    demo = sub.add_parser("demo", help="run the whole product on private services")
    demo.add_argument("-n", "--products", type=_positive, default=2000, help="sample catalog size")
    demo.add_argument("--keep", action="store_true",
                      help="keep the demo's database, key and login link; the next --keep start reuses them")
    demo.add_argument("--no-wait", action="store_true", help="start, sync once, print, stop")
    demo.set_defaults(func=cmd_demo)
    return parser


if __name__ == "__main__":
    sys.exit(main())
