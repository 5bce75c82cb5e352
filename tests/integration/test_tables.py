"""The Core table definitions (``channel.tables``) describe exactly what ``sql/`` builds.

One database gets the migrations, another ``metadata.create_all()``; their
information_schema must agree on every table, column (type, nullability, default,
generated expression, comment, order), key, index and foreign key. MariaDB normalises
both the same way, so a difference is a real drift, never a spelling one.
"""

import pytest
from sqlalchemy import text

from channel.db import make_engine
from channel.migrations import upgrade
from channel.models import Account
from channel.tables import metadata

QUERIES = {
    "tables": "SELECT table_name, engine, table_collation, table_comment FROM information_schema.tables"
              " WHERE table_schema = :db ORDER BY table_name",
    "columns": "SELECT table_name, ordinal_position, column_name, column_type, is_nullable, column_default, extra,"
               " is_generated, generation_expression, character_set_name, collation_name, column_comment"
               " FROM information_schema.columns WHERE table_schema = :db ORDER BY table_name, ordinal_position",
    "indexes": "SELECT table_name, index_name, non_unique, seq_in_index, column_name, sub_part, index_type"
               " FROM information_schema.statistics WHERE table_schema = :db"
               " ORDER BY table_name, index_name, seq_in_index",
    "foreign_keys": "SELECT k.table_name, k.constraint_name, k.ordinal_position, k.column_name,"
                    " k.referenced_table_name, k.referenced_column_name, r.update_rule, r.delete_rule"
                    " FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r"
                    " ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name"
                    " AND r.table_name = k.table_name"
                    " WHERE k.table_schema = :db ORDER BY k.table_name, k.constraint_name, k.ordinal_position",
}


def describe(engine, database: str) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {what: [tuple(row) for row in conn.execute(text(sql), {"db": database})]
                for what, sql in QUERIES.items()}


@pytest.fixture
def both(mariadb, make_database):
    migrated, created = make_database("migrated"), make_database("created")
    one, two = make_engine(mariadb.url(migrated)), make_engine(mariadb.url(created))
    upgrade(one)
    metadata.create_all(two)
    yield describe(one, migrated), describe(two, created)
    one.dispose()
    two.dispose()


@pytest.mark.parametrize("what", list(QUERIES))
def test_core_tables_match_the_migrations(both, what):
    from_sql, from_core = both
    assert from_sql[what], f"the migrations built no {what}"
    missing = [row for row in from_sql[what] if row not in from_core[what]]
    extra = [row for row in from_core[what] if row not in from_sql[what]]
    assert (missing, extra) == ([], []), (f"{what}: in sql/ only {missing}; in channel.tables only {extra}"
                                          " (describe every change a migration makes in channel/tables.py)")


def test_every_migrated_table_is_described(both):
    from_sql, _ = both
    assert sorted(row[0] for row in from_sql["tables"]) == sorted(metadata.tables)


def test_the_account_model_maps_the_described_table():
    assert Account.__table__ is metadata.tables["channel_amazon_account"]
    mapped = {col.name for col in Account.__mapper__.columns}
    assert mapped == set(metadata.tables["channel_amazon_account"].c.keys())
