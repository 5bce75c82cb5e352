-- Reading only the products that changed. The module's indexer "Amazon channel: changed
-- products" (channel_amazon_product), in Update by Schedule mode, has Magento log every
-- product whose catalog values, websites, categories, tier prices, stock or reservations
-- change into its changelog (channel_amazon_product_cl); Magento's cron hands those ids to
-- the indexer, which appends them here (product_id 0: a full reindex, read everything).
-- Each account's classification keeps how far it has read the feed, what its settings
-- were, and when it last read the whole website (and what the feed held then).

CREATE TABLE channel_amazon_product_feed (
  seq bigint UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Order of arrival',
  product_id int UNSIGNED NOT NULL COMMENT 'Magento product entity ID; 0: every product',
  logged_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'When the indexer appended it',
  PRIMARY KEY (seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Changed Magento products, as the indexer hands them on';

CREATE TABLE channel_amazon_feed_cursor (
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  feed_seq bigint UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Feed rows up to this one are read',
  whole_seq bigint UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Feed rows up to this one were there before the last whole read',
  fingerprint char(64) NOT NULL COMMENT 'Settings, rules and Magento configuration the last read used',
  full_at datetime NOT NULL COMMENT 'When every product of the website was last read',
  read_at datetime NOT NULL COMMENT 'When the last read was taken',
  PRIMARY KEY (account_id),
  CONSTRAINT CHANNEL_AMAZON_FEED_CURSOR_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='How far each account has read the product feed';
