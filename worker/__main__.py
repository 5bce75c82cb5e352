"""``python -m worker``: an RQ worker on the channel queue, with the scheduler for retries."""

from __future__ import annotations

import argparse
import sys

from rq import Worker

from channel.jobs import QUEUE
from worker import job_logging, runtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="worker", description="Run a channel worker.")
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    job_logging.configure()
    runtime.settings()  # fail fast on missing or bad settings
    worker = Worker([QUEUE], connection=runtime.redis_conn(), name=args.name)
    worker.work(burst=args.burst, with_scheduler=True, logging_level="INFO")
    return 0


if __name__ == "__main__":
    sys.exit(main())
