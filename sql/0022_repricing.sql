-- Repricing: each account's rule, what Amazon says of the competition per ASIN (from
-- getItemOffersBatch and ANY_OFFER_CHANGED), the price in force per listing (the offer's
-- price while the price source it was decided on is unchanged) and every decision.

CREATE TABLE channel_amazon_repricing_rule (
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  rule text NOT NULL COMMENT 'JSON: strategy, floor, ceiling and what to do without competitor or at the floor',
  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP COMMENT 'Last change',
  PRIMARY KEY (account_id),
  CONSTRAINT CHANNEL_AMAZON_REPRICING_RULE_ACCOUNT_ID FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Repricing rule per account';

CREATE TABLE channel_amazon_competition (
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  asin varchar(16) NOT NULL COMMENT 'ASIN',
  buybox_price decimal(20,4) NULL COMMENT 'Buy Box listing price held by another seller',
  buybox_fba tinyint UNSIGNED NULL COMMENT '1 when that seller ships with Amazon',
  buybox_ours tinyint UNSIGNED NOT NULL DEFAULT 0 COMMENT '1 when the account holds the Buy Box',
  lowest_fba decimal(20,4) NULL COMMENT 'Lowest landed price of other sellers fulfilled by Amazon',
  lowest_mfn decimal(20,4) NULL COMMENT 'Lowest landed price of other merchant-fulfilled sellers',
  offers smallint UNSIGNED NOT NULL DEFAULT 0 COMMENT 'Other sellers offers seen',
  source varchar(32) NOT NULL COMMENT 'getItemOffersBatch or ANY_OFFER_CHANGED',
  observed_at datetime(3) NOT NULL COMMENT 'When Amazon saw these offers',
  PRIMARY KEY (account_id, asin),
  CONSTRAINT CHANNEL_AMAZON_COMPETITION_ACCOUNT_ID FOREIGN KEY (account_id)
    REFERENCES channel_amazon_account (account_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Competing offers per ASIN';

CREATE TABLE channel_amazon_repricing (
  listing_id bigint UNSIGNED NOT NULL COMMENT 'Listing ID',
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  price_source decimal(20,4) NOT NULL COMMENT 'The price rule price the decision started from',
  price decimal(20,4) NOT NULL COMMENT 'The price decided',
  decided_at datetime NOT NULL COMMENT 'When',
  PRIMARY KEY (listing_id),
  KEY CHANNEL_AMAZON_REPRICING_ACCOUNT_ID (account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Repriced offer price per listing';

CREATE TABLE channel_amazon_repricing_decision (
  decision_id bigint UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Decision ID',
  account_id int UNSIGNED NOT NULL COMMENT 'Account ID',
  listing_id bigint UNSIGNED NOT NULL COMMENT 'Listing ID',
  strategy varchar(32) NOT NULL COMMENT 'Rule strategy',
  price_source decimal(20,4) NULL COMMENT 'Price rule price',
  reference decimal(20,4) NULL COMMENT 'Competitor price the strategy followed',
  floor_price decimal(20,4) NULL COMMENT 'Floor',
  ceiling_price decimal(20,4) NULL COMMENT 'Ceiling',
  price decimal(20,4) NULL COMMENT 'Price decided, NULL when kept',
  outcome varchar(32) NOT NULL COMMENT 'followed, floor, ceiling, no_competitor, holding_buybox, no_price',
  trace varchar(512) NOT NULL COMMENT 'The decision in the merchant''s words',
  created_at datetime NOT NULL COMMENT 'When',
  PRIMARY KEY (decision_id),
  KEY CHANNEL_AMAZON_REPRICING_DECISION_LISTING_ID_DECISION_ID (listing_id, decision_id),
  KEY CHANNEL_AMAZON_REPRICING_DECISION_ACCOUNT_ID_CREATED_AT (account_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='Every repricing decision';
