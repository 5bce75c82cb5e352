"""Shared fixtures: one private MariaDB and one private Redis per test session.

Each test that asks for ``redis_client`` gets a flushed Redis; each test that asks for
a database gets a freshly created one. Amazon is the sandbox over HTTP (see the
fixtures of tests/amazon).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

import pytest

from sandbox.localservices import MariaDB, Redis
from harness import MagentoDb
from reference import shared_path  # noqa: F401
from sandbox_fixtures import *  # noqa: F401,F403

@pytest.fixture(scope="session")
def services():
    base = Path(tempfile.mkdtemp(prefix="chn-", dir="/tmp"))
    db, rds = MariaDB(base / "db"), Redis(base / "redis")
    try:  # one that fails to start is stopped and its folder removed all the same
        db.start()
        rds.start()
        yield db, rds
    finally:
        rds.stop()
        db.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def mariadb(services) -> MariaDB:
    return services[0]


@pytest.fixture(scope="session")
def redis_server(services) -> Redis:
    return services[1]


@pytest.fixture
def redis_client(redis_server):
    client = redis_server.client()
    client.flushall()
    yield client
    client.flushall()
    client.close()


_db_counter = itertools.count(1)


@pytest.fixture
def make_database(mariadb):
    """Factory for fresh, empty databases, dropped after the test."""
    created: list[str] = []

    def make(stem: str = "t") -> str:
        name = f"{stem}_{next(_db_counter)}"
        mariadb.create_database(name)
        created.append(name)
        return name

    yield make
    conn = mariadb.connect()
    try:
        for name in created:
            conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        conn.close()


SHAPES = [("opensource", ""), ("commerce", "mg_")]


@pytest.fixture(params=SHAPES, ids=[f"{s}{'-' + p if p else ''}" for s, p in SHAPES])
def magento(request, mariadb, make_database):
    """A small generated catalog (120 products), in both Magento shapes; the Commerce
    variant also carries a table prefix."""
    shape, prefix = request.param
    db = MagentoDb(mariadb, make_database("mg"), shape, prefix, products=120)
    yield db
    db.dispose()


@pytest.fixture
def channel_db(magento):
    """The ``magento`` database with the channel's migrations applied."""
    return magento.migrate()
