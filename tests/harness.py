"""Test harness pieces shared by several test folders."""

from sandbox.localservices import MariaDB


class MagentoDb:
    """A Magento-shaped database with a generated catalog (and, on demand, our tables)."""

    def __init__(self, mariadb: MariaDB, name: str, shape: str, prefix: str, products: int):
        from channel.db import make_engine
        from sandbox import catalog

        self.mariadb = mariadb
        self.name = name
        self.prefix = prefix
        raw = mariadb.connect(name)
        try:
            self.schema = catalog.build(raw, products, shape=shape, prefix=prefix)
        finally:
            raw.close()
        self.url = mariadb.url(name)
        self.engine = make_engine(self.url, prefix)

    def raw(self):
        """A MySQLdb connection (for set-based fixture writes)."""
        return self.mariadb.connect(self.name)

    def migrate(self) -> "MagentoDb":
        from channel.migrations import upgrade

        upgrade(self.engine)
        return self

    def dispose(self) -> None:
        self.engine.dispose()
