<?php

declare(strict_types=1);

namespace Channel\Amazon\Controller\Adminhtml\Connect;

use Channel\Amazon\Controller\Adminhtml\AbstractPage;

/**
 * Where Seller Central sends the merchant back after consent: the onboarding page with
 * Amazon's `state`, `spapi_oauth_code` and `selling_partner_id`. Amazon needs one fixed
 * redirect URI, so this action is public for the secret URL key (the admin session and
 * the ACL resource still apply); the bridge checks the signed, single-use `state`.
 */
class Callback extends AbstractPage
{
    public const ADMIN_RESOURCE = 'Channel_Amazon::accounts';
    protected const VIEW = 'onboarding';
    protected const TITLE = 'Connect an Amazon Account';
    protected const MENU = 'Channel_Amazon::amazon_accounts';

    /** @var string[] */
    protected $_publicActions = ['callback'];
}
