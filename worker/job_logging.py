"""Stamps every worker log record with the current RQ job id and account id."""

from __future__ import annotations

import logging

from rq import get_current_job


class CurrentJobFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        job = get_current_job()
        record.job_id = job.id if job else "-"
        record.account_id = job.args[0] if job and job.args else "-"
        return True


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(CurrentJobFilter())
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [job %(job_id)s account %(account_id)s] %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
