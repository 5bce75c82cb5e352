-- Amazon's notifications (Notifications API to an SQS queue): each account's subscription
-- and its health, the notifications applied (their ids make a redelivered one harmless),
-- and the time of the last event applied per listing and type (an older one arriving
-- late is ignored).

CREATE TABLE channel_amazon_notification_subscription (
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  enabled tinyint UNSIGNED NOT NULL DEFAULT 0 COMMENT 'The merchant wants notifications for this account',
  queue_arn varchar(1000) NULL COMMENT 'ARN of the SQS queue Amazon delivers to',
  queue_url varchar(1000) NULL COMMENT 'URL of that queue, as the worker reads it',
  destination_id varchar(64) NULL COMMENT 'Amazon destination of the queue',
  subscriptions text NULL COMMENT 'JSON: notification type to Amazon subscription id',
  status varchar(16) NOT NULL DEFAULT 'off' COMMENT 'off, pending, live or fallback',
  status_message varchar(1024) NULL COMMENT 'Why the status is what it is',
  last_event_at datetime NULL COMMENT 'When the last notification for the account was applied',
  last_poll_at datetime NULL COMMENT 'When the queue last answered the worker',
  checked_at datetime NULL COMMENT 'When the subscriptions were last confirmed with Amazon',
  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'Last change',
  PRIMARY KEY (account_id),
  CONSTRAINT CHANNEL_AMAZON_NOTIFICATION_SUBSCRIPTION_ACCOUNT_ID FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Notification subscription per account';

CREATE TABLE channel_amazon_notification (
  notification_id varchar(64) NOT NULL COMMENT 'Amazon NotificationId',
  account_id int UNSIGNED NULL COMMENT 'Account ID, NULL when no account matched',
  notification_type varchar(64) NOT NULL COMMENT 'Amazon notification type',
  event_time datetime(3) NULL COMMENT 'EventTime of the notification',
  outcome varchar(32) NOT NULL COMMENT 'applied, stale, unknown_listing, unknown_account, ignored',
  applied_at datetime NOT NULL COMMENT 'When it was applied',
  PRIMARY KEY (notification_id),
  KEY CHANNEL_AMAZON_NOTIFICATION_APPLIED_AT (applied_at),
  KEY CHANNEL_AMAZON_NOTIFICATION_ACCOUNT_ID_APPLIED_AT (account_id, applied_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Notifications applied, once each';

CREATE TABLE channel_amazon_listing_event (
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  seller_sku varchar(255) NOT NULL COMMENT 'Amazon seller SKU',
  notification_type varchar(64) NOT NULL COMMENT 'Amazon notification type',
  event_time datetime(3) NOT NULL COMMENT 'EventTime of the newest notification applied',
  PRIMARY KEY (account_id, seller_sku, notification_type),
  CONSTRAINT CHANNEL_AMAZON_LISTING_EVENT_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Newest notification applied per listing';
