-- Feeds the exporter submitted and has not finished reading, so a cycle never waits
-- minutes for Amazon and a killed worker never loses or repeats a push.

CREATE TABLE channel_amazon_feed (
  feed_id varchar(64) NOT NULL COMMENT 'Amazon feed id',
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  kind varchar(16) NOT NULL COMMENT 'price_stock, publish or end',
  status varchar(16) NOT NULL DEFAULT 'submitted' COMMENT 'submitted, done or fatal',
  messages longtext NOT NULL COMMENT 'messageId to listing id, price and quantity sent, as JSON',
  message_count int UNSIGNED NOT NULL COMMENT 'Messages in the feed',
  accepted int UNSIGNED NULL COMMENT 'Messages Amazon accepted',
  rejected int UNSIGNED NULL COMMENT 'Messages Amazon rejected',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Submitted At',
  processed_at datetime NULL COMMENT 'When the processing report was applied',
  PRIMARY KEY (feed_id),
  KEY CHANNEL_AMAZON_FEED_ACCOUNT_ID_STATUS (account_id, status),
  CONSTRAINT CHANNEL_AMAZON_FEED_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Listings feeds in flight';
