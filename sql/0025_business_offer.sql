-- Business (B2B) prices: the business offer a listing's classification computed (its
-- price and quantity discounts as canonical JSON, NULL when none is sent) and the one
-- Amazon last acknowledged. A change in it makes the offer changed, so the price and
-- stock push sends it like any price change.

ALTER TABLE channel_amazon_listing
  ADD COLUMN calc_business varchar(512) NULL
    COMMENT 'Business offer computed from Magento and settings: price and quantity discounts as JSON' AFTER calc_condition,
  ADD COLUMN pushed_business varchar(512) NULL COMMENT 'Business offer Amazon last acknowledged' AFTER pushed_qty,
  MODIFY COLUMN offer_dirty tinyint UNSIGNED GENERATED ALWAYS AS (IF(
    amazon_status IS NOT NULL AND product_id IS NOT NULL AND tab IN ('active', 'inactive', 'ineligible')
    AND ((calc_price IS NOT NULL AND tab <> 'ineligible' AND NOT (calc_price <=> COALESCE(pushed_price, amazon_price)))
      OR (NOT (offer_qty <=> COALESCE(pushed_qty, amazon_qty)) AND fulfillment_channel = 'DEFAULT')
      OR (tab <> 'ineligible' AND NOT (calc_business <=> pushed_business))),
    1, NULL)) STORED COMMENT '1 while the wanted offer differs from the one Amazon acknowledged';
