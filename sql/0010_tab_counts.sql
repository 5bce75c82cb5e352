-- Listings per tab and account, refreshed by every classification run, so pages read
-- their tab counts instead of counting a million listings on every request.

CREATE TABLE channel_amazon_tab_count (
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  tab varchar(32) NOT NULL COMMENT 'Stored tab (state) of the listings',
  listings int UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Listings in the tab',
  counted_at datetime NOT NULL COMMENT 'When the count was taken',
  PRIMARY KEY (account_id, tab),
  CONSTRAINT CHANNEL_AMAZON_TAB_COUNT_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Listings per tab, kept';
