<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\History;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;

/**
 * Admin page: Amazon Listing Change History.
 */
class Index extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::logs';
    protected const VIEW = 'history';
    protected const TITLE = 'Amazon Listing Change History';
    protected const MENU = 'Channel_Amazon::amazon_log';
}
