<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Listings;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;

/**
 * Admin page: Amazon Listings.
 */
class Index extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::listings';
    protected const VIEW = 'listings';
    protected const TITLE = 'Amazon Listings';
    protected const MENU = 'Channel_Amazon::amazon_listings';
}
