"""A realistic env.php (with a table prefix) is read and the channel connects through it."""

import shutil

from sqlalchemy import text

from channel.db import make_engine
from sandbox import catalog
from channel.magento.catalog import CatalogReader
from channel.settings import Settings

FIXTURE = "tests/fixtures/magento_root"


def test_settings_from_magento_env_php_connect_with_its_prefix(mariadb, make_database, tmp_path):
    name = make_database("envphp")
    raw = mariadb.connect()
    cur = raw.cursor()
    cur.execute("CREATE USER IF NOT EXISTS 'shop_user'@'localhost' IDENTIFIED BY 'p@ss''w\"rd'")
    cur.execute(f"GRANT ALL ON `{name}`.* TO 'shop_user'@'localhost'")
    raw.close()
    root = tmp_path / "magento"
    shutil.copytree(FIXTURE, root)
    env_php = root / "app" / "etc" / "env.php"
    env_php.write_text(env_php.read_text().replace("__HOST__", mariadb.socket).replace("__DBNAME__", name))
    conn = mariadb.connect(name)
    catalog.build(conn, 10, prefix="mg_")
    conn.close()

    settings = Settings.from_env({"CHANNEL_MAGENTO_ROOT": str(root)})

    assert settings.table_prefix == "mg_"
    assert "p%40ss%27w%22rd" in settings.database_url  # password quoted, never mangled
    engine = make_engine(settings.database_url, settings.table_prefix)
    try:
        with engine.connect() as c:
            assert c.execute(text("SELECT CURRENT_USER()")).scalar().startswith("shop_user@")
            reader = CatalogReader.connect(c, prefix=settings.table_prefix)
            assert len(list(reader.products(1))) == 8
    finally:
        engine.dispose()
