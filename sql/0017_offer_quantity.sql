-- The quantity a listing's offer sends to Amazon, written once, in the table: nothing for
-- an offer fulfilled by Amazon (Amazon counts it), 0 while the listing is ineligible or
-- being ended, else the quantity computed from Magento. The price and stock push sends it
-- and the delta flag compares it with what Amazon acknowledged.

ALTER TABLE channel_amazon_listing
  ADD COLUMN offer_qty int GENERATED ALWAYS AS (CASE WHEN fulfillment_channel <> 'DEFAULT' THEN NULL
    WHEN tab IN ('ineligible', 'ending_in_progress') THEN 0 ELSE COALESCE(calc_qty, 0) END) STORED
    COMMENT 'Quantity the offer sends: none when fulfilled by Amazon, 0 while ineligible or ending' AFTER calc_condition,
  MODIFY COLUMN offer_dirty tinyint UNSIGNED GENERATED ALWAYS AS (IF(
    amazon_status IS NOT NULL AND product_id IS NOT NULL AND tab IN ('active', 'inactive', 'ineligible')
    AND ((calc_price IS NOT NULL AND tab <> 'ineligible' AND NOT (calc_price <=> COALESCE(pushed_price, amazon_price)))
      OR (NOT (offer_qty <=> COALESCE(pushed_qty, amazon_qty)) AND fulfillment_channel = 'DEFAULT')),
    1, NULL)) STORED COMMENT '1 while the wanted offer differs from the one Amazon acknowledged';
