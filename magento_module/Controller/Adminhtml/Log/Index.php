<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Log;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;

/**
 * Admin page: Amazon Communication Log.
 */
class Index extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::logs';
    protected const VIEW = 'log';
    protected const TITLE = 'Amazon Communication Log';
    protected const MENU = 'Channel_Amazon::amazon_log';
}
