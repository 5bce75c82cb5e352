"""Everything that knows Magento's tables: env.php, the table names, the catalog reader,
stock, and the only writes we make into Magento-native tables (``contracts``)."""
