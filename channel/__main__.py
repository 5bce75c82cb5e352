"""``python -m channel``: the extension tables' schema and the encryption key.

    python -m channel db upgrade            apply sql/ migrations (idempotent)
    python -m channel db status             applied and known versions
    python -m channel rotate-key [--to KEY] re-encrypt stored secrets under a new key
    python -m channel demo [ARGS]           the demo, in a source checkout (python -m sandbox.demo ARGS)

The sample Magento catalog and the demo are not part of the product: they live in
``sandbox`` (``python -m sandbox.catalog``, ``python -m sandbox.demo``, ``make demo``),
which ships with the source checkout only; ``demo`` runs it in a process of its own.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
from pathlib import Path

from channel.errors import ChannelError


def cmd_db(args: argparse.Namespace) -> int:
    from channel.db import make_engine
    from channel.migrations import applied, available, sql_dir, upgrade
    from channel.settings import Settings

    settings = Settings.from_env()
    path = sql_dir(settings.sql_dir)
    engine = make_engine(settings.database_url, settings.table_prefix)
    try:
        if args.action == "upgrade":
            ran = upgrade(engine, path)
            print(f"applied {len(ran)} migration(s): {ran}" if ran else "schema is up to date")
        else:
            done = set(applied(engine))
            for version, name, _ in available(path):
                print(f"{version:04d}_{name}: {'applied' if version in done else 'pending'}")
    finally:
        engine.dispose()
    return 0


#: The source checkout this package sits in, where ``sandbox/`` lives next to it.
CHECKOUT = Path(__file__).resolve().parents[1]


def run_demo(demo_args: list[str], checkout: Path = CHECKOUT) -> int:
    """``python -m sandbox.demo ARGS`` in its own process: its exit code, 0 after Ctrl-C."""
    if not (checkout / "sandbox" / "demo.py").is_file():
        print("error: the demo is not installed here: it ships with the source checkout"
              " (sandbox/demo.py; run `make demo` or `python -m sandbox.demo` there)", file=sys.stderr)
        return 2
    # ``-m`` from the checkout puts it first on the demo's import path.
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.demo", *demo_args], cwd=checkout)
    while True:
        try:
            code = proc.wait()
            break
        except KeyboardInterrupt:  # the demo gets the same Ctrl-C and stops in order; wait for it
            continue
    return 0 if code == -signal.SIGINT else (128 - code if code < 0 else code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["demo"]:  # everything after it is the demo's own (--help included)
        return run_demo(argv[1:])
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except ChannelError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    from channel import key_rotation

    parser = argparse.ArgumentParser(prog="channel", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="extension tables")
    db.add_argument("action", choices=["upgrade", "status"])
    db.set_defaults(func=cmd_db)
    key_rotation.add_command(sub)
    sub.add_parser("demo", help="the demo, in a source checkout: python -m channel demo [--help | -n N --keep ...]",
                   add_help=False)
    return parser


if __name__ == "__main__":
    sys.exit(main())
