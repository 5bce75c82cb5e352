-- New products on Amazon: product type definitions kept with their version, the merchant's
-- attribute mapping per account and product type, and each product's way to a new ASIN
-- (validation result, restrictions, submission, the ASIN Amazon assigned).

CREATE TABLE channel_amazon_product_type (
  product_type_id int UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Product type definition ID',
  marketplace_id varchar(20) NOT NULL COMMENT 'Amazon marketplace id',
  product_type varchar(64) NOT NULL COMMENT 'Amazon product type name, e.g. SHIRT',
  locale varchar(16) NOT NULL COMMENT 'Locale of the definition, e.g. en_US',
  requirements varchar(32) NOT NULL DEFAULT 'LISTING' COMMENT 'LISTING, LISTING_PRODUCT_ONLY or LISTING_OFFER_ONLY',
  display_name varchar(255) NULL COMMENT 'Amazon''s name of the product type',
  version varchar(64) NOT NULL COMMENT 'productTypeVersion.version of the definition',
  schema_checksum varchar(64) NULL COMMENT 'Base64 MD5 of the schema document',
  schema_json longtext NOT NULL COMMENT 'The product type JSON schema',
  property_groups longtext NULL COMMENT 'Property groups of the definition as JSON',
  fetched_at datetime NOT NULL COMMENT 'When the definition was fetched from Amazon',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Created At',
  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'Updated At',
  PRIMARY KEY (product_type_id),
  UNIQUE KEY CHANNEL_AMAZON_PRODUCT_TYPE_MARKETPLACE_PRODUCT_TYPE_LOCALE_REQS
    (marketplace_id, product_type, locale, requirements)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Amazon product type definitions, cached';

CREATE TABLE channel_amazon_attribute_map (
  attribute_map_id int UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Attribute mapping ID',
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  product_type varchar(64) NOT NULL COMMENT 'Amazon product type name',
  amazon_attribute varchar(128) NOT NULL COMMENT 'Amazon attribute, or attribute.member (e.g. externally_assigned_product_identifier.type)',
  source varchar(16) NOT NULL COMMENT 'attribute, fixed or template',
  value text NULL COMMENT 'Magento attribute code, fixed value, or template such as {{brand}} {{name}}',
  value_map text NULL COMMENT 'Magento option label to Amazon enum value, as JSON',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Created At',
  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'Updated At',
  PRIMARY KEY (attribute_map_id),
  UNIQUE KEY CHANNEL_AMAZON_ATTR_MAP_ACCOUNT_ID_PRODUCT_TYPE_AMAZON_ATTRIBUTE (account_id, product_type, amazon_attribute),
  CONSTRAINT CHANNEL_AMAZON_ATTRIBUTE_MAP_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Amazon attributes mapped to Magento per account and product type';

CREATE TABLE channel_amazon_new_asin (
  new_asin_id bigint UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'New ASIN request ID',
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  product_id int UNSIGNED NOT NULL COMMENT 'Magento product entity_id',
  seller_sku varchar(255) NOT NULL COMMENT 'Seller SKU the product is created under',
  product_type varchar(64) NOT NULL COMMENT 'Amazon product type',
  role varchar(8) NOT NULL DEFAULT 'single' COMMENT 'single, parent (a configurable product) or child',
  parent_sku varchar(255) NULL COMMENT 'Seller SKU of the variation parent, for a child',
  variation_theme varchar(64) NULL COMMENT 'Variation theme of the family',
  status varchar(16) NOT NULL DEFAULT 'queued' COMMENT 'queued, invalid, restricted, submitted, assigned or refused',
  issues longtext NULL COMMENT 'What stops it, as JSON: [{attribute, message, code, source}]',
  submission_ref varchar(64) NULL COMMENT 'Submission id, or feed:<feed id> for a listings feed',
  asin varchar(16) NULL COMMENT 'The ASIN Amazon assigned',
  checked_at datetime NULL COMMENT 'When it was last validated',
  submitted_at datetime NULL COMMENT 'When it was sent to Amazon',
  assigned_at datetime NULL COMMENT 'When Amazon''s ASIN was seen',
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT 'Created At',
  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'Updated At',
  PRIMARY KEY (new_asin_id),
  UNIQUE KEY CHANNEL_AMAZON_NEW_ASIN_ACCOUNT_ID_PRODUCT_ID (account_id, product_id),
  UNIQUE KEY CHANNEL_AMAZON_NEW_ASIN_ACCOUNT_ID_SELLER_SKU (account_id, seller_sku),
  KEY CHANNEL_AMAZON_NEW_ASIN_ACCOUNT_ID_STATUS (account_id, status),
  CONSTRAINT CHANNEL_AMAZON_NEW_ASIN_ACCOUNT_ID_CHANNEL_AMAZON_ACCOUNT FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Magento products on their way to a new ASIN';
