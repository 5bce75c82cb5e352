<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Dashboard;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;

/**
 * Admin page: Amazon Dashboard.
 */
class Index extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::listings';
    protected const VIEW = 'dashboard';
    protected const TITLE = 'Amazon Dashboard';
    protected const MENU = 'Channel_Amazon::amazon_overview';
}
