-- Orders run as a job of their own: its schedule and outcome on the account, the
-- checkpoint of an order search in progress (so a backlog clears a page at a time),
-- and one row per package confirmed to Amazon (so a confirmation is sent once, with
-- the items and quantities of that package, and checked before any re-send).

ALTER TABLE channel_amazon_account
  ADD COLUMN orders_last_run_at datetime NULL COMMENT 'When the orders job last ran' AFTER order_cursor,
  ADD COLUMN orders_status varchar(16) NULL COMMENT 'ok, failed, retry or skipped: outcome of the last orders run' AFTER orders_last_run_at,
  ADD COLUMN orders_message varchar(1024) NULL COMMENT 'What the last orders run did, or why it failed' AFTER orders_status,
  ADD COLUMN orders_next_run_at datetime NULL COMMENT 'When the tick queues the orders job again' AFTER orders_message,
  ADD COLUMN order_search_after varchar(32) NULL COMMENT 'lastUpdatedAfter of the order search being paged through' AFTER orders_next_run_at,
  ADD COLUMN order_search_token text NULL COMMENT 'Next page token of that search (valid 24 hours)' AFTER order_search_after,
  ADD COLUMN order_search_saved_at datetime NULL COMMENT 'When the page token was saved' AFTER order_search_token;

CREATE TABLE channel_amazon_shipment (
  shipment_id int UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Shipment ID',
  order_id int UNSIGNED NOT NULL COMMENT 'Amazon order (channel_amazon_order.order_id)',
  magento_shipment_id int UNSIGNED NOT NULL COMMENT 'sales_shipment.entity_id',
  package_reference_id varchar(20) NOT NULL COMMENT 'Positive number identifying the package within the order',
  carrier_code varchar(64) NOT NULL COMMENT 'Amazon carrier code',
  carrier_name varchar(255) NULL COMMENT 'Carrier name, sent when the carrier code is Other',
  shipping_method varchar(255) NULL COMMENT 'Shipping method',
  tracking_number varchar(255) NOT NULL COMMENT 'Tracking number',
  ship_date datetime NOT NULL COMMENT 'When the package was shipped (UTC)',
  items text NOT NULL COMMENT 'Amazon order item ids and quantities in the package, as JSON',
  status varchar(16) NOT NULL DEFAULT 'pending' COMMENT 'pending, unknown (sent, outcome not known), confirmed, failed or skipped (nothing left to ship)',
  message varchar(1024) NULL COMMENT 'Outcome as Amazon gave it',
  attempts smallint UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Confirmations sent',
  sent_at datetime NULL COMMENT 'When the last confirmation was sent',
  confirmed_at datetime NULL COMMENT 'When Amazon accepted or showed the package',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Created At',
  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'Updated At',
  PRIMARY KEY (shipment_id),
  UNIQUE KEY CHANNEL_AMAZON_SHIPMENT_ORDER_ID_PACKAGE_REFERENCE_ID (order_id, package_reference_id),
  KEY CHANNEL_AMAZON_SHIPMENT_STATUS (status),
  CONSTRAINT CHANNEL_AMAZON_SHIPMENT_ORDER_ID_CHANNEL_AMAZON_ORDER FOREIGN KEY (order_id)
    REFERENCES channel_amazon_order (order_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Packages confirmed to Amazon';
