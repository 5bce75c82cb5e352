"""Our tables carry Magento's table prefix, as every table of a prefixed install does."""

from sqlalchemy import text

from channel.db import make_engine
from channel.migrations import upgrade
from channel.tables import constraint_name, rewrite


def test_statements_name_our_tables_and_foreign_keys_under_the_prefix():
    sql = ("CREATE TABLE channel_amazon_alert (x int, CONSTRAINT CHANNEL_AMAZON_LISTING_CHANGE_ACCOUNT_ID_CHANNEL_"
           "AMAZON_ACCOUNT FOREIGN KEY (x) REFERENCES channel_amazon_account (account_id))")
    out = rewrite("mg_", sql)
    assert "mg_channel_amazon_alert" in out and "REFERENCES mg_channel_amazon_account" in out
    assert "KEY CHANNEL_AMAZON" not in out.replace("FOREIGN KEY", "")  # constraint renamed
    assert len(constraint_name("mg_", "CHANNEL_AMAZON_LISTING_CHANGE_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT")) <= 64
    assert rewrite("", sql) == sql
    assert rewrite("mg_", "SELECT tmp_channel_ack.x, 'amazon_order' FROM tmp_channel_ack") == \
        "SELECT tmp_channel_ack.x, 'amazon_order' FROM tmp_channel_ack"


def test_two_prefixed_installs_share_one_database(mariadb, make_database):
    url = mariadb.url(make_database("shared"))
    first, second = make_engine(url, "shop1_"), make_engine(url, "shop2_")
    upgrade(first)
    upgrade(second)  # constraint names do not collide
    with first.begin() as conn:
        conn.execute(text("INSERT INTO channel_amazon_alert (account_id, code, message, started_at, updated_at)"
                          " VALUES (0, 'x', 'first', NOW(), NOW())"))
    with second.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_amazon_alert")).scalar() == 0
        names = {r[0] for r in conn.execute(text("SHOW TABLES"))}
    assert "shop1_channel_amazon_listing" in names and "shop2_channel_amazon_listing" in names
    assert not any(n.startswith("channel_amazon_") for n in names)
    first.dispose()
    second.dispose()
