-- The orders list filters and sorts on large order tables: by creation state, Amazon
-- status and fulfillment within a date range, by total, and finds an order by its
-- Magento order. An order's timeline: every change of its Amazon status, its creation
-- state in Magento (with the attempt and the reason) and its shipment status, and every
-- package confirmation sent and answered, recorded by the database itself whichever
-- process changes the row.

ALTER TABLE channel_amazon_order
  DROP KEY CHANNEL_AMAZON_ORDER_MAGENTO_STATUS,
  ADD KEY CHANNEL_AMAZON_ORDER_MAGENTO_STATUS_PURCHASE_DATE (magento_status, purchase_date),
  ADD KEY CHANNEL_AMAZON_ORDER_AMAZON_STATUS_PURCHASE_DATE (amazon_status, purchase_date),
  ADD KEY CHANNEL_AMAZON_ORDER_FULFILLED_BY_PURCHASE_DATE (fulfilled_by, purchase_date),
  ADD KEY CHANNEL_AMAZON_ORDER_PURCHASE_DATE (purchase_date),
  ADD KEY CHANNEL_AMAZON_ORDER_ORDER_TOTAL (order_total),
  ADD KEY CHANNEL_AMAZON_ORDER_MAGENTO_ORDER_ID (magento_order_id);

CREATE TABLE channel_amazon_order_event (
  event_id bigint UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Event ID',
  order_id int UNSIGNED NOT NULL COMMENT 'Amazon order (channel_amazon_order.order_id)',
  subject varchar(16) NOT NULL COMMENT 'amazon, magento, shipment or package',
  reference varchar(32) NULL COMMENT 'Package reference for package events',
  from_status varchar(32) NULL COMMENT 'Status before (NULL when the order or package was new)',
  to_status varchar(32) NOT NULL COMMENT 'Status after',
  attempts smallint UNSIGNED NULL COMMENT 'Creation attempts or confirmations sent so far',
  reason varchar(32) NULL COMMENT 'Failure reason code at the time',
  detail varchar(1024) NULL COMMENT 'Message at the time',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'When it happened',
  PRIMARY KEY (event_id),
  KEY CHANNEL_AMAZON_ORDER_EVENT_ORDER_ID_EVENT_ID (order_id, event_id),
  CONSTRAINT CHANNEL_AMAZON_ORDER_EVENT_ORDER_ID_CHANNEL_AMAZON_ORDER FOREIGN KEY (order_id)
    REFERENCES channel_amazon_order (order_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='What happened to an Amazon order';

CREATE TRIGGER channel_amazon_order_event_new AFTER INSERT ON channel_amazon_order FOR EACH ROW
  INSERT INTO channel_amazon_order_event (order_id, subject, from_status, to_status, attempts, reason, detail)
  SELECT NEW.order_id, 'amazon', NULL, NEW.amazon_status, NULL, NULL, NULL
  UNION ALL SELECT NEW.order_id, 'magento', NULL, NEW.magento_status, NEW.magento_attempts,
    NEW.magento_failure_reason, LEFT(NEW.magento_failure_message, 1024);

CREATE TRIGGER channel_amazon_order_event_change AFTER UPDATE ON channel_amazon_order FOR EACH ROW
  INSERT INTO channel_amazon_order_event (order_id, subject, from_status, to_status, attempts, reason, detail)
  SELECT NEW.order_id, 'amazon', OLD.amazon_status, NEW.amazon_status, NULL, NULL, NULL FROM DUAL
    WHERE NOT (OLD.amazon_status <=> NEW.amazon_status)
  UNION ALL SELECT NEW.order_id, 'magento', OLD.magento_status, NEW.magento_status, NEW.magento_attempts,
    NEW.magento_failure_reason, LEFT(NEW.magento_failure_message, 1024) FROM DUAL
    WHERE NOT (OLD.magento_status <=> NEW.magento_status) OR NOT (OLD.magento_attempts <=> NEW.magento_attempts)
  UNION ALL SELECT NEW.order_id, 'shipment', OLD.shipment_status, NEW.shipment_status, NULL, NULL,
    NEW.shipment_message FROM DUAL WHERE NOT (OLD.shipment_status <=> NEW.shipment_status);

CREATE TRIGGER channel_amazon_order_event_package AFTER INSERT ON channel_amazon_shipment FOR EACH ROW
  INSERT INTO channel_amazon_order_event (order_id, subject, reference, from_status, to_status, attempts, detail)
  VALUES (NEW.order_id, 'package', NEW.package_reference_id, NULL, NEW.status, NEW.attempts,
    LEFT(CONCAT_WS(' ', NEW.carrier_code, NEW.tracking_number), 1024));

CREATE TRIGGER channel_amazon_order_event_package_change AFTER UPDATE ON channel_amazon_shipment FOR EACH ROW
  INSERT INTO channel_amazon_order_event (order_id, subject, reference, from_status, to_status, attempts, detail)
  SELECT NEW.order_id, 'package', NEW.package_reference_id, OLD.status, NEW.status, NEW.attempts, NEW.message
  FROM DUAL WHERE NOT (OLD.status <=> NEW.status) OR NOT (OLD.attempts <=> NEW.attempts)
    OR NOT (OLD.message <=> NEW.message);
