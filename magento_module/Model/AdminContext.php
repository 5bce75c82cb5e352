<?php

declare(strict_types=1);

namespace Channel\Amazon\Model;

use Magento\Backend\Model\Auth\Session;

/**
 * Who the current admin is, for the signature's user field.
 */
class AdminContext
{
    public function __construct(private readonly Session $authSession)
    {
    }

    public function username(): string
    {
        $user = $this->authSession->getUser();
        return $user ? (string) $user->getUserName() : 'unknown';
    }
}
