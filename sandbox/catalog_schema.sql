-- The Magento 2.4 core tables the channel reads and writes, Open Source shape.
--
-- Column names, types and nullability follow Magento's declarative schema
-- (db_schema.xml of Magento_Store, Magento_Eav, Magento_Catalog, Magento_CatalogInventory,
-- Magento_Inventory*, Magento_Sales). Only the columns the channel touches are
-- kept for the wide sales tables. No foreign keys: this is a fixture for the demo, tests
-- and benchmarks. `__PREFIX__` is replaced by the install's table prefix. The Adobe
-- Commerce shape (row_id, staging) is derived from this file by sandbox.catalog.

CREATE TABLE `__PREFIX__store_website` (
  `website_id` smallint UNSIGNED NOT NULL AUTO_INCREMENT,
  `code` varchar(32) NULL,
  `name` varchar(64) NULL,
  `sort_order` smallint UNSIGNED NOT NULL DEFAULT 0,
  `default_group_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_default` smallint UNSIGNED NULL DEFAULT 0,
  PRIMARY KEY (`website_id`),
  UNIQUE KEY `STORE_WEBSITE_CODE` (`code`),
  KEY `STORE_WEBSITE_SORT_ORDER` (`sort_order`),
  KEY `STORE_WEBSITE_DEFAULT_GROUP_ID` (`default_group_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__store_group` (
  `group_id` smallint UNSIGNED NOT NULL AUTO_INCREMENT,
  `website_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `name` varchar(255) NOT NULL,
  `root_category_id` int UNSIGNED NOT NULL DEFAULT 0,
  `default_store_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `code` varchar(32) NULL,
  PRIMARY KEY (`group_id`),
  UNIQUE KEY `STORE_GROUP_CODE` (`code`),
  KEY `STORE_GROUP_WEBSITE_ID` (`website_id`),
  KEY `STORE_GROUP_DEFAULT_STORE_ID` (`default_store_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__sales_order_status` (
  `status` varchar(32) NOT NULL,
  `label` varchar(128) NOT NULL,
  PRIMARY KEY (`status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__sales_order_status_state` (
  `status` varchar(32) NOT NULL,
  `state` varchar(32) NOT NULL,
  `is_default` smallint UNSIGNED NOT NULL DEFAULT 0,
  `visible_on_front` smallint UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (`status`, `state`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__store` (
  `store_id` smallint UNSIGNED NOT NULL AUTO_INCREMENT,
  `code` varchar(32) NULL,
  `website_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `group_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `name` varchar(255) NOT NULL,
  `sort_order` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_active` smallint UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (`store_id`),
  UNIQUE KEY `STORE_CODE` (`code`),
  KEY `STORE_WEBSITE_ID` (`website_id`),
  KEY `STORE_IS_ACTIVE_SORT_ORDER` (`is_active`, `sort_order`),
  KEY `STORE_GROUP_ID` (`group_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__core_config_data` (
  `config_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `scope` varchar(8) NOT NULL DEFAULT 'default',
  `scope_id` int NOT NULL DEFAULT 0,
  `path` varchar(255) NOT NULL DEFAULT 'general',
  `value` text NULL,
  `updated_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`config_id`),
  UNIQUE KEY `CORE_CONFIG_DATA_SCOPE_SCOPE_ID_PATH` (`scope`, `scope_id`, `path`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__eav_entity_type` (
  `entity_type_id` smallint UNSIGNED NOT NULL AUTO_INCREMENT,
  `entity_type_code` varchar(50) NOT NULL,
  `entity_model` varchar(255) NOT NULL,
  `attribute_model` varchar(255) NULL,
  `entity_table` varchar(255) NULL,
  `value_table_prefix` varchar(255) NULL,
  `entity_id_field` varchar(255) NULL,
  `is_data_sharing` smallint UNSIGNED NOT NULL DEFAULT 1,
  `default_attribute_set_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `increment_model` varchar(255) NULL,
  `increment_per_store` smallint UNSIGNED NOT NULL DEFAULT 0,
  `increment_pad_length` smallint UNSIGNED NOT NULL DEFAULT 8,
  `increment_pad_char` varchar(1) NOT NULL DEFAULT '0',
  `additional_attribute_table` varchar(255) NULL,
  `entity_attribute_collection` varchar(255) NULL,
  PRIMARY KEY (`entity_type_id`),
  KEY `EAV_ENTITY_TYPE_ENTITY_TYPE_CODE` (`entity_type_code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__eav_attribute` (
  `attribute_id` smallint UNSIGNED NOT NULL AUTO_INCREMENT,
  `entity_type_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `attribute_code` varchar(255) NOT NULL,
  `attribute_model` varchar(255) NULL,
  `backend_model` varchar(255) NULL,
  `backend_type` varchar(8) NOT NULL DEFAULT 'static',
  `backend_table` varchar(255) NULL,
  `frontend_model` varchar(255) NULL,
  `frontend_input` varchar(50) NULL,
  `frontend_label` varchar(255) NULL,
  `frontend_class` varchar(255) NULL,
  `source_model` varchar(255) NULL,
  `is_required` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_user_defined` smallint UNSIGNED NOT NULL DEFAULT 0,
  `default_value` text NULL,
  `is_unique` smallint UNSIGNED NOT NULL DEFAULT 0,
  `note` varchar(255) NULL,
  PRIMARY KEY (`attribute_id`),
  UNIQUE KEY `EAV_ATTRIBUTE_ENTITY_TYPE_ID_ATTRIBUTE_CODE` (`entity_type_id`, `attribute_code`),
  KEY `EAV_ATTRIBUTE_FRONTEND_INPUT_ENTITY_TYPE_ID_IS_USER_DEFINED` (`frontend_input`, `entity_type_id`, `is_user_defined`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__eav_attribute_set` (
  `attribute_set_id` smallint UNSIGNED NOT NULL AUTO_INCREMENT,
  `entity_type_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `attribute_set_name` varchar(255) NULL,
  `sort_order` smallint NOT NULL DEFAULT 0,
  PRIMARY KEY (`attribute_set_id`),
  UNIQUE KEY `EAV_ATTRIBUTE_SET_ENTITY_TYPE_ID_ATTRIBUTE_SET_NAME` (`entity_type_id`, `attribute_set_name`),
  KEY `EAV_ATTRIBUTE_SET_ENTITY_TYPE_ID_SORT_ORDER` (`entity_type_id`, `sort_order`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__eav_entity_attribute` (
  `entity_attribute_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `entity_type_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `attribute_set_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `attribute_group_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `attribute_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `sort_order` smallint NOT NULL DEFAULT 0,
  PRIMARY KEY (`entity_attribute_id`),
  UNIQUE KEY `EAV_ENTITY_ATTRIBUTE_ATTRIBUTE_SET_ID_ATTRIBUTE_ID` (`attribute_set_id`, `attribute_id`),
  UNIQUE KEY `EAV_ENTITY_ATTRIBUTE_ATTRIBUTE_GROUP_ID_ATTRIBUTE_ID` (`attribute_group_id`, `attribute_id`),
  KEY `EAV_ENTITY_ATTRIBUTE_ATTRIBUTE_SET_ID_SORT_ORDER` (`attribute_set_id`, `sort_order`),
  KEY `EAV_ENTITY_ATTRIBUTE_ATTRIBUTE_ID` (`attribute_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__eav_attribute_option` (
  `option_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `attribute_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `sort_order` smallint UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (`option_id`),
  KEY `EAV_ATTRIBUTE_OPTION_ATTRIBUTE_ID` (`attribute_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__eav_attribute_option_value` (
  `value_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `option_id` int UNSIGNED NOT NULL DEFAULT 0,
  `store_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `value` varchar(255) NULL,
  PRIMARY KEY (`value_id`),
  UNIQUE KEY `EAV_ATTRIBUTE_OPTION_VALUE_STORE_ID_OPTION_ID` (`store_id`, `option_id`),
  KEY `EAV_ATTRIBUTE_OPTION_VALUE_OPTION_ID` (`option_id`),
  KEY `EAV_ATTRIBUTE_OPTION_VALUE_STORE_ID` (`store_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_eav_attribute` (
  `attribute_id` smallint UNSIGNED NOT NULL,
  `frontend_input_renderer` varchar(255) NULL,
  `is_global` smallint UNSIGNED NOT NULL DEFAULT 1,
  `is_visible` smallint UNSIGNED NOT NULL DEFAULT 1,
  `is_searchable` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_filterable` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_comparable` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_visible_on_front` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_html_allowed_on_front` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_used_for_price_rules` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_filterable_in_search` smallint UNSIGNED NOT NULL DEFAULT 0,
  `used_in_product_listing` smallint UNSIGNED NOT NULL DEFAULT 0,
  `used_for_sort_by` smallint UNSIGNED NOT NULL DEFAULT 0,
  `apply_to` varchar(255) NULL,
  `is_visible_in_advanced_search` smallint UNSIGNED NOT NULL DEFAULT 0,
  `position` int NOT NULL DEFAULT 0,
  `is_wysiwyg_enabled` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_used_for_promo_rules` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_required_in_admin_store` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_used_in_grid` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_visible_in_grid` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_filterable_in_grid` smallint UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (`attribute_id`),
  KEY `CATALOG_EAV_ATTRIBUTE_USED_FOR_SORT_BY` (`used_for_sort_by`),
  KEY `CATALOG_EAV_ATTRIBUTE_USED_IN_PRODUCT_LISTING` (`used_in_product_listing`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_product_entity` (
  `entity_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `attribute_set_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `type_id` varchar(32) NOT NULL DEFAULT 'simple',
  `sku` varchar(64) NOT NULL,
  `has_options` smallint NOT NULL DEFAULT 0,
  `required_options` smallint UNSIGNED NOT NULL DEFAULT 0,
  `created_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`entity_id`),
  KEY `CATALOG_PRODUCT_ENTITY_ATTRIBUTE_SET_ID` (`attribute_set_id`),
  KEY `CATALOG_PRODUCT_ENTITY_SKU` (`sku`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_product_entity_varchar` (
  `value_id` int NOT NULL AUTO_INCREMENT,
  `attribute_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `store_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `entity_id` int UNSIGNED NOT NULL DEFAULT 0,
  `value` varchar(255) NULL,
  PRIMARY KEY (`value_id`),
  UNIQUE KEY `CATALOG_PRODUCT_ENTITY_VARCHAR_ENTITY_ID_ATTRIBUTE_ID_STORE_ID` (`entity_id`, `attribute_id`, `store_id`),
  KEY `CATALOG_PRODUCT_ENTITY_VARCHAR_ATTRIBUTE_ID` (`attribute_id`),
  KEY `CATALOG_PRODUCT_ENTITY_VARCHAR_STORE_ID` (`store_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_product_entity_int` (
  `value_id` int NOT NULL AUTO_INCREMENT,
  `attribute_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `store_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `entity_id` int UNSIGNED NOT NULL DEFAULT 0,
  `value` int NULL,
  PRIMARY KEY (`value_id`),
  UNIQUE KEY `CATALOG_PRODUCT_ENTITY_INT_ENTITY_ID_ATTRIBUTE_ID_STORE_ID` (`entity_id`, `attribute_id`, `store_id`),
  KEY `CATALOG_PRODUCT_ENTITY_INT_ATTRIBUTE_ID` (`attribute_id`),
  KEY `CATALOG_PRODUCT_ENTITY_INT_STORE_ID` (`store_id`),
  KEY `CATALOG_PRODUCT_ENTITY_INT_ATTRIBUTE_ID_STORE_ID_VALUE` (`attribute_id`, `store_id`, `value`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_product_entity_decimal` (
  `value_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `attribute_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `store_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `entity_id` int UNSIGNED NOT NULL DEFAULT 0,
  `value` decimal(20,6) NULL,
  PRIMARY KEY (`value_id`),
  UNIQUE KEY `CATALOG_PRODUCT_ENTITY_DECIMAL_ENTITY_ID_ATTRIBUTE_ID_STORE_ID` (`entity_id`, `attribute_id`, `store_id`),
  KEY `CATALOG_PRODUCT_ENTITY_DECIMAL_STORE_ID` (`store_id`),
  KEY `CATALOG_PRODUCT_ENTITY_DECIMAL_ATTRIBUTE_ID` (`attribute_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__customer_group` (
  `customer_group_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `customer_group_code` varchar(32) NOT NULL,
  `tax_class_id` int UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (`customer_group_id`),
  KEY `CUSTOMER_GROUP_CUSTOMER_GROUP_CODE` (`customer_group_code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_product_entity_tier_price` (
  `value_id` int NOT NULL AUTO_INCREMENT,
  `entity_id` int UNSIGNED NOT NULL DEFAULT 0,
  `all_groups` smallint UNSIGNED NOT NULL DEFAULT 1,
  `customer_group_id` int UNSIGNED NOT NULL DEFAULT 0,
  `qty` decimal(12,4) NOT NULL DEFAULT 1,
  `value` decimal(20,6) NOT NULL DEFAULT 0,
  `website_id` smallint UNSIGNED NOT NULL,
  `percentage_value` decimal(5,2) NULL,
  PRIMARY KEY (`value_id`),
  UNIQUE KEY `UNQ_E8AB433B9ACB00343ABB312AD2FAB087` (`entity_id`, `all_groups`, `customer_group_id`, `qty`, `website_id`),
  KEY `CATALOG_PRODUCT_ENTITY_TIER_PRICE_CUSTOMER_GROUP_ID` (`customer_group_id`),
  KEY `CATALOG_PRODUCT_ENTITY_TIER_PRICE_WEBSITE_ID` (`website_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_product_entity_text` (
  `value_id` int NOT NULL AUTO_INCREMENT,
  `attribute_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `store_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `entity_id` int UNSIGNED NOT NULL DEFAULT 0,
  `value` mediumtext NULL,
  PRIMARY KEY (`value_id`),
  UNIQUE KEY `CATALOG_PRODUCT_ENTITY_TEXT_ENTITY_ID_ATTRIBUTE_ID_STORE_ID` (`entity_id`, `attribute_id`, `store_id`),
  KEY `CATALOG_PRODUCT_ENTITY_TEXT_ATTRIBUTE_ID` (`attribute_id`),
  KEY `CATALOG_PRODUCT_ENTITY_TEXT_STORE_ID` (`store_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_product_entity_datetime` (
  `value_id` int NOT NULL AUTO_INCREMENT,
  `attribute_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `store_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `entity_id` int UNSIGNED NOT NULL DEFAULT 0,
  `value` datetime NULL,
  PRIMARY KEY (`value_id`),
  UNIQUE KEY `CATALOG_PRODUCT_ENTITY_DATETIME_ENTITY_ID_ATTRIBUTE_ID_STORE_ID` (`entity_id`, `attribute_id`, `store_id`),
  KEY `CATALOG_PRODUCT_ENTITY_DATETIME_ATTRIBUTE_ID` (`attribute_id`),
  KEY `CATALOG_PRODUCT_ENTITY_DATETIME_STORE_ID` (`store_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_product_website` (
  `product_id` int UNSIGNED NOT NULL,
  `website_id` smallint UNSIGNED NOT NULL,
  PRIMARY KEY (`product_id`, `website_id`),
  KEY `CATALOG_PRODUCT_WEBSITE_WEBSITE_ID` (`website_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_product_super_attribute` (
  `product_super_attribute_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `product_id` int UNSIGNED NOT NULL DEFAULT 0,
  `attribute_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `position` smallint UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (`product_super_attribute_id`),
  UNIQUE KEY `CATALOG_PRODUCT_SUPER_ATTRIBUTE_PRODUCT_ID_ATTRIBUTE_ID` (`product_id`, `attribute_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_category_product` (
  `entity_id` int NOT NULL AUTO_INCREMENT,
  `category_id` int UNSIGNED NOT NULL DEFAULT 0,
  `product_id` int UNSIGNED NOT NULL DEFAULT 0,
  `position` int NOT NULL DEFAULT 0,
  PRIMARY KEY (`entity_id`, `category_id`, `product_id`),
  UNIQUE KEY `CATALOG_CATEGORY_PRODUCT_CATEGORY_ID_PRODUCT_ID` (`category_id`, `product_id`),
  KEY `CATALOG_CATEGORY_PRODUCT_PRODUCT_ID` (`product_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_product_relation` (
  `parent_id` int UNSIGNED NOT NULL,
  `child_id` int UNSIGNED NOT NULL,
  PRIMARY KEY (`parent_id`, `child_id`),
  KEY `CATALOG_PRODUCT_RELATION_CHILD_ID` (`child_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__catalog_product_super_link` (
  `link_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `product_id` int UNSIGNED NOT NULL DEFAULT 0,
  `parent_id` int UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (`link_id`),
  UNIQUE KEY `CATALOG_PRODUCT_SUPER_LINK_PRODUCT_ID_PARENT_ID` (`product_id`, `parent_id`),
  KEY `CATALOG_PRODUCT_SUPER_LINK_PARENT_ID` (`parent_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__cataloginventory_stock` (
  `stock_id` smallint UNSIGNED NOT NULL AUTO_INCREMENT,
  `website_id` smallint UNSIGNED NOT NULL,
  `stock_name` varchar(255) NULL,
  PRIMARY KEY (`stock_id`),
  KEY `CATALOGINVENTORY_STOCK_WEBSITE_ID` (`website_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__cataloginventory_stock_item` (
  `item_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `product_id` int UNSIGNED NOT NULL DEFAULT 0,
  `stock_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  `qty` decimal(12,4) NULL,
  `min_qty` decimal(12,4) NOT NULL DEFAULT 0,
  `use_config_min_qty` smallint UNSIGNED NOT NULL DEFAULT 1,
  `is_qty_decimal` smallint UNSIGNED NOT NULL DEFAULT 0,
  `backorders` smallint UNSIGNED NOT NULL DEFAULT 0,
  `use_config_backorders` smallint UNSIGNED NOT NULL DEFAULT 1,
  `min_sale_qty` decimal(12,4) NOT NULL DEFAULT 1,
  `use_config_min_sale_qty` smallint UNSIGNED NOT NULL DEFAULT 1,
  `max_sale_qty` decimal(12,4) NOT NULL DEFAULT 0,
  `use_config_max_sale_qty` smallint UNSIGNED NOT NULL DEFAULT 1,
  `is_in_stock` smallint UNSIGNED NOT NULL DEFAULT 0,
  `low_stock_date` timestamp NULL,
  `notify_stock_qty` decimal(12,4) NULL,
  `use_config_notify_stock_qty` smallint UNSIGNED NOT NULL DEFAULT 1,
  `manage_stock` smallint UNSIGNED NOT NULL DEFAULT 0,
  `use_config_manage_stock` smallint UNSIGNED NOT NULL DEFAULT 1,
  `stock_status_changed_auto` smallint UNSIGNED NOT NULL DEFAULT 0,
  `use_config_qty_increments` smallint UNSIGNED NOT NULL DEFAULT 1,
  `qty_increments` decimal(12,4) NOT NULL DEFAULT 0,
  `use_config_enable_qty_inc` smallint UNSIGNED NOT NULL DEFAULT 1,
  `enable_qty_increments` smallint UNSIGNED NOT NULL DEFAULT 0,
  `is_decimal_divided` smallint UNSIGNED NOT NULL DEFAULT 0,
  `website_id` smallint UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (`item_id`),
  UNIQUE KEY `CATALOGINVENTORY_STOCK_ITEM_PRODUCT_ID_STOCK_ID` (`product_id`, `stock_id`),
  KEY `CATALOGINVENTORY_STOCK_ITEM_WEBSITE_ID` (`website_id`),
  KEY `CATALOGINVENTORY_STOCK_ITEM_WEBSITE_ID_PRODUCT_ID` (`website_id`, `product_id`),
  KEY `CATALOGINVENTORY_STOCK_ITEM_STOCK_ID` (`stock_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__inventory_source` (
  `source_code` varchar(255) NOT NULL,
  `name` varchar(255) NOT NULL,
  `enabled` smallint UNSIGNED NOT NULL DEFAULT 1,
  `description` text NULL,
  `latitude` decimal(8,6) NULL,
  `longitude` decimal(9,6) NULL,
  `country_id` varchar(2) NOT NULL,
  `region_id` int UNSIGNED NULL,
  `region` varchar(255) NULL,
  `city` varchar(255) NULL,
  `street` varchar(255) NULL,
  `postcode` varchar(255) NOT NULL,
  `contact_name` varchar(255) NULL,
  `email` varchar(255) NULL,
  `phone` varchar(255) NULL,
  `fax` varchar(255) NULL,
  `use_default_carrier_config` smallint UNSIGNED NOT NULL DEFAULT 1,
  PRIMARY KEY (`source_code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__inventory_stock` (
  `stock_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `name` varchar(255) NOT NULL,
  PRIMARY KEY (`stock_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__inventory_source_item` (
  `source_item_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `source_code` varchar(255) NOT NULL,
  `sku` varchar(64) NOT NULL,
  `quantity` decimal(12,4) NOT NULL DEFAULT 0,
  `status` smallint UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (`source_item_id`),
  UNIQUE KEY `INVENTORY_SOURCE_ITEM_SOURCE_CODE_SKU` (`source_code`, `sku`),
  KEY `INVENTORY_SOURCE_ITEM_SKU_SOURCE_CODE_QUANTITY` (`sku`, `source_code`, `quantity`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__inventory_source_stock_link` (
  `link_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `stock_id` int UNSIGNED NOT NULL,
  `source_code` varchar(255) NOT NULL,
  `priority` smallint UNSIGNED NOT NULL,
  PRIMARY KEY (`link_id`),
  UNIQUE KEY `INVENTORY_SOURCE_STOCK_LINK_STOCK_ID_SOURCE_CODE` (`stock_id`, `source_code`),
  KEY `INVENTORY_SOURCE_STOCK_LINK_STOCK_ID_PRIORITY` (`stock_id`, `priority`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__inventory_stock_sales_channel` (
  `type` varchar(64) NOT NULL,
  `code` varchar(64) NOT NULL,
  `stock_id` int UNSIGNED NOT NULL,
  PRIMARY KEY (`type`, `code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__inventory_reservation` (
  `reservation_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `stock_id` int UNSIGNED NOT NULL,
  `sku` varchar(64) NOT NULL,
  `quantity` decimal(10,4) NOT NULL DEFAULT 0,
  `metadata` varchar(255) NULL,
  PRIMARY KEY (`reservation_id`),
  KEY `INVENTORY_RESERVATION_STOCK_ID_SKU_QUANTITY` (`stock_id`, `sku`, `quantity`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__sales_order` (
  `entity_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `state` varchar(32) NULL,
  `status` varchar(32) NULL,
  `protect_code` varchar(255) NULL,
  `shipping_description` varchar(255) NULL,
  `is_virtual` smallint UNSIGNED NULL,
  `store_id` smallint UNSIGNED NULL,
  `customer_id` int UNSIGNED NULL,
  `base_grand_total` decimal(20,4) NULL,
  `base_subtotal` decimal(20,4) NULL,
  `grand_total` decimal(20,4) NULL,
  `subtotal` decimal(20,4) NULL,
  `total_qty_ordered` decimal(12,4) NULL,
  `customer_is_guest` smallint UNSIGNED NULL,
  `customer_group_id` int NULL,
  `email_sent` smallint NULL,
  `increment_id` varchar(50) NULL,
  `base_currency_code` varchar(3) NULL,
  `customer_email` varchar(128) NULL,
  `customer_firstname` varchar(128) NULL,
  `customer_lastname` varchar(128) NULL,
  `ext_order_id` varchar(32) NULL,
  `order_currency_code` varchar(3) NULL,
  `shipping_method` varchar(120) NULL,
  `store_name` varchar(255) NULL,
  `created_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  `total_item_count` smallint UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (`entity_id`),
  UNIQUE KEY `SALES_ORDER_INCREMENT_ID_STORE_ID` (`increment_id`, `store_id`),
  KEY `SALES_ORDER_STATUS` (`status`),
  KEY `SALES_ORDER_STATE` (`state`),
  KEY `SALES_ORDER_STORE_ID` (`store_id`),
  KEY `SALES_ORDER_CREATED_AT` (`created_at`),
  KEY `SALES_ORDER_CUSTOMER_ID` (`customer_id`),
  KEY `SALES_ORDER_EXT_ORDER_ID` (`ext_order_id`),
  KEY `SALES_ORDER_UPDATED_AT` (`updated_at`),
  KEY `SALES_ORDER_EMAIL_SENT` (`email_sent`),
  KEY `SALES_ORDER_STORE_STATE_CREATED` (`store_id`, `state`, `created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__sales_order_item` (
  `item_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `order_id` int UNSIGNED NOT NULL DEFAULT 0,
  `parent_item_id` int UNSIGNED NULL,
  `store_id` smallint UNSIGNED NULL,
  `created_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  `product_id` int UNSIGNED NULL,
  `product_type` varchar(255) NULL,
  `sku` varchar(255) NULL,
  `name` varchar(255) NULL,
  `qty_canceled` decimal(12,4) NULL DEFAULT 0,
  `qty_ordered` decimal(12,4) NULL DEFAULT 0,
  `qty_shipped` decimal(12,4) NULL DEFAULT 0,
  `price` decimal(20,4) NOT NULL DEFAULT 0,
  `base_price` decimal(20,4) NOT NULL DEFAULT 0,
  `row_total` decimal(20,4) NOT NULL DEFAULT 0,
  `base_row_total` decimal(20,4) NOT NULL DEFAULT 0,
  `ext_order_item_id` varchar(255) NULL,
  PRIMARY KEY (`item_id`),
  KEY `SALES_ORDER_ITEM_ORDER_ID` (`order_id`),
  KEY `SALES_ORDER_ITEM_STORE_ID` (`store_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__sales_shipment` (
  `entity_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `store_id` smallint UNSIGNED NULL,
  `total_qty` decimal(12,4) NULL,
  `order_id` int UNSIGNED NOT NULL,
  `shipping_address_id` int NULL,
  `billing_address_id` int NULL,
  `increment_id` varchar(50) NULL,
  `created_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`entity_id`),
  UNIQUE KEY `SALES_SHIPMENT_INCREMENT_ID_STORE_ID` (`increment_id`, `store_id`),
  KEY `SALES_SHIPMENT_STORE_ID` (`store_id`),
  KEY `SALES_SHIPMENT_TOTAL_QTY` (`total_qty`),
  KEY `SALES_SHIPMENT_ORDER_ID` (`order_id`),
  KEY `SALES_SHIPMENT_CREATED_AT` (`created_at`),
  KEY `SALES_SHIPMENT_UPDATED_AT` (`updated_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__sales_shipment_track` (
  `entity_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `parent_id` int UNSIGNED NOT NULL,
  `weight` decimal(12,4) NULL,
  `qty` decimal(12,4) NULL,
  `order_id` int UNSIGNED NOT NULL,
  `track_number` text NULL,
  `description` text NULL,
  `title` varchar(255) NULL,
  `carrier_code` varchar(32) NULL,
  `created_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`entity_id`),
  KEY `SALES_SHIPMENT_TRACK_PARENT_ID` (`parent_id`),
  KEY `SALES_SHIPMENT_TRACK_ORDER_ID` (`order_id`),
  KEY `SALES_SHIPMENT_TRACK_CREATED_AT` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__flag` (
  `flag_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `flag_code` varchar(255) NOT NULL,
  `state` smallint UNSIGNED NOT NULL DEFAULT 0,
  `flag_data` mediumtext NULL,
  `last_update` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`flag_id`),
  KEY `FLAG_LAST_UPDATE` (`last_update`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `__PREFIX__mview_state` (
  `state_id` int UNSIGNED NOT NULL AUTO_INCREMENT,
  `view_id` varchar(255) NULL,
  `mode` varchar(16) NULL DEFAULT 'disabled',
  `status` varchar(16) NULL DEFAULT 'idle',
  `updated` datetime NULL,
  `version_id` int UNSIGNED NULL,
  PRIMARY KEY (`state_id`),
  KEY `MVIEW_STATE_VIEW_ID` (`view_id`),
  KEY `MVIEW_STATE_MODE` (`mode`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
