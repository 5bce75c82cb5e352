<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Overview;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;

/**
 * Admin page: Amazon Channels Overview.
 */
class Index extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::listings';
    protected const VIEW = 'overview';
    protected const TITLE = 'Amazon Channels Overview';
    protected const MENU = 'Channel_Amazon::amazon_overview';
}
