-- A tab's rows of one reason in price order (the grid's reason filter with its price sort)
-- read from one index: a page at any offset counts its rows off the index alone and reads
-- only its own 50 rows, and a page after a cursor seeks it. The index of (account, tab,
-- reason) it replaces is its prefix, so every query that used that one uses this one.

ALTER TABLE channel_amazon_listing
  DROP KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_REASON,
  ADD KEY CHANNEL_AMAZON_LISTING_ACCOUNT_ID_TAB_REASON_CALC_PRICE (account_id, tab, reason, calc_price);
