"""``channel.db.load_rows``: staging rows by LOAD DATA LOCAL INFILE reads back exactly what
was given (NULLs, escapes, unicode, numbers, times), keeps the first row of a duplicate key,
and falls back to inserts, with the same result, where local files are refused. The same
rows given as lines of LOAD DATA's text format (``load_lines``) read back the same."""

import datetime
from decimal import Decimal

import MySQLdb
import pytest
from sqlalchemy import create_engine, text

from channel import db

ROWS = [
    ("a", None, Decimal("12.5000"), 3, datetime.datetime(2026, 1, 2, 3, 4, 5)),
    ("b\\slash", "tab\there", None, -7, None),
    ("c", "line\nbreak\r\\N", Decimal("0.0001"), True, None),
    ("ü€😀", "\\N", Decimal("-1.2500"), 0, None),
    ("a", "second a: dropped", Decimal("1"), 1, None),
]
EXPECTED = [
    ("a", None, Decimal("12.5000"), 3, datetime.datetime(2026, 1, 2, 3, 4, 5)),
    ("b\\slash", "tab\there", None, -7, None),
    ("c", "line\nbreak\r\\N", Decimal("0.0001"), 1, None),
    ("ü€😀", "\\N", Decimal("-1.2500"), 0, None),
]


@pytest.fixture
def conn(mariadb, make_database):
    engine = create_engine(mariadb.url(make_database("load")))
    with engine.connect() as c:
        c.execute(text("CREATE TEMPORARY TABLE tmp_load (k varchar(64) NOT NULL PRIMARY KEY, s text NULL,"
                       " d decimal(20,4) NULL, i int NULL, t datetime NULL) DEFAULT CHARSET=utf8mb4"))
        yield c
    engine.dispose()


def _read(conn):
    return sorted(tuple(r) for r in conn.execute(text("SELECT k, s, d, i, t FROM tmp_load")))


def _as_lines(conn, table, columns, rows, **kwargs):
    return db.load_lines(conn, table, columns, map(db.tsv_line, rows), **kwargs)


LOADERS = pytest.mark.parametrize("load", [db.load_rows, _as_lines], ids=["rows", "lines"])


@LOADERS
@pytest.mark.parametrize("chunk_rows", [2, 50_000])
def test_rows_read_back_as_given(conn, load, chunk_rows):
    assert load(conn, "tmp_load", ("k", "s", "d", "i", "t"), iter(ROWS), chunk_rows=chunk_rows) == 5
    assert _read(conn) == sorted(EXPECTED)


@LOADERS
def test_inserts_where_local_files_are_refused(conn, monkeypatch, load):
    raw = db.driver_connection(conn)
    real_cursor = raw.cursor

    class Refusing:
        def __init__(self):
            self.cur = real_cursor()

        def execute(self, sql, *args):
            if str(sql).startswith("LOAD DATA"):
                raise MySQLdb.OperationalError(1148, "The used command is not allowed with this MariaDB version")
            return self.cur.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.cur, name)

    monkeypatch.setattr(db, "driver_connection", lambda c: _Wrapped(raw, Refusing))
    assert load(conn, "tmp_load", ("k", "s", "d", "i", "t"), iter(ROWS)) == 5
    assert _read(conn) == sorted(EXPECTED)


class _Wrapped:
    """The driver connection with a cursor that refuses LOAD DATA."""

    def __init__(self, raw, cursor_class):
        self.raw = raw
        self.cursor_class = cursor_class

    def cursor(self):
        return self.cursor_class()

    def __getattr__(self, name):
        return getattr(self.raw, name)
