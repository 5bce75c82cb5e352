-- A full-text index on listing names, so a name search in the grids reads the index
-- instead of scanning every listing of the account with LIKE '%...%'.

ALTER TABLE channel_amazon_listing
  ADD FULLTEXT KEY CHANNEL_AMAZON_LISTING_PRODUCT_NAME_FULLTEXT (product_name);
