-- Listings whose offer (price, quantity) differs from what Amazon last acknowledged, kept
-- by the database itself so the price and stock push finds them through an index
-- instead of comparing every listing of the account.

ALTER TABLE channel_amazon_listing
  ADD COLUMN offer_dirty tinyint UNSIGNED GENERATED ALWAYS AS (IF(
    amazon_status IS NOT NULL AND product_id IS NOT NULL AND tab IN ('active', 'inactive', 'ineligible')
    AND ((calc_price IS NOT NULL AND tab <> 'ineligible' AND NOT (calc_price <=> COALESCE(pushed_price, amazon_price)))
      OR (NOT ((CASE WHEN fulfillment_channel <> 'DEFAULT' THEN NULL WHEN tab IN ('ineligible', 'ending_in_progress')
                THEN 0 ELSE COALESCE(calc_qty, 0) END) <=> COALESCE(pushed_qty, amazon_qty))
          AND fulfillment_channel = 'DEFAULT')),
    1, NULL)) STORED COMMENT '1 while the wanted offer differs from the one Amazon acknowledged',
  ADD KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_OFFER_DIRTY (account_id, offer_dirty);
