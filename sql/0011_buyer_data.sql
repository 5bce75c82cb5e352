-- Buyer data is restricted by Amazon's Data Protection Policy: it is stored encrypted
-- (the columns widen for the ciphertext) and deleted 30 days after the order shipped or
-- was cancelled. An order remembers when Amazon first reported it closed and when its
-- buyer data was deleted. Rows written in clear before this version are encrypted by
-- the worker's buyer data step on its next run.

ALTER TABLE channel_amazon_order
  MODIFY COLUMN buyer_name text NULL COMMENT 'Buyer name, encrypted (restricted data)',
  MODIFY COLUMN buyer_email text NULL COMMENT 'Buyer email, encrypted (restricted data)',
  MODIFY COLUMN shipping_address text NULL COMMENT 'Delivery address as JSON, encrypted (restricted data)',
  ADD COLUMN closed_at datetime NULL COMMENT 'When Amazon first reported the order shipped or cancelled' AFTER shipment_confirmed_at,
  ADD COLUMN buyer_data_purged_at datetime NULL COMMENT 'When the buyer data was deleted' AFTER closed_at,
  ADD KEY CHANNEL_AMAZON_ORDER_CLOSED_AT (closed_at);

UPDATE channel_amazon_order SET closed_at = COALESCE(shipment_confirmed_at, last_update_date)
  WHERE amazon_status IN ('SHIPPED', 'CANCELLED') AND closed_at IS NULL;
