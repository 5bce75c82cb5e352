"""Database plumbing shared by bridge and worker: the declarative Base and engines.

Flask-SQLAlchemy needs an app context, so models subclass ``Base`` here; the bridge
wraps it (``SQLAlchemy(model_class=Base)``) and the worker opens its own engine.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import itertools
import logging
import os
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote_plus

from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from MySQLdb.connections import Connection as DriverConnection

T = TypeVar("T")
logger = logging.getLogger(__name__)

NAMING = {
    "ix": "%(table_name)s_%(column_0_N_name)s",
    "uq": "%(table_name)s_%(column_0_N_name)s",
    "fk": "%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, table_prefix: str = "", **kwargs) -> Engine:
    """An engine with sane pooling for long-lived workers and gunicorn processes, using
    our tables under Magento's table prefix (``channel.tables``)."""
    from channel.tables import bind_prefix

    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_recycle", 3600)
    return bind_prefix(create_engine(url, **kwargs), table_prefix)


#: MySQL error codes of a transaction that lost a lock conflict and may simply run again.
DEADLOCK, LOCK_WAIT_TIMEOUT = 1213, 1205


def is_lock_conflict(exc: BaseException) -> bool:
    """A deadlock or lock-wait timeout: InnoDB rolled back, running again is the cure."""
    from sqlalchemy.exc import OperationalError

    orig = getattr(exc, "orig", None)
    return isinstance(exc, OperationalError) and bool(orig and orig.args and orig.args[0] in (DEADLOCK,
                                                                                              LOCK_WAIT_TIMEOUT))


def retry_on_lock_conflict(fn: Callable[[], T], attempts: int = 4, pause: float = 0.05) -> T:
    """Run ``fn`` (one whole transaction) again when InnoDB picked it as a deadlock victim."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - re-raised unless a lock conflict
            if attempt == attempts or not is_lock_conflict(exc):
                raise
            logger.info("Lost a lock conflict (%s); running the transaction again", getattr(exc, "orig", exc))
            time.sleep(pause * attempt * (1 + random.random()))
    raise AssertionError("unreachable")


@contextlib.contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as conn:
        yield conn


def mysql_url(
    *, user: str, password: str = "", database: str, host: str = "localhost",
    port: int | None = None, unix_socket: str | None = None,
) -> str:
    """SQLAlchemy URL for mysqlclient, by TCP or by socket."""
    auth = quote_plus(user) + (":" + quote_plus(password) if password else "")
    if unix_socket:
        return f"mysql+mysqldb://{auth}@localhost/{database}?unix_socket={unix_socket}&charset=utf8mb4"
    hostport = host + (f":{port}" if port else "")
    return f"mysql+mysqldb://{auth}@{hostport}/{database}?charset=utf8mb4"



def driver_connection(conn: Connection) -> DriverConnection:
    """The driver's own (mysqlclient) connection under an open ``conn``: its cursors for
    bulk statements on the same session (temporary tables included) and its escaping."""
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("the connection is closed")
    return raw


def driver_rows(conn: Connection, sql: str) -> tuple:
    """The rows of ``sql`` (no parameters: what it needs is written into it) as the driver's
    plain tuples, through its own cursor on ``conn``'s session: for reads of thousands of rows
    per batch, where SQLAlchemy's rows cost more than the read."""
    cursor = driver_connection(conn).cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _literal(escape: Callable[[bytes], bytes], value: object) -> bytes:
    if value is None:
        return b"NULL"
    if isinstance(value, bool):
        return b"1" if value else b"0"
    if isinstance(value, (int, Decimal)):
        return str(value).encode()
    if isinstance(value, float):
        return repr(value).encode()
    if isinstance(value, datetime.datetime):
        return b"'" + value.strftime("%Y-%m-%d %H:%M:%S").encode() + b"'"
    return b"'" + escape(str(value).encode("utf-8")) + b"'"


