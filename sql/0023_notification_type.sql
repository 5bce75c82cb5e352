-- The admin's notifications section reads, per account and notification type, the last
-- event received and the events of the last hour: an index that answers both without
-- reading the account's other types.

ALTER TABLE channel_amazon_notification
  ADD KEY CHANNEL_AMAZON_NOTIFICATION_ACCOUNT_ID_TYPE_APPLIED_AT (account_id, notification_type, applied_at);
