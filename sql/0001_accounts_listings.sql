-- Accounts (the Backend), listings (the Binding), their change history, the
-- communication log and the trend snapshots. Forward-only: never edit once applied.

CREATE TABLE channel_amazon_account (
  account_id int UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Account ID',
  name varchar(255) NOT NULL COMMENT 'Name the merchant gave the account',
  region varchar(2) NOT NULL COMMENT 'SP-API region: na, eu or fe',
  marketplace_id varchar(20) NOT NULL COMMENT 'Amazon marketplace id',
  seller_id varchar(32) NOT NULL COMMENT 'Amazon merchant (seller) id',
  lwa_client_id varchar(255) NOT NULL COMMENT 'Login with Amazon client id',
  lwa_client_secret_enc text NOT NULL COMMENT 'LWA client secret, encrypted',
  refresh_token_enc text NOT NULL COMMENT 'LWA refresh token, encrypted',
  secret_rotated_at datetime NULL COMMENT 'When the client secret was last rotated',
  website_id smallint UNSIGNED NOT NULL COMMENT 'Magento website the account serves',
  status varchar(16) NOT NULL DEFAULT 'active' COMMENT 'active or paused',
  read_only tinyint(1) NOT NULL DEFAULT 0 COMMENT 'No state-changing Amazon call while set',
  read_only_reason varchar(255) NULL COMMENT 'Why read-only mode is on',
  install_fingerprint varchar(64) NULL COMMENT 'Hash of base URL and install the account was set up on',
  settings longtext NULL COMMENT 'Per-account settings as JSON',
  identifier_mapping longtext NULL COMMENT 'Amazon identifier to Magento attribute mapping as JSON',
  listing_rule longtext NULL COMMENT 'Listing rule condition tree as JSON',
  credential_status varchar(16) NOT NULL DEFAULT 'unchecked' COMMENT 'unchecked, ok or failed',
  credential_message varchar(1024) NULL COMMENT 'Outcome of the last credential check',
  credential_checked_at datetime NULL COMMENT 'When credentials were last checked',
  sync_interval int UNSIGNED NOT NULL DEFAULT 300 COMMENT 'Seconds between sync cycles',
  last_sync_at datetime NULL COMMENT 'Start of the last finished cycle',
  last_sync_status varchar(16) NULL COMMENT 'ok, failed or partial',
  last_sync_message varchar(1024) NULL COMMENT 'Summary of the last cycle',
  next_sync_at datetime NULL COMMENT 'When the next cycle is due',
  connected_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'When the account was connected',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Created At',
  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'Updated At',
  PRIMARY KEY (account_id),
  UNIQUE KEY CHANNEL_AMAZON_ACCOUNT_SELLER_ID_MARKETPLACE_ID (seller_id, marketplace_id),
  KEY CHANNEL_AMAZON_ACCOUNT_STATUS_NEXT_SYNC_AT (status, next_sync_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Amazon seller accounts';

CREATE TABLE channel_amazon_listing (
  listing_id bigint UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Listing ID',
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  product_id int UNSIGNED NULL COMMENT 'Magento product entity_id, NULL for unmatched third-party listings',
  magento_sku varchar(64) NULL COMMENT 'Magento SKU',
  seller_sku varchar(255) NOT NULL COMMENT 'Amazon seller SKU',
  asin varchar(16) NULL COMMENT 'Amazon ASIN',
  product_name varchar(500) NULL COMMENT 'Name in Magento or, for third party, on Amazon',
  match_status varchar(24) NOT NULL DEFAULT 'matched' COMMENT 'matched, no_match, multiple_matches, has_variants, third_party',
  match_candidates varchar(1024) NULL COMMENT 'Candidate product ids as JSON when several match',
  tab varchar(32) NOT NULL COMMENT 'Listing tab',
  reason varchar(64) NOT NULL COMMENT 'Stable reason code',
  reason_detail text NULL COMMENT 'Amazon issue text or other detail',
  state_changed_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'When tab or reason last changed',
  amazon_status varchar(32) NULL COMMENT 'BUYABLE, DISCOVERABLE or empty',
  amazon_issues text NULL COMMENT 'Amazon issues as JSON',
  amazon_price decimal(20,4) NULL COMMENT 'Price on Amazon',
  amazon_qty int NULL COMMENT 'Quantity on Amazon',
  fulfillment_channel varchar(16) NOT NULL DEFAULT 'DEFAULT' COMMENT 'DEFAULT (merchant) or AMAZON_xx',
  listed_at datetime NULL COMMENT 'Open date on Amazon',
  pending_action varchar(16) NULL COMMENT 'publish, end, relist or update waiting to be sent',
  ended_by_merchant tinyint(1) NOT NULL DEFAULT 0 COMMENT 'Ended by the merchant; never relisted by itself',
  submitted_at datetime NULL COMMENT 'When the last submission was sent',
  submission_ref varchar(64) NULL COMMENT 'Feed id or submission id of the last submission',
  calc_price decimal(20,4) NULL COMMENT 'Price computed from Magento and settings',
  calc_qty int NULL COMMENT 'Quantity computed from Magento and settings',
  pushed_price decimal(20,4) NULL COMMENT 'Price Amazon last acknowledged',
  pushed_qty int NULL COMMENT 'Quantity Amazon last acknowledged',
  pushed_at datetime NULL COMMENT 'When Amazon last acknowledged a push',
  seen_in_report_at datetime NULL COMMENT 'Last time the listing was in Amazon''s report',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Created At',
  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'Updated At',
  PRIMARY KEY (listing_id),
  UNIQUE KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_SELLER_SKU (account_id, seller_sku),
  KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_PRODUCT_ID (account_id, product_id),
  KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_REASON (account_id, tab, reason),
  KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_LISTING_ID (account_id, tab, listing_id),
  KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_ASIN (account_id, asin),
  KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_PENDING_ACTION (account_id, pending_action),
  CONSTRAINT CHANNEL_AMAZON_LISTING_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Magento products bound to Amazon listings';

CREATE TABLE channel_amazon_listing_change (
  change_id bigint UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Change ID',
  listing_id bigint UNSIGNED NOT NULL COMMENT 'Listing ID',
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  from_tab varchar(32) NULL COMMENT 'Tab before',
  to_tab varchar(32) NOT NULL COMMENT 'Tab after',
  from_reason varchar(64) NULL COMMENT 'Reason before',
  to_reason varchar(64) NOT NULL COMMENT 'Reason after',
  detail text NULL COMMENT 'Detail of the change',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'When the change happened',
  PRIMARY KEY (change_id),
  KEY CHANNEL_AMAZON_LISTING_CHANGE_ACCOUNT_ID_CREATED_AT (account_id, created_at),
  KEY CHANNEL_AMAZON_LISTING_CHANGE_LISTING_ID (listing_id),
  CONSTRAINT CHANNEL_AMAZON_LISTING_CHANGE_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Listing tab and reason history';

CREATE TABLE channel_amazon_log (
  log_id bigint UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Log ID',
  account_id int UNSIGNED NULL COMMENT 'Account ID',
  level varchar(8) NOT NULL DEFAULT 'error' COMMENT 'error, warning or info',
  operation varchar(64) NOT NULL COMMENT 'SP-API operation or sync step',
  http_status smallint UNSIGNED NULL COMMENT 'HTTP status Amazon answered',
  error_code varchar(64) NULL COMMENT 'Amazon error code',
  message text NULL COMMENT 'Amazon error message or what happened',
  request_id varchar(64) NULL COMMENT 'x-amzn-RequestId',
  job_id varchar(64) NULL COMMENT 'Worker job id',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'When it happened',
  PRIMARY KEY (log_id),
  KEY CHANNEL_AMAZON_LOG_ACCOUNT_ID_CREATED_AT (account_id, created_at),
  KEY CHANNEL_AMAZON_LOG_CREATED_AT (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Communication log with Amazon';

CREATE TABLE channel_amazon_trend (
  trend_id bigint UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Trend ID',
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  day date NOT NULL COMMENT 'Day of the snapshot',
  tab_counts varchar(2048) NOT NULL DEFAULT '{}' COMMENT 'Listings per tab as JSON, last snapshot of the day',
  orders int UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Amazon orders purchased that day',
  units int UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Units ordered that day',
  revenue decimal(20,4) NOT NULL DEFAULT 0 COMMENT 'Order totals that day',
  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'Last snapshot',
  PRIMARY KEY (trend_id),
  UNIQUE KEY CHANNEL_AMAZON_TREND_ACCOUNT_ID_DAY (account_id, day),
  CONSTRAINT CHANNEL_AMAZON_TREND_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Daily listing and sales snapshots';
