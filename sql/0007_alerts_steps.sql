-- What the merchant must act on (alerts), the outcome of each step of an account's
-- cycle, listings reports held back because they did not look complete, and the
-- checks a feed processing report must pass before anything counts as applied.

CREATE TABLE channel_amazon_alert (
  alert_id int UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Alert ID',
  account_id int UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Account ID, 0 for the whole installation',
  code varchar(64) NOT NULL COMMENT 'Stable code, e.g. report_held, rule_invalid, credentials_rejected',
  severity varchar(16) NOT NULL DEFAULT 'error' COMMENT 'error or warning',
  message varchar(1024) NOT NULL COMMENT 'What happened, in the merchant''s words',
  action varchar(1024) NOT NULL DEFAULT '' COMMENT 'What to do about it',
  details text NULL COMMENT 'JSON with the facts behind the alert',
  started_at datetime NOT NULL COMMENT 'When the cause was first seen',
  updated_at datetime NOT NULL COMMENT 'When the cause was last seen',
  cleared_at datetime NULL COMMENT 'When the cause went away; NULL while active',
  active_key tinyint UNSIGNED GENERATED ALWAYS AS (IF(cleared_at IS NULL, 1, NULL)) STORED COMMENT '1 while active, for uniqueness',
  PRIMARY KEY (alert_id),
  UNIQUE KEY CHANNEL_AMAZON_ALERT_ACCOUNT_ID_CODE_ACTIVE_KEY (account_id, code, active_key),
  KEY CHANNEL_AMAZON_ALERT_CLEARED_AT (cleared_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Alerts the merchant sees in the admin';

CREATE TABLE channel_amazon_sync_step (
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  step varchar(32) NOT NULL COMMENT 'import, match, asin_lookup, classify, publish, attributes, price_stock, record',
  status varchar(16) NOT NULL COMMENT 'ok, held, failed, retry or skipped',
  message varchar(1024) NOT NULL DEFAULT '' COMMENT 'Outcome in words',
  started_at datetime NOT NULL COMMENT 'When the step last ran',
  finished_at datetime NULL COMMENT 'When the step last finished',
  last_ok_at datetime NULL COMMENT 'When the step last succeeded',
  failures int UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Failures in a row',
  PRIMARY KEY (account_id, step),
  CONSTRAINT CHANNEL_AMAZON_SYNC_STEP_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Outcome of each step of the sync cycle';

CREATE TABLE channel_amazon_held_report (
  held_report_id int UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Held Report ID',
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  report_id varchar(64) NOT NULL COMMENT 'Amazon report id',
  document_id varchar(255) NOT NULL COMMENT 'Amazon report document id',
  reason varchar(32) NOT NULL COMMENT 'truncated, short_row, too_few_rows or empty',
  message varchar(1024) NOT NULL COMMENT 'Why the report was held, in words',
  rows_read int UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Complete rows in the report',
  rows_expected int UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Listings live on Amazon as we knew them',
  held_at datetime NOT NULL COMMENT 'When the report was held',
  accepted_at datetime NULL COMMENT 'When the merchant accepted it',
  accepted_by varchar(255) NULL COMMENT 'Admin user who accepted it',
  applied_at datetime NULL COMMENT 'When an accepted report was applied',
  superseded_at datetime NULL COMMENT 'When a later complete report made it moot',
  PRIMARY KEY (held_report_id),
  KEY CHANNEL_AMAZON_HELD_REPORT_ACCOUNT_ID (account_id),
  CONSTRAINT CHANNEL_AMAZON_HELD_REPORT_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Listings reports held back';

ALTER TABLE channel_amazon_feed
  ADD COLUMN report_attempts int UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Processing reports that could not be read',
  ADD COLUMN verified int UNSIGNED NULL COMMENT 'Messages confirmed one by one with getListingsItem';
