-- The identifier Amazon's listings report gives for each listing (product-id and its
-- type), which matching compares with the mapped Magento attributes.

ALTER TABLE channel_amazon_listing
  ADD COLUMN external_id varchar(64) NULL COMMENT 'product-id from the listings report (ASIN, UPC, EAN, ISBN or GCID)' AFTER asin,
  ADD COLUMN external_id_type varchar(8) NULL COMMENT 'asin, upc, ean, isbn or gcid' AFTER external_id,
  ADD COLUMN matched_by varchar(16) NULL COMMENT 'Identifier that matched: seller_sku, asin, upc, ean, isbn, gcid or manual' AFTER match_candidates,
  ADD KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_MATCH_STATUS (account_id, match_status);
