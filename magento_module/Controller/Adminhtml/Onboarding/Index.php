<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Onboarding;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;

/**
 * Admin page: Connect an Amazon Account.
 */
class Index extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::accounts';
    protected const VIEW = 'onboarding';
    protected const TITLE = 'Connect an Amazon Account';
    protected const MENU = 'Channel_Amazon::amazon_accounts';
}
