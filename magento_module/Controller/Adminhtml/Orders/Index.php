<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Orders;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;

/**
 * Admin page: Amazon Orders.
 */
class Index extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::orders';
    protected const VIEW = 'orders';
    protected const TITLE = 'Amazon Orders';
    protected const MENU = 'Channel_Amazon::amazon_orders';
}
