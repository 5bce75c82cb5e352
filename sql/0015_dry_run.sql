-- Dry run: the Amazon calls the worker would have made for an account while its dry run
-- was on (account setting ``dry_run``), recorded instead of sent, with their bodies, so
-- the merchant sees exactly what would have gone to Amazon. Found per account in time
-- order and per seller SKU for the product page.

CREATE TABLE channel_amazon_dry_run_call (
  call_id bigint UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Call ID',
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  operation varchar(64) NOT NULL COMMENT 'SP-API operation, or the feed document upload',
  method varchar(8) NOT NULL COMMENT 'HTTP method',
  path varchar(1024) NOT NULL COMMENT 'Path (and query) the call would have gone to',
  seller_sku varchar(255) NULL COMMENT 'Seller SKU a listings call is about',
  body longtext NULL COMMENT 'Request body as it would have been sent',
  job_id varchar(64) NULL COMMENT 'Worker job id',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'When the call was recorded',
  PRIMARY KEY (call_id),
  KEY CHANNEL_AMAZON_DRY_RUN_CALL_ACCOUNT_ID_CALL_ID (account_id, call_id),
  KEY CHANNEL_AMAZON_DRY_RUN_CALL_ACCOUNT_ID_SELLER_SKU_CALL_ID (account_id, seller_sku, call_id),
  CONSTRAINT CHANNEL_AMAZON_DRY_RUN_CALL_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Amazon calls recorded instead of sent in dry run';