def insert_rows(conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple],
                chunk_bytes: int = 4 << 20, on_duplicate: str = "") -> None:
    """Rows into ``table`` as few multi-row INSERTs of at most ``chunk_bytes``, with values
    quoted by the connection's own escaping (the driver's per-value conversion costs more
    than the insert itself when staging a million rows). For staging tables on the same
    connection (temporary tables included); ``table``, ``columns`` and ``on_duplicate`` (an
    ``ON DUPLICATE KEY UPDATE`` clause) are trusted SQL."""
    if not rows:
        return
    raw = driver_connection(conn)
    escape = raw.escape_string
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ".encode()
    tail = (" " + on_duplicate).encode() if on_duplicate else b""
    parts: list[bytes] = []
    size = 0
    cur = raw.cursor()
    try:
        for row in rows:
            part = b"(" + b",".join([_literal(escape, v) for v in row]) + b")"
            parts.append(part)
            size += len(part) + 1
            if size >= chunk_bytes:
                cur.execute(head + b",".join(parts) + tail)
                parts, size = [], 0
        if parts:
            cur.execute(head + b",".join(parts) + tail)
    finally:
        cur.close()


#: Errors of a ``LOAD DATA LOCAL INFILE`` the server or the client library refuses (local
#: files disabled on either side): the rows are inserted instead.
_LOCAL_REFUSED = (1148, 2068, 3948, 4166)
_TSV_SPECIAL = re.compile(r"[\\\t\n\r]")
_TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def tsv_value(value: object) -> str:
    """One value as ``LOAD DATA``'s default format reads it (``\\N`` is NULL)."""
    cls = value.__class__
    if cls is int or cls is Decimal:
        return str(value)
    if value is None:
        return "\\N"
    if cls is str:
        s = str(value)
        return _TSV_SPECIAL.sub(lambda m: _TSV_ESCAPES[m.group()], s) if _TSV_SPECIAL.search(s) else s
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return repr(value)
    return tsv_value(str(value)) if not isinstance(value, (int, Decimal)) else str(value)


def tsv_line(row: tuple) -> str:
    """One row as a line of ``LOAD DATA``'s default text format (``load_lines`` reads them)."""
    return "\t".join([tsv_value(v) for v in row]) + "\n"


def load_rows(conn: Connection, table: str, columns: tuple[str, ...], rows: Iterable[tuple],
              chunk_rows: int = 50_000) -> int:
    """Rows into ``table`` (a staging table on this connection) by ``LOAD DATA LOCAL INFILE``
    of a temporary file per ``chunk_rows`` rows: the server parses them with no statement
    per batch and the client writes plain text, not SQL literals. Duplicate keys keep the
    first row. Where the server or the client library refuses local files (an empty file
    is offered first), the rows are inserted by ``insert_rows``. ``rows`` is consumed as it
    comes and never held whole; ``table`` and ``columns`` are trusted SQL. Returns how many
    rows were loaded."""
    rows = iter(rows)
    return _load(conn, table, columns, map(tsv_line, rows),
                 lambda: _insert_all(conn, table, columns, rows, chunk_rows), chunk_rows)


def load_lines(conn: Connection, table: str, columns: tuple[str, ...], lines: Iterable[str],
               chunk_rows: int = 20_000) -> int:
    """``load_rows`` of rows already written as lines of ``LOAD DATA``'s default text format
    (as ``tsv_line`` writes them: values tab-separated, ``\\N`` for NULL, backslash, tab and
    line ends escaped, a newline at the end of each): for a caller that reads text and can
    write each line with less work than a tuple costs. The server loads each chunk while the
    next is written, so ``lines`` must not use the connection. Where local files are refused,
    the lines are read back into rows of strings and inserted."""
    lines = iter(lines)
    return _load(conn, table, columns, lines,
                 lambda: _insert_all(conn, table, columns, map(_tsv_row, lines), chunk_rows), chunk_rows,
                 overlap=True)


