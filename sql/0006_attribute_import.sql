-- When Amazon's attributes of a listing were last copied into Magento, so each cycle
-- takes the listings that waited longest.

ALTER TABLE channel_amazon_listing
  ADD COLUMN attributes_imported_at datetime NULL COMMENT 'Last attribute import from Amazon' AFTER seen_in_report_at;
