"""Steps of a cycle, each with its own outcome.

A step runs when the steps it needs succeeded, this time or in an earlier cycle:
matching needs one good report import ever, not this cycle's, so a report Amazon
fails today never stops the price and stock push of listings already live. Each
step's outcome (ok, held, failed, retry, skipped) is kept in
``channel_amazon_sync_step`` with the time it last succeeded and its failures in a
row. A step that fails ``FAILURES_BEFORE_ALERT`` times in a row raises an alert for
the merchant; an invalid listing rule or refused credentials raise theirs at once.
Each alert clears itself when its step succeeds again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from channel import alerts
from channel.db import is_lock_conflict
from channel.models.log import write_log
from channel.rules import InvalidRule
from worker.amazon.errors import AmazonError, Retryable, Unauthorized

logger = logging.getLogger(__name__)

TABLE = "channel_amazon_sync_step"
#: Failures in a row before a failing step becomes an alert (a blip is not news).
FAILURES_BEFORE_ALERT = 3
#: Runs of a step that InnoDB picked as a deadlock victim, before it counts as failed.
LOCK_CONFLICT_ATTEMPTS = 3
#: Steps that talk to Amazon: they stop for the cycle once Amazon refused the credentials.
AMAZON_STEPS = frozenset({"import", "asin_lookup", "publish", "new_asin", "attributes", "price_stock", "orders"})


class ReportHeld(Exception):
    """The step's document was held back for the merchant; nothing was changed."""


class StepRunner:
    def __init__(self, conn: Connection, account_id: int, started: datetime,
                 progress: Callable[..., None] | None = None):
        self.conn = conn
        self.account_id = account_id
        self.started = started
        self.progress = progress or (lambda step, done=0, total=0: None)
        self.outcomes: dict[str, dict] = {}
        self.refused: str | None = None
        rows = conn.execute(text(f"SELECT step, last_ok_at, failures FROM {TABLE} WHERE account_id = :a"),
                            {"a": account_id}).all()
        self._last_ok = {r.step: r.last_ok_at for r in rows}
        self._failures = {r.step: r.failures for r in rows}
        conn.commit()

    def succeeded_ever(self, step: str) -> bool:
        return self.outcomes.get(step, {}).get("status") == "ok" or self._last_ok.get(step) is not None

    def run(self, name: str, fn: Callable[[], str | None], needs: tuple[str, ...] = ()) -> str:
        """Run one step; returns its status. Never raises for the step's own failure."""
        waiting = [n for n in needs if not self.succeeded_ever(n)]
        if self.refused and name in AMAZON_STEPS:
            return self._record(name, "skipped", f"not run: {self.refused}")
        if waiting:
            return self._record(name, "skipped", f"waits for {', '.join(waiting)} to succeed once")
        self.progress(name)
        try:
            message = self._attempt(fn)
        except ReportHeld as exc:
            self._rollback()
            return self._record(name, "held", str(exc))
        except InvalidRule as exc:
            self._rollback()
            self._alert(name, "rule_invalid", f"The listing rule cannot be applied: {exc.message}",
                        details={"path": exc.details.get("path")})
            return self._record(name, "failed", exc.message)
        except Unauthorized as exc:
            self._rollback()
            self.refused = f"Amazon refused the credentials ({exc.message})"
            self._alert(name, "credentials_rejected", f"Amazon refused this account's credentials: {exc.message}",
                        details={"operation": exc.operation, "status": exc.status})
            return self._record(name, "failed", exc.message)
        except Retryable as exc:
            self._rollback()
            return self._record(name, "retry", f"{type(exc).__name__}: {exc.message}")
        except Exception as exc:  # noqa: BLE001 - one step's failure must not stop the others
            self._rollback()
            if isinstance(exc, AmazonError):  # Amazon's words are the whole story
                logger.warning("Step %s failed for account %s: %s", name, self.account_id, exc.message)
            else:
                logger.exception("Step %s failed for account %s", name, self.account_id)
            message = exc.message if isinstance(exc, AmazonError) else f"{type(exc).__name__}: {exc}"
            status = self._record(name, "failed", message)
            if self._failures.get(name, 0) >= FAILURES_BEFORE_ALERT:
                self._alert(name, f"step_failing:{name}",
                            f"The '{name}' step failed {self._failures[name]} times in a row: {message}")
            return status
        if name in AMAZON_STEPS:
            alerts.clear_alert(self.conn, self.account_id, "credentials_rejected")
        if name == "classify":
            alerts.clear_alert(self.conn, self.account_id, "rule_invalid")
        alerts.clear_alert(self.conn, self.account_id, f"step_failing:{name}")
        return self._record(name, "ok", message)

    def _attempt(self, fn: Callable[[], str | None]) -> str:
        """Run the step; a deadlock victim is rolled back and run again (steps are idempotent)."""
        for attempt in range(1, LOCK_CONFLICT_ATTEMPTS + 1):
            try:
                message = fn() or "ok"
                self.conn.commit()
                return message
            except Exception as exc:  # noqa: BLE001 - re-raised unless a lock conflict
                if attempt == LOCK_CONFLICT_ATTEMPTS or not is_lock_conflict(exc):
                    raise
                logger.info("Step of account %s lost a lock conflict; running it again", self.account_id)
                self._rollback()
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def _rollback(self) -> None:
        try:
            self.conn.rollback()
        except Exception:  # noqa: BLE001 - a lost connection is reported by the next statement
            logger.warning("Rollback after a failed step failed", exc_info=True)

    def _alert(self, step: str, code: str, message: str, details: dict | None = None) -> None:
        alerts.raise_alert(self.conn, self.account_id, code, message,
                           action=alerts.ACTIONS.get(code.split(":")[0]), details={**(details or {}), "step": step})
        self.conn.commit()

    def _record(self, name: str, status: str, message: str) -> str:
        now = datetime.utcnow().replace(microsecond=0)
        ok = status == "ok"
        failures = 0 if ok or status in ("held", "skipped") else self._failures.get(name, 0) + 1
        if status == "skipped":
            failures = self._failures.get(name, 0)
        self._failures[name] = failures
        self.outcomes[name] = {"status": status, "message": message[:1024]}
        self.conn.execute(text(
            f"INSERT INTO {TABLE} (account_id, step, status, message, started_at, finished_at, last_ok_at, failures)"
            f" VALUES (:a, :s, :st, :m, :t, :f, :ok, :n) ON DUPLICATE KEY UPDATE status = VALUES(status),"
            f" message = VALUES(message), started_at = VALUES(started_at), finished_at = VALUES(finished_at),"
            f" last_ok_at = COALESCE(VALUES(last_ok_at), last_ok_at), failures = VALUES(failures)"),
            {"a": self.account_id, "s": name, "st": status, "m": message[:1024], "t": self.started, "f": now,
             "ok": now if ok else None, "n": failures})
        if status in ("failed", "retry"):
            write_log(self.conn, account_id=self.account_id, operation=f"step:{name}",
                      level="error" if status == "failed" else "warning", message=message)
        self.conn.commit()
        if ok:
            self._last_ok[name] = now
        logger.info("Account %s step %s: %s (%s)", self.account_id, name, status, message)
        return status
