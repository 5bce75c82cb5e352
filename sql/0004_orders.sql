-- Amazon orders, their items and the stock reservation ledger that makes every
-- reservation happen once; the account's order cursor.

ALTER TABLE channel_amazon_account
  ADD COLUMN order_cursor datetime NULL COMMENT 'Last-updated time of the newest imported order' AFTER next_sync_at;

CREATE TABLE channel_amazon_order (
  order_id int UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Order ID',
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  amazon_order_id varchar(32) NOT NULL COMMENT 'Amazon order id',
  amazon_status varchar(32) NOT NULL COMMENT 'Amazon fulfillment status',
  fulfilled_by varchar(16) NOT NULL DEFAULT 'MERCHANT' COMMENT 'MERCHANT or AMAZON',
  purchase_date datetime NOT NULL COMMENT 'When the buyer ordered',
  last_update_date datetime NOT NULL COMMENT 'Amazon last-updated time',
  currency varchar(3) NULL COMMENT 'Currency code',
  order_total decimal(20,4) NULL COMMENT 'Grand total',
  buyer_name varchar(255) NULL COMMENT 'Buyer name (restricted data)',
  buyer_email varchar(255) NULL COMMENT 'Buyer email (restricted data)',
  shipping_address text NULL COMMENT 'Delivery address as JSON (restricted data)',
  magento_status varchar(16) NOT NULL DEFAULT 'pending' COMMENT 'pending, offered, created, failed or skipped',
  magento_order_id int UNSIGNED NULL COMMENT 'sales_order.entity_id once created',
  magento_increment_id varchar(50) NULL COMMENT 'Magento order number once created',
  magento_failure_reason varchar(32) NULL COMMENT 'product_missing, product_disabled, out_of_stock, address_invalid or other',
  magento_failure_message text NULL COMMENT 'What the merchant can do',
  magento_attempts smallint UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Creation attempts so far',
  shipment_status varchar(16) NOT NULL DEFAULT 'none' COMMENT 'none, confirmed or failed',
  shipment_message varchar(1024) NULL COMMENT 'Outcome of the shipment confirmation',
  shipment_confirmed_at datetime NULL COMMENT 'When Amazon accepted the shipment',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Imported At',
  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'Updated At',
  PRIMARY KEY (order_id),
  UNIQUE KEY CHANNEL_AMAZON_ORDER_ACCOUNT_ID_AMAZON_ORDER_ID (account_id, amazon_order_id),
  KEY CHANNEL_AMAZON_ORDER_MAGENTO_STATUS (magento_status),
  KEY CHANNEL_AMAZON_ORDER_ACCOUNT_ID_PURCHASE_DATE (account_id, purchase_date),
  CONSTRAINT CHANNEL_AMAZON_ORDER_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Amazon orders';

CREATE TABLE channel_amazon_order_item (
  item_id int UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Item ID',
  order_id int UNSIGNED NOT NULL COMMENT 'Order ID',
  amazon_order_item_id varchar(64) NOT NULL COMMENT 'Amazon order item id',
  seller_sku varchar(255) NOT NULL COMMENT 'Seller SKU',
  asin varchar(16) NULL COMMENT 'ASIN',
  product_id int UNSIGNED NULL COMMENT 'Magento product entity_id',
  magento_sku varchar(64) NULL COMMENT 'Magento SKU',
  title varchar(500) NULL COMMENT 'Title on Amazon',
  qty_ordered int UNSIGNED NOT NULL COMMENT 'Quantity ordered',
  price decimal(20,4) NULL COMMENT 'Unit price',
  PRIMARY KEY (item_id),
  UNIQUE KEY CHANNEL_AMAZON_ORDER_ITEM_ORDER_ID_AMAZON_ORDER_ITEM_ID (order_id, amazon_order_item_id),
  CONSTRAINT CHANNEL_AMAZON_ORDER_ITEM_ORDER_ID_CHANNEL_AMAZON_ORDER FOREIGN KEY (order_id)
    REFERENCES channel_amazon_order (order_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Amazon order items';

CREATE TABLE channel_amazon_reservation (
  reservation_id int UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Ledger ID',
  item_id int UNSIGNED NOT NULL COMMENT 'Order item the stock is held for',
  kind varchar(16) NOT NULL COMMENT 'reserve, release_cancel or release_created',
  stock_model varchar(8) NOT NULL COMMENT 'msi or legacy',
  stock_id int UNSIGNED NOT NULL COMMENT 'MSI stock id, or 1 for legacy stock',
  sku varchar(64) NOT NULL COMMENT 'Magento SKU',
  quantity decimal(12,4) NOT NULL COMMENT 'Signed quantity written',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Written At',
  PRIMARY KEY (reservation_id),
  UNIQUE KEY CHANNEL_AMAZON_RESERVATION_ITEM_ID_KIND (item_id, kind),
  CONSTRAINT CHANNEL_AMAZON_RESERVATION_ITEM_ID_CHANNEL_AMAZON_ORDER_ITEM FOREIGN KEY (item_id)
    REFERENCES channel_amazon_order_item (item_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Stock reserved for Amazon orders, once per item';
