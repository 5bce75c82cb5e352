-- Products chosen for a new ASIN by rule: per account and product type, a listing-rule
-- condition tree; each run queues the Incomplete products (no ASIN) that pass it.

CREATE TABLE channel_amazon_new_asin_rule (
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  product_type varchar(64) NOT NULL COMMENT 'Amazon product type the chosen products are created under',
  rule longtext NOT NULL COMMENT 'Condition tree as JSON, in the listing rules'' language',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Created At',
  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'Updated At',
  PRIMARY KEY (account_id, product_type),
  CONSTRAINT CHANNEL_AMAZON_NEW_ASIN_RULE_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Rules choosing products for a new ASIN';
