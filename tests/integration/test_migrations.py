import pytest
from sqlalchemy import text

from channel.db import make_engine
from channel.errors import Conflict
from channel.migrations import VERSION_TABLE, applied, available, upgrade


@pytest.fixture
def engine(mariadb, make_database):
    eng = make_engine(mariadb.url(make_database("mig")))
    yield eng
    eng.dispose()


def test_upgrade_applies_every_migration_once_and_records_it(engine):
    first = upgrade(engine)
    assert first == [v for v, _, _ in available()]
    assert upgrade(engine) == []  # idempotent
    assert applied(engine) == first
    with engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SHOW TABLES LIKE 'channel_amazon_%'"))}
    assert {"channel_amazon_account", "channel_amazon_listing", VERSION_TABLE} <= tables


def test_every_column_has_a_comment(engine):
    upgrade(engine)
    with engine.connect() as conn:
        bare = conn.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = DATABASE()"
            " AND table_name LIKE 'channel_amazon_%' AND column_comment = ''")).all()
    assert bare == []


def test_refuses_a_database_newer_than_the_code(engine):
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO {VERSION_TABLE} (version, name) VALUES (9999, 'from_the_future')"))
    with pytest.raises(Conflict, match="newer than this code knows"):
        upgrade(engine)
