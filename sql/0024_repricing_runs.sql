-- Repricing runs on its own schedule: each account's last run, its outcome and its failed
-- runs in a row (the alert opens from three), and when the next run is due.

ALTER TABLE channel_amazon_repricing_rule
  ADD COLUMN last_run_at datetime NULL COMMENT 'When the last scheduled run finished',
  ADD COLUMN last_run_status varchar(16) NULL COMMENT 'ok or failed',
  ADD COLUMN last_run_message varchar(1024) NULL COMMENT 'What the last run did, or why it failed',
  ADD COLUMN failures smallint UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Failed runs in a row',
  ADD COLUMN next_run_at datetime NULL COMMENT 'When the next run is due',
  ADD KEY CHANNEL_AMAZON_REPRICING_RULE_NEXT_RUN_AT (next_run_at);
