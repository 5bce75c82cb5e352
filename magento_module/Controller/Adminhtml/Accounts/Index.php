<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Accounts;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;

/**
 * Admin page: Amazon Accounts.
 */
class Index extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::accounts';
    protected const VIEW = 'accounts';
    protected const TITLE = 'Amazon Accounts';
    protected const MENU = 'Channel_Amazon::amazon_accounts';
}
