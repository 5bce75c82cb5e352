-- The communication log of one SKU (the product page), found through an index: log lines
-- about a listing start with its seller SKU ("MG-0001: ..."), which the database keeps in
-- a column of its own as lines are written.

ALTER TABLE channel_amazon_log
  ADD COLUMN seller_sku varchar(255) GENERATED ALWAYS AS (IF(LOCATE(': ', message) BETWEEN 2 AND 256,
    LEFT(message, LOCATE(': ', message) - 1), NULL)) STORED COMMENT 'Seller SKU the line is about (its prefix before ": ")',
  ADD KEY CHANNEL_AMAZON_LOG_ACCOUNT_ID_SELLER_SKU_LOG_ID (account_id, seller_sku, log_id);