def load_file(conn: Connection, table: str, columns: tuple[str, ...], path: str) -> int:
    """A file of lines in ``LOAD DATA``'s default text format (as ``tsv_line`` writes them)
    into ``table``, as ``load_lines`` loads them, by one ``LOAD DATA LOCAL INFILE`` of the
    file itself; where local files are refused, by ``load_lines``. ``path`` is one the caller
    made (trusted SQL, as ``table`` and ``columns``). Returns how many rows were loaded."""
    if "'" in path or "\\" in path:
        raise ValueError(f"not a path LOAD DATA may be given: {path!r}")
    cur = driver_connection(conn).cursor()
    try:
        cur.execute(f"LOAD DATA LOCAL INFILE '{path}' IGNORE INTO TABLE {table} CHARACTER SET utf8mb4"
                    f" ({', '.join(columns)})")
        return int(cur.rowcount)
    except Exception as exc:  # noqa: BLE001 - only a refusal of local files falls back
        if not (getattr(exc, "args", None) and exc.args[0] in _LOCAL_REFUSED):
            raise
    finally:
        cur.close()
    with open(path, encoding="utf-8", newline="\n") as lines:
        return load_lines(conn, table, columns, lines)


_TSV_ESCAPED = re.compile(r"\\(.)", re.S)
_TSV_UNESCAPES = {"t": "\t", "n": "\n", "r": "\r"}


def _tsv_row(line: str) -> tuple:
    """A line of ``LOAD DATA``'s text format back into its values (strings, None for NULL)."""
    return tuple(None if v == "\\N" else _TSV_ESCAPED.sub(lambda m: _TSV_UNESCAPES.get(m[1], m[1]), v)
                 if "\\" in v else v for v in line.rstrip("\n").split("\t"))


def _load(conn: Connection, table: str, columns: tuple[str, ...], lines: Iterator[str],
          refused: Callable[[], int], chunk_rows: int, overlap: bool = False) -> int:
    """``lines`` loaded ``chunk_rows`` at a time; ``overlap``: each chunk is loaded by a second
    thread while the next is written (into the other of two files), so the server's work and
    the caller's overlap; ``lines`` must then not use the connection."""
    raw = driver_connection(conn)
    folder = tempfile.mkdtemp(prefix="chn-load-")
    paths = (os.path.join(folder, "rows.tsv"), os.path.join(folder, "next.tsv"))
    loads = [f"LOAD DATA LOCAL INFILE '{path}' IGNORE INTO TABLE {table} CHARACTER SET utf8mb4"
             f" ({', '.join(columns)})" for path in paths]
    cur = raw.cursor()
    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="load-data") if overlap else None
    pending: concurrent.futures.Future | None = None
    try:
        open(paths[0], "w").close()
        try:
            cur.execute(loads[0])
        except Exception as exc:  # noqa: BLE001 - only a refusal of local files falls back
            if not (getattr(exc, "args", None) and exc.args[0] in _LOCAL_REFUSED):
                raise
            return refused()
        loaded, turn = 0, 0
        while True:
            batch = list(itertools.islice(lines, chunk_rows))
            if batch:
                with open(paths[turn], "w", encoding="utf-8", newline="\n") as f:
                    f.writelines(batch)
                if pending is not None:
                    pending.result()
                    pending = None
                if pool is not None:
                    pending = pool.submit(cur.execute, loads[turn])
                else:
                    cur.execute(loads[turn])
                loaded += len(batch)
                turn ^= 1
            if len(batch) < chunk_rows:
                if pending is not None:
                    pending.result()
                    pending = None
                return loaded
    finally:
        if pending is not None:  # the connection is not free until the server has answered
            concurrent.futures.wait([pending])
        if pool is not None:
            pool.shutdown()
        cur.close()
        shutil.rmtree(folder, ignore_errors=True)


def _insert_all(conn: Connection, table: str, columns: tuple[str, ...], rows: Iterable[tuple],
                chunk_rows: int) -> int:
    """``load_rows`` where local files are refused: multi-row inserts, the first row of a key kept."""
    keep_first = f"ON DUPLICATE KEY UPDATE {columns[0]} = {columns[0]}"
    batch: list[tuple] = []
    loaded = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= min(chunk_rows, 5000):
            insert_rows(conn, table, columns, batch, on_duplicate=keep_first)
            loaded += len(batch)
            batch = []
    insert_rows(conn, table, columns, batch, on_duplicate=keep_first)
    return loaded + len(batch)
