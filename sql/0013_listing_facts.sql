-- The facts a listing's tab is decided from, kept on the listing itself, so the tab of any
-- set of listings is decided by one statement (channel.listing_state), after a
-- classification run and after every transition that changes a listing's state.

ALTER TABLE channel_amazon_listing
  ADD COLUMN calc_condition varchar(32) NULL COMMENT 'Amazon condition_type computed from Magento and settings' AFTER calc_qty,
  ADD COLUMN in_website tinyint(1) NOT NULL DEFAULT 1 COMMENT 'The product is assigned to the account website',
  ADD COLUMN enabled tinyint(1) NOT NULL DEFAULT 1 COMMENT 'The product is enabled in Magento',
  ADD COLUMN passes_rules tinyint(1) NOT NULL DEFAULT 1 COMMENT 'The product passes the listing rule',
  ADD COLUMN has_identifier tinyint(1) NOT NULL DEFAULT 0 COMMENT 'An ASIN or a mapped barcode is known',
  ADD COLUMN is_parent tinyint(1) NOT NULL DEFAULT 0 COMMENT 'Configurable, grouped or bundle product',
  ADD COLUMN issue_text text NULL COMMENT 'Amazon error issues as one line, from amazon_issues',
  ADD COLUMN issue_suppressed tinyint(1) NOT NULL DEFAULT 0 COMMENT 'An Amazon issue suppresses the listing',
  ADD COLUMN facts_at datetime NULL COMMENT 'When the Magento facts were last read; NULL until the first classification';
