<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Orders;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;

/**
 * Admin page: one Amazon order (`order_id`), with its items, stock, Magento order, failure,
 * shipment confirmations and timeline. Buyer data shows only for roles that also have
 * Channel_Amazon::orders_buyer_data (the bridge decides, from the grants the request carries).
 */
class View extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::orders';
    protected const VIEW = 'order';
    protected const TITLE = 'Amazon Order';
    protected const MENU = 'Channel_Amazon::amazon_orders';
}
