-- Indexes for the admin grids' sorts within a tab, so a page of 50 is read in index
-- order instead of sorting a whole tab.

ALTER TABLE channel_amazon_listing
  ADD KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_SELLER_SKU (account_id, tab, seller_sku),
  ADD KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_CALC_PRICE (account_id, tab, calc_price),
  ADD KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_STATE_CHANGED_AT (account_id, tab, state_changed_at);
